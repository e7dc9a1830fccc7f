package importer_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/importer"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

const header = "external_id,first_name,last_name,date_of_birth,aliases,address,postcode,phone,local_area,member_emails\n"

// syllables spell the generated names, so that no two rows are alike.
var syllables = []string{"ba", "ke", "mo", "ri", "tu", "la", "ne", "so", "vi", "du", "ga", "pe", "zo", "fi", "hu", "ja", "we", "xo", "yi", "cu"}

func name(i int, suffix string) string {
	var b strings.Builder
	for range 3 {
		b.WriteString(syllables[i%len(syllables)])
		i /= len(syllables)
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:] + suffix
}

// badRows are rows with one problem each, and the problem they must get.
func badRows(member string) []struct{ row, want string } {
	return []struct{ row, want string }{
		{",,Nofirst,2010-01-01,,,,,Ashford," + member, "first_name: Enter the client's first name"},
		{",Nolast,,2010-01-01,,,,,Ashford," + member, "last_name: Enter the client's last name"},
		{",Bad,Dateson,31/02/2010,,,,,Ashford," + member, "date_of_birth: "},
		{",Odd,Dateson,the fifth of never,,,,,Ashford," + member, "date_of_birth: "},
		{",Nowhere,Areason,2010-01-01,,,,,Atlantis," + member, `local_area: no local area is called "Atlantis"`},
		{",Nobody,Emailson,2010-01-01,,,,,Ashford,nobody@nowhere.test", `member_emails: no active agent signs in as "nobody@nowhere.test"`},
		{",Noteam,Memberson,2010-01-01,,,,,Ashford,", "member_emails: name at least one agent"},
		{",Bad\xff,Bytes,2010-01-01,,,,,Ashford," + member, "first_name: is not UTF-8 text"},
		{",Post,Codeson,2010-01-01,,,NOT A POSTCODE!,,Ashford," + member, "postcode: "},
		{",Phone,Numberson,2010-01-01,,,,call me maybe,Ashford," + member, "phone: "},
		{strings.Repeat("x", 101) + ",Long,Idson,2010-01-01,,,,,Ashford," + member, "external_id: "},
		{",Extra,Cellson,2010-01-01,,,,,Ashford," + member + ",surprise", "row: has more cells"},
		{"E-1,Twice,Idson,2010-01-01,,,,,Ashford," + member, "external_id: the same as row 2"},
		{",Jordan,Merriwether,4 May 2011,,,,,Ashford," + member, "duplicate: likely the same person as client P-"},
	}
}

// TestImportClientsDryRunAndIdempotency: a 10,000-row file with a bad row
// of every kind; the dry run lists each problem by row and changes
// nothing; a real run writes nothing either while the file has bad rows;
// one that skips them imports every good row with its team and reports
// the same problems; running it again changes nothing and says so.
func TestImportClientsDryRunAndIdempotency(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Ali Agent", w.Council, w.LocalA)
		b := w.MustAgent(t, "Bea Agent", w.Council, w.LocalB)
		c := w.MustAgent(t, "Cy Agent", w.Council, w.LocalB)
		w.MustClient(t, a, "Jordan", "Merriweather", "04/05/2011")
		const good = 10000 - 14
		var sb strings.Builder
		sb.WriteString(header)
		sb.WriteString("E-1,First,Rowson,2001-01-01,,,,,Ashford," + a.Email + "\n") // row 2
		bad := badRows(strings.ToUpper(a.Email))                                    // emails in any case
		start := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 1; i < good; i++ {
			if i%700 == 0 && i/700 <= len(bad) {
				sb.WriteString(bad[i/700-1].row + "\n")
			}
			ext := ""
			if i%2 == 0 {
				ext = fmt.Sprintf("E%d", i+1)
			}
			dob := start.AddDate(0, 0, i).Format("2/1/2006")
			fmt.Fprintf(&sb, "%s,%s,%s,%s,%s,\"%d Long Road\",AB1 2CD,01234 567890,%s,%s;%s;%s\n", ext, name(i, ""), name(i, "son"), dob,
				name(i, "y"), i, map[bool]string{true: "Ashford", false: "bexley"}[i%3 == 0], a.Email, b.Email, c.Email)
		}
		file := sb.String()
		ctx := sqldbtest.System()
		before := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients`)
		dry, err := importer.ImportClients(ctx, db, strings.NewReader(file), importer.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if dry.Rows != 10000 || dry.Imported != good || len(dry.Problems) != len(bad) {
			t.Fatalf("dry run: %d rows, %d to import, %d problems; want 10000, %d, %d\n%v", dry.Rows, dry.Imported, len(dry.Problems),
				good, len(bad), dry.Problems)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients`); n != before {
			t.Fatalf("the dry run wrote %d clients", n-before)
		}
		for i, p := range dry.Problems {
			if got := p.String(); !strings.Contains(got, bad[i].want) || !strings.HasPrefix(got, fmt.Sprintf("row %d: ", p.Row)) {
				t.Errorf("problem %d = %q, want it to say %q", i, got, bad[i].want)
			}
		}
		// A real run of a file with bad rows writes nothing, and says why.
		refused, err := importer.ImportClients(ctx, db, strings.NewReader(file), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !refused.Rejected || refused.Imported != 0 || len(refused.Problems) != len(bad)-1 {
			t.Fatalf("import of a file with bad rows: rejected %v, %d imported, %d problems; want true, 0, %d (the likely duplicate is found when writing)",
				refused.Rejected, refused.Imported, len(refused.Problems), len(bad)-1)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients`); n != before {
			t.Fatalf("the refused import wrote %d clients", n-before)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM imports WHERE status = 'rejected' AND problems = $1`, len(bad)-1); n != 1 {
			t.Errorf("%d rejected imports recorded, want 1", n)
		}
		skip := importer.Options{SkipBadRows: true}
		real, err := importer.ImportClients(ctx, db, strings.NewReader(file), skip)
		if err != nil {
			t.Fatal(err)
		}
		if real.Imported != good || real.Memberships != 3*good-2 || len(real.Problems) != len(bad) {
			t.Fatalf("import: %d clients, %d memberships, %d problems; want %d, %d, %d", real.Imported, real.Memberships,
				len(real.Problems), good, 3*good-2, len(bad))
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients`); n != before+good {
			t.Fatalf("clients after the import: %d, want %d", n, before+good)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE agent_id = $1 AND how_joined = $2 AND left_at IS NULL`,
			c.ID, patchwork.JoinedByImport); n != good-1 {
			t.Errorf("Cy is on %d imported teams, want %d", n, good-1)
		}
		// An imported client is a client like any other: its members see
		// it, search finds it.
		if _, err := sqldb.NewClientService(db).FindMyClients(sqldbtest.As(b)); err != nil {
			t.Fatal(err)
		}
		res, err := sqldb.NewSearchService(db).Search(sqldbtest.As(a), patchwork.SearchQuery{Text: name(5, "") + " " + name(5, "son")})
		if err != nil || len(res.Clients) == 0 {
			t.Errorf("search for an imported client: %d results, %v", len(res.Clients), err)
		}
		again, err := importer.ImportClients(ctx, db, strings.NewReader(file), skip)
		if err != nil {
			t.Fatal(err)
		}
		if again.Imported != 0 || again.Unchanged != good || len(again.Problems) != len(bad) {
			t.Fatalf("second run: %d imported, %d unchanged, %d problems; want 0, %d, %d", again.Imported, again.Unchanged,
				len(again.Problems), good, len(bad))
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients`); n != before+good {
			t.Fatalf("the second run wrote %d clients", n-before-good)
		}
	})
}

// TestImportClientsUnreadableFile: a file that cannot be read at all is a
// FileError and changes nothing.
func TestImportClientsUnreadableFile(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sqldbtest.MustWorld(t, db)
		for name, file := range map[string]string{
			"empty":             "",
			"no header columns": "a,b\n1,2\n",
			"missing column":    "first_name,last_name\nA,B\n",
			"twice":             "first_name,first_name,last_name,date_of_birth,member_emails\n",
			"broken quotes":     header + "\"unclosed,A,B\n",
		} {
			_, err := importer.ImportClients(sqldbtest.System(), db, strings.NewReader(file), importer.Options{})
			var fe *importer.FileError
			if !errors.As(err, &fe) {
				t.Errorf("%s: %v, want a FileError", name, err)
			}
		}
	})
}
