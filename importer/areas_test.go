package importer_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"patchwork"
	"patchwork/importer"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestImportAreasDryRunAndIdempotency: an area list with a bad row of
// every kind; the dry run lists each problem by row and adds nothing; the
// real run adds every good row's network, district and local area once,
// in one transaction with one audit row, and reports the same problems;
// running it again adds nothing and says so.
func TestImportAreasDryRunAndIdempotency(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sqldbtest.MustWorld(t, db)
		ctx := sqldbtest.System()
		const head = "Network,district,LOCAL_AREA\n"
		rows := []string{
			"Test network,North district,Ashford",       // 2: there already
			"test  NETWORK, north district ,Canterbury", // 3: a new local area of North
			"Test network,East district,Dover",          // 4: a new district and local area
			"Test network,East district,Deal",           // 5: another in the new district
			"Test network,East district,",               // 6: the new district alone
			"Other network,West district,Exeter",        // 7: all three new
			"Test network,East district,Bexley",         // 8: Bexley is North's
			"Test network,West district,Dover",          // 9: Dover is in row 4's district
			",East district,Folkestone",                 // 10: no network
			"Test network,,Folkestone",                  // 11: no district
			"Test network,East district," + strings.Repeat("x", 101),
			"Test network,East district,Hythe,surprise", // 13
			"Test network,East district,Bad\xffbytes",   // 14
			"Test network,East district,Dover",          // 15: the same as row 4
		}
		file := head + strings.Join(rows, "\n") + "\n"
		wantProblems := []string{
			`row 8: local_area: "Bexley" is already a local area of North district`,
			`row 9: local_area: "Dover" is `, // in another district in row 4; on the second run, of East district
			"row 10: network: enter the network's name",
			"row 11: district: enter the district's name",
			"row 12: local_area: must be 100 characters or fewer",
			"row 13: row: has more cells than the header has columns",
			"row 14: local_area: is not UTF-8 text",
		}
		check := func(what string, rep *importer.Report, imported, unchanged int) {
			t.Helper()
			var got []string
			for _, p := range rep.Problems {
				got = append(got, p.String())
			}
			if len(got) != len(wantProblems) {
				t.Fatalf("%s: problems\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(wantProblems, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], wantProblems[i]) {
					t.Errorf("%s: problem %q, want %q", what, got[i], wantProblems[i])
				}
			}
			if rep.Rows != len(rows) || rep.Imported != imported || rep.Unchanged != unchanged {
				t.Errorf("%s: rows %d, imported %d, unchanged %d; want %d, %d, %d", what, rep.Rows, rep.Imported, rep.Unchanged,
					len(rows), imported, unchanged)
			}
		}
		areas := func() int { return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM areas`) }
		before, audits := areas(), sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events`)

		rep, err := importer.ImportAreas(ctx, db, strings.NewReader(file), importer.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		// New: Canterbury; East, Dover; Deal; Other network, West, Exeter.
		check("dry run", rep, 7, 3)
		if !strings.HasSuffix(rep.Problems[1].Reason, "in another district in row 4") {
			t.Errorf("row 9: %q", rep.Problems[1].Reason)
		}
		if areas() != before || sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events`) != audits {
			t.Fatal("the dry run changed something")
		}
		if got := importer.AreaSummary(rep, true); !strings.Contains(got, "7 areas would be added") || !strings.Contains(got, "Nothing was changed") {
			t.Errorf("dry run summary %q", got)
		}

		rep, err = importer.ImportAreas(ctx, db, strings.NewReader(file), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		check("import", rep, 7, 3)
		if areas() != before+7 {
			t.Errorf("%d areas added, want 7", areas()-before)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND detail = $2`,
			patchwork.AuditAreaImport, "rows=4 added=7"); n != 1 {
			t.Errorf("%d import audit rows with the counts, want 1", n)
		}
		for _, tc := range []struct{ name, kind, parent string }{
			{"Canterbury", "local", "North district"}, {"East district", "district", "Test network"},
			{"Dover", "local", "East district"}, {"Deal", "local", "East district"},
			{"Other network", "network", ""}, {"West district", "district", "Other network"}, {"Exeter", "local", "West district"},
		} {
			q := `SELECT COUNT(*) FROM areas a WHERE a.name = $1 AND a.kind = $2 AND `
			args := []any{tc.name, tc.kind}
			if tc.parent == "" {
				q += `a.parent_id IS NULL`
			} else {
				q += `a.parent_id = (SELECT p.id FROM areas p WHERE p.name = $3)`
				args = append(args, tc.parent)
			}
			if n := sqldbtest.MustCount(t, db, q, args...); n != 1 {
				t.Errorf("%s (%s in %q): %d, want 1", tc.name, tc.kind, tc.parent, n)
			}
		}
		// The client import finds the new local areas by name.
		lookups, err := db.FindImportLookups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := lookups.LocalAreas["dover"]; !ok {
			t.Error("the client import does not know Dover")
		}

		after := areas()
		rep, err = importer.ImportAreas(ctx, db, strings.NewReader(file), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		check("again", rep, 0, 7)
		if areas() != after {
			t.Error("the second run added areas")
		}
		good := head + strings.Join(slices.Delete(slices.Clone(rows), 6, 13), "\n") + "\n"
		rep, err = importer.ImportAreas(ctx, db, strings.NewReader(good), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := importer.AreaSummary(rep, false); got != fmt.Sprintf("Nothing changed: all %d rows are there already.", rep.Rows) {
			t.Errorf("second run of the good rows: %q (%+v)", got, rep.Problems)
		}
	})
}

// TestImportAreasRefused: only the system caller and system admins may
// import areas; anyone else is refused before the file is read, and a
// file without the required columns is a FileError.
func TestImportAreasRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		areaAdmin := w.MustAreaAdmin(t, "Nadia North", w.Council, w.District)
		agent := w.MustAgent(t, "Ann Agent", w.Council, w.LocalA)
		for _, a := range []*patchwork.Agent{areaAdmin, agent} {
			_, err := importer.ImportAreas(sqldbtest.As(a), db, strings.NewReader("not,a,file"), importer.Options{})
			if patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("%s: %v, want ENOTFOUND", a.Name, err)
			}
		}
		_, err := importer.ImportAreas(sqldbtest.System(), db, strings.NewReader("network,local_area\nA,B\n"), importer.Options{})
		var fe *importer.FileError
		if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "district") {
			t.Errorf("a file without district: %v", err)
		}
	})
}
