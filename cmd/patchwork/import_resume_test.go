package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestImportResumesAfterSIGKILL: a client import killed with SIGKILL in
// the middle of writing, then run again with the same command, resumes
// where it stopped and ends exactly as an uninterrupted run of the same
// file on a twin database: the same clients, teams and import keys, the
// same counts and the same problems reported.
func TestImportResumesAfterSIGKILL(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			crashed, whole := resumeWorld(t, dialect), resumeWorld(t, dialect)
			// The same rows, naming each database's own agents.
			args := func(w *resumeDB) []string {
				cfg := sqldbtest.AuditConfig(t, w.db)
				return []string{"import", "--db", sqldbtest.DSN(t, w.db), "--audit-key-file", cfg.KeyFile,
					"--audit-checkpoint-file", cfg.CheckpointFile, "--kind", "clients", "--skip-bad-rows", "--batch-size", "20",
					"--quiet", w.file}
			}

			// The first run is killed once some batches are written.
			cmd := exec.Command(os.Args[0], args(crashed)...)
			cmd.Env = append(os.Environ(), "PATCHWORK_TEST_RUN_MAIN=1")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			sqldbtest.Eventually(t, 5*time.Minute, "the import to write its first batches", func() bool {
				return countRows(t, crashed.db, `SELECT COUNT(*) FROM imports WHERE status = 'writing' AND rows_done >= 100`) == 1
			})
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-exited
			var status string
			var done, total int
			if err := crashed.db.QueryRowForTest(`SELECT status, rows_done, rows_total FROM imports`).Scan(&status, &done, &total); err != nil {
				t.Fatal(err)
			}
			if status != "writing" || done >= total {
				t.Fatalf("after the kill the import is %s at %d of %d rows: it ended before it could be killed", status, done, total)
			}
			if n := countRows(t, crashed.db, `SELECT COUNT(*) FROM client_import_keys`); n == 0 || n >= resumeRows {
				t.Fatalf("%d clients were imported before the kill, want some but not all", n)
			}

			// The same command again resumes; the twin imports in one go.
			uninterrupted := resumeAsUninterrupted(t, args(crashed), args(whole))
			for _, p := range []string{"row 3: duplicate: likely the same person as client P-", "member_emails: no active agent",
				"date_of_birth: ", "external_id: the same as row", "duplicate: the same name and date of birth as row"} {
				if !strings.Contains(uninterrupted, p) {
					t.Errorf("the import does not report %q:\n%s", p, uninterrupted)
				}
			}
			for _, q := range []string{
				`SELECT k.key, c.first_name, c.last_name, c.date_of_birth, c.address, c.postcode, c.phone,
					(SELECT COUNT(*) FROM memberships m WHERE m.client_id = c.id AND m.how_joined = 'imported'),
					(SELECT COUNT(*) FROM client_areas a WHERE a.client_id = c.id),
					(SELECT COUNT(*) FROM client_names n WHERE n.client_id = c.id)
				FROM client_import_keys k JOIN clients c ON c.id = k.client_id ORDER BY k.key`,
				`SELECT 'clients', COUNT(*), '', '', '', '', '', 0, 0, 0 FROM clients`,
				`SELECT 'memberships', COUNT(*), '', '', '', '', '', 0, 0, 0 FROM memberships`,
				`SELECT status, rows_total, rows_done, imported, unchanged, links, problems, 0, 0, 0 FROM imports`,
				`SELECT CAST(row_no AS TEXT), field, reason, '', '', '', '', 0, 0, 0 FROM import_problems ORDER BY row_no, field, reason`,
			} {
				got, want := dump(t, crashed.db, q), dump(t, whole.db, q)
				if got != want {
					t.Errorf("after resuming:\n%.2000s\nuninterrupted:\n%.2000s", got, want)
				}
			}
			if n := countRows(t, crashed.db, `SELECT COUNT(*) FROM imports WHERE runs = 2 AND status = 'done'`); n != 1 {
				t.Errorf("%d imports done in two runs, want 1", n)
			}
			if n := countRows(t, whole.db, `SELECT COUNT(*) FROM client_import_keys`); n != resumeRows-21 {
				t.Errorf("the uninterrupted run imported %d clients of %d rows, want all but the 21 bad ones", n, resumeRows)
			}
		})
	}
}

// resumeRows is the size of the file TestImportResumesAfterSIGKILL imports.
const resumeRows = 1500

type resumeDB struct {
	db     *sqldb.DB
	emails []string
	file   string // the client file, naming emails
}

// resumeWorld is a database with three agents and an existing client
// the file's third row is likely a duplicate of.
func resumeWorld(t *testing.T, dialect string) *resumeDB {
	db := sqldbtest.MustOpen(t, dialect)
	w := sqldbtest.MustWorld(t, db)
	a := w.MustAgent(t, "Ali Agent", w.Council, w.LocalA)
	b := w.MustAgent(t, "Bea Agent", w.Council, w.LocalB)
	c := w.MustAgent(t, "Cy Agent", w.Council, w.LocalB)
	w.MustClient(t, a, "Jordan", "Merriweather", "04/05/2011")
	r := &resumeDB{db: db, emails: []string{a.Email, b.Email, c.Email}}
	r.file = resumeFile(t, r)
	return r
}

// resumeFile writes a client file of resumeRows rows naming w's agents,
// with bad rows of several kinds spread through it.
func resumeFile(t *testing.T, w *resumeDB) string {
	var sb strings.Builder
	sb.WriteString("external_id,first_name,last_name,date_of_birth,aliases,address,postcode,phone,local_area,member_emails\n")
	syl := []string{"ba", "ke", "mo", "ri", "tu", "la", "ne", "so", "vi", "du", "ga", "pe", "zo", "fi", "hu", "ja", "we", "xo", "yi", "cu"}
	name := func(i int, suffix string) string {
		var b strings.Builder
		for range 3 {
			b.WriteString(syl[i%len(syl)])
			i /= len(syl)
		}
		s := b.String()
		return strings.ToUpper(s[:1]) + s[1:] + suffix
	}
	members := strings.Join(w.emails, ";")
	start := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range resumeRows {
		switch {
		case i == 0:
			fmt.Fprintf(&sb, "R0,First,Rowson,2001-01-01,,,,,Ashford,%s\n", members)
		case i == 1:
			fmt.Fprintf(&sb, "R1,Jordan,Merriwether,4 May 2011,,,,,Ashford,%s\n", members)
		case i%300 == 50:
			fmt.Fprintf(&sb, "R%d,Nobody,Emailson,2010-01-01,,,,,Ashford,nobody@nowhere.test\n", i)
		case i%300 == 150:
			fmt.Fprintf(&sb, "R%d,Bad,Dateson,31/02/2010,,,,,Ashford,%s\n", i, members)
		case i%300 == 250:
			fmt.Fprintf(&sb, "R0,Twice,Idson,2010-01-01,,,,,Ashford,%s\n", members)
		case i%300 == 275:
			fmt.Fprintf(&sb, ",First,Rowson,1/1/2001,,,,,Ashford,%s\n", members)
		default:
			ext := ""
			if i%2 == 0 {
				ext = fmt.Sprintf("R%d", i)
			}
			fmt.Fprintf(&sb, "%s,%s,%s,%s,,\"%d Long Road\",AB1 2CD,01234 567890,%s,%s\n", ext, name(i, ""), name(i, "son"),
				start.AddDate(0, 0, i*3).Format("2/1/2006"), i, map[bool]string{true: "Ashford", false: "Bexley"}[i%3 == 0], members)
		}
	}
	path := filepath.Join(t.TempDir(), "clients.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// resumeAsUninterrupted runs the same import again on the database a
// killed run left (crashed) and once on its twin (whole): both exit 1 (the
// file has bad rows), the second run says it resumed, and otherwise both
// report alike. It returns the uninterrupted run's report.
func resumeAsUninterrupted(t *testing.T, crashed, whole []string) string {
	t.Helper()
	code, resumed := runPatchwork(t, crashed...)
	wholeCode, uninterrupted := runPatchwork(t, whole...)
	if code != 1 || wholeCode != 1 {
		t.Fatalf("exit %d after resuming and %d uninterrupted, want 1 (the file has bad rows)\n%s\n%s", code, wholeCode, resumed, uninterrupted)
	}
	if !strings.Contains(resumed, "Resumed import") {
		t.Errorf("the second run does not say it resumed:\n%s", resumed)
	}
	if got := withoutResumed(resumed); got != uninterrupted {
		t.Errorf("the resumed run reports\n%s\nthe uninterrupted one\n%s", got, uninterrupted)
	}
	return uninterrupted
}

func withoutResumed(out string) string {
	var keep []string
	for _, l := range strings.SplitAfter(out, "\n") {
		if !strings.HasPrefix(l, "Resumed import") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// dump renders the rows of q (ten columns) as text.
func dump(t *testing.T, db *sqldb.DB, q string) string {
	t.Helper()
	rows, err := db.QueryForTest(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var sb strings.Builder
	for rows.Next() {
		v := make([]any, 10)
		for i := range v {
			v[i] = new(string)
		}
		if err := rows.Scan(v...); err != nil {
			t.Fatal(err)
		}
		for _, x := range v {
			sb.WriteString(*x.(*string) + "|")
		}
		sb.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}
