package importer_test

import (
	"context"
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

// areaList is an area list and the problems its rows must get, in order.
type areaList struct {
	head     string
	rows     []string
	problems []string
}

func (f areaList) text() string { return f.head + strings.Join(f.rows, "\n") + "\n" }

// areaFile is an area list with a bad row of every kind.
var areaFile = areaList{
	head: "Network,district,LOCAL_AREA\n",
	rows: []string{
		"Test network,North district,Ashford",       // 2: there already
		"test  NETWORK, north district ,Canterbury", // 3: a new local area of North
		"Test network,East district,Dover",          // 4: a new district and local area
		"Test network,East district,Deal",           // 5: another in the new district
		"Test network,East district,",               // 6: the new district alone: there by then
		"Other network,West district,Exeter",        // 7: all three new
		"Test network,East district,Bexley",         // 8: Bexley is North's: the wrong parent
		"Test network,West district,Dover",          // 9: Dover again, in another district
		",East district,Folkestone",                 // 10: no network
		"Test network,,Folkestone",                  // 11: no district
		"Test network,East district," + strings.Repeat("x", 101),
		"Test network,East district,Hythe,surprise", // 13
		"Test network,East district,Bad\xffbytes",   // 14: not UTF-8
		"Test network,East district,dover",          // 15: the same as row 4
		"Test network,east district,",               // 16: the same as row 6
	},
	problems: []string{
		`row 8: local_area: "Bexley" is already a local area of North district: move it on the admin areas page`,
		"row 9: local_area: the same as row 4",
		"row 10: network: enter the network's name",
		"row 11: district: enter the district's name",
		"row 12: local_area: must be 100 characters or fewer",
		"row 13: row: has more cells than the header has columns",
		"row 14: local_area: is not UTF-8 text",
		"row 15: local_area: the same as row 4",
		"row 16: district: the same as row 6",
	},
}

// The good rows add Canterbury; East, Dover; Deal; Other network, West,
// Exeter; rows 2 and 6 add nothing.
const areaFileAdds, areaFileThere = 7, 2

// checkAreaReport compares a report with the file's problems and counts.
func checkAreaReport(t *testing.T, what string, rep *importer.Report, want []string, imported, unchanged int) {
	t.Helper()
	var got []string
	for _, p := range rep.Problems {
		got = append(got, p.String())
	}
	if len(got) != len(want) {
		t.Fatalf("%s: problems\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range got {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("%s: problem %q, want %q", what, got[i], want[i])
		}
	}
	if rep.Rows != len(areaFile.rows) || rep.Imported != imported || rep.Unchanged != unchanged {
		t.Errorf("%s: rows %d, imported %d, unchanged %d; want %d, %d, %d", what, rep.Rows, rep.Imported, rep.Unchanged,
			len(areaFile.rows), imported, unchanged)
	}
}

// TestImportAreasDryRunAndIdempotency: an area list with a bad row of
// every kind; the dry run lists each problem by row and changes nothing;
// a real run of the file writes nothing while it has bad rows and records
// a rejected job; one that skips them adds every good row's network,
// district and local area once, as a job done with its counts, and
// reports the same problems; running it again adds nothing and says so.
func TestImportAreasDryRunAndIdempotency(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sqldbtest.MustWorld(t, db)
		ctx := sqldbtest.System()
		file := areaFile.text()
		count := func(q string, args ...any) int { return sqldbtest.MustCount(t, db, q, args...) }
		areas := func() int { return count(`SELECT COUNT(*) FROM areas`) }
		before, audits := areas(), count(`SELECT COUNT(*) FROM audit_events`)

		dry := importer.Options{DryRun: true}
		rep, err := importer.ImportAreas(ctx, db, strings.NewReader(file), dry)
		if err != nil {
			t.Fatal(err)
		}
		checkAreaReport(t, "dry run", rep, areaFile.problems, areaFileAdds, areaFileThere)
		if areas() != before || count(`SELECT COUNT(*) FROM audit_events`) != audits || count(`SELECT COUNT(*) FROM imports`) != 0 {
			t.Fatal("the dry run changed something")
		}
		if got := importer.AreaSummary(rep, dry); !strings.Contains(got, "an import would add nothing until they are fixed") ||
			!strings.Contains(got, "7 areas would be added") || !strings.Contains(got, "Nothing was changed") {
			t.Errorf("dry run summary %q", got)
		}

		rep, err = importer.ImportAreas(ctx, db, strings.NewReader(file), importer.Options{FileName: "/tmp/areas.csv"})
		if err != nil {
			t.Fatal(err)
		}
		checkAreaReport(t, "refused", rep, areaFile.problems, 0, 0)
		if !rep.Rejected || rep.JobID == 0 || areas() != before {
			t.Fatalf("a file with bad rows: rejected %v, job %d, %d areas added; want it rejected, as a job, adding none",
				rep.Rejected, rep.JobID, areas()-before)
		}
		if n := count(`SELECT COUNT(*) FROM imports WHERE id = $1 AND kind = 'areas' AND file_name = 'areas.csv' AND status = 'rejected'
			AND problems = $2 AND rows_total = $3`, rep.JobID, len(areaFile.problems), len(areaFile.rows)); n != 1 {
			t.Errorf("the refused import is not recorded as a rejected job")
		}
		if got := importer.AreaSummary(rep, importer.Options{}); !strings.HasPrefix(got, "Nothing was added: 9 problems in 15 rows") {
			t.Errorf("refused summary %q", got)
		}

		skip := importer.Options{SkipBadRows: true, FileName: "areas.csv"}
		rep, err = importer.ImportAreas(ctx, db, strings.NewReader(file), skip)
		if err != nil {
			t.Fatal(err)
		}
		checkAreaReport(t, "import", rep, areaFile.problems, areaFileAdds, areaFileThere)
		if areas() != before+areaFileAdds {
			t.Errorf("%d areas added, want %d", areas()-before, areaFileAdds)
		}
		if n := count(`SELECT COUNT(*) FROM imports WHERE id = $1 AND status = 'done' AND imported = 7 AND unchanged = 2
			AND rows_done = 15 AND problems = 9`, rep.JobID); n != 1 {
			t.Errorf("the import's job does not have its counts")
		}
		if n := count(`SELECT COUNT(*) FROM audit_events WHERE action = $1 AND detail = $2`, patchwork.AuditAreaImport,
			fmt.Sprintf("import=%d rows=4 added=7", rep.JobID)); n != 1 {
			t.Errorf("%d area import audit rows with the counts, want 1", n)
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
			if n := count(q, args...); n != 1 {
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
		rep, err = importer.ImportAreas(ctx, db, strings.NewReader(file), skip)
		if err != nil {
			t.Fatal(err)
		}
		// Row 9 now meets Dover in the tree, in East district.
		again := slices.Clone(areaFile.problems)
		again[1] = `row 9: local_area: "Dover" is already a local area of East district`
		checkAreaReport(t, "again", rep, again, 0, len(areaFile.rows)-len(areaFile.problems))
		if areas() != after || rep.Resumed {
			t.Errorf("the second run added %d areas (resumed %v)", areas()-after, rep.Resumed)
		}
		good := areaFile.head + strings.Join(slices.Delete(slices.Clone(areaFile.rows), 6, 15), "\n") + "\n"
		rep, err = importer.ImportAreas(ctx, db, strings.NewReader(good), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := importer.AreaSummary(rep, importer.Options{}); got != "Nothing changed: all 6 rows are there already." {
			t.Errorf("a run of the good rows: %q (%+v)", got, rep.Problems)
		}
		if n := count(`SELECT COUNT(*) FROM imports WHERE kind = 'areas' AND status = 'done'`); n != 3 {
			t.Errorf("%d area imports done, want 3", n)
		}
	})
}

// TestImportAreasResumesAfterCrash: an area import that stops half way
// through writing (its database calls fail from a batch on, as when the
// process dies) leaves its job unfinished with the batches committed
// before; the same run again resumes after them and ends exactly as an
// uninterrupted run of the file on a twin database: the same areas, the
// same job counts and the same problems.
func TestImportAreasResumesAfterCrash(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			crashed, whole := sqldbtest.MustOpen(t, dialect), sqldbtest.MustOpen(t, dialect)
			sqldbtest.MustWorld(t, crashed)
			sqldbtest.MustWorld(t, whole)
			var sb strings.Builder
			sb.WriteString("network,district,local_area\n")
			for i := range 300 {
				switch {
				case i%50 == 7:
					fmt.Fprintf(&sb, "Test network,District %d,Ashford\n", i/10) // Ashford is North district's
				case i%50 == 31:
					fmt.Fprintf(&sb, "Test network,District %d,Local %d\n", i/10+1, i-1) // the same name as the row before
				default:
					fmt.Fprintf(&sb, "Network %d,District %d,Local %d\n", i/100, i/10, i)
				}
			}
			file := sb.String()
			opt := importer.Options{SkipBadRows: true, BatchSize: 7, FileName: "areas.csv"}
			ctx, crash := context.WithCancel(sqldbtest.System())
			defer crash()
			first := opt
			first.Progress = func(phase string, done, total int) {
				if phase == "writing" && done >= 100 {
					crash()
				}
			}
			if _, err := importer.ImportAreas(ctx, crashed, strings.NewReader(file), first); !errors.Is(err, context.Canceled) {
				t.Fatalf("the crashed run: %v, want it stopped", err)
			}
			var status string
			var done int
			if err := crashed.QueryRowForTest(`SELECT status, rows_done FROM imports`).Scan(&status, &done); err != nil {
				t.Fatal(err)
			}
			if status != "writing" || done != 105 {
				t.Fatalf("after the crash the import is %s at row %d, want writing at 105", status, done)
			}

			resumed, err := importer.ImportAreas(sqldbtest.System(), crashed, strings.NewReader(file), opt)
			if err != nil {
				t.Fatal(err)
			}
			uninterrupted, err := importer.ImportAreas(sqldbtest.System(), whole, strings.NewReader(file), opt)
			if err != nil {
				t.Fatal(err)
			}
			if !resumed.Resumed || uninterrupted.Resumed {
				t.Errorf("resumed %v, uninterrupted resumed %v", resumed.Resumed, uninterrupted.Resumed)
			}
			if resumed.Imported != uninterrupted.Imported || resumed.Unchanged != uninterrupted.Unchanged ||
				fmt.Sprint(resumed.Problems) != fmt.Sprint(uninterrupted.Problems) {
				t.Errorf("resumed: %d added, %d unchanged, %v\nuninterrupted: %d, %d, %v", resumed.Imported, resumed.Unchanged,
					resumed.Problems, uninterrupted.Imported, uninterrupted.Unchanged, uninterrupted.Problems)
			}
			if len(uninterrupted.Problems) != 12 || uninterrupted.Imported != 3+30+300-12 {
				t.Errorf("uninterrupted: %d added, %d problems; want %d, 12", uninterrupted.Imported, len(uninterrupted.Problems), 3+30+300-12)
			}
			for _, q := range []string{
				`SELECT a.kind || ' ' || a.name || ' in ' || COALESCE(p.name, '-') FROM areas a LEFT JOIN areas p ON p.id = a.parent_id
					ORDER BY a.kind, a.name`,
				`SELECT status || ' ' || CAST(rows_total AS TEXT) || ' ' || CAST(rows_done AS TEXT) || ' ' || CAST(imported AS TEXT) || ' ' ||
					CAST(unchanged AS TEXT) || ' ' || CAST(problems AS TEXT) FROM imports`,
				`SELECT CAST(row_no AS TEXT) || ' ' || field || ' ' || reason FROM import_problems ORDER BY row_no, field`,
			} {
				if got, want := column(t, crashed, q), column(t, whole, q); got != want {
					t.Errorf("after resuming:\n%.2000s\nuninterrupted:\n%.2000s", got, want)
				}
			}
			if n := sqldbtest.MustCount(t, crashed, `SELECT COUNT(*) FROM imports WHERE runs = 2 AND status = 'done'`); n != 1 {
				t.Errorf("%d imports done in two runs, want 1", n)
			}
		})
	}
}

// column returns the text of q's one column, a line a row.
func column(t *testing.T, db *sqldb.DB, q string) string {
	t.Helper()
	rows, err := db.QueryForTest(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var sb strings.Builder
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		sb.WriteString(s + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return sb.String()
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
		for _, file := range []string{"network,local_area\nA,B\n", "", "\xff\xfenetwork,district\n", "Test network,North district,Ashford\n",
			"network,district\n\"Test network,North district\n"} {
			_, err := importer.ImportAreas(sqldbtest.System(), db, strings.NewReader(file), importer.Options{})
			var fe *importer.FileError
			if !errors.As(err, &fe) {
				t.Errorf("%q: %v, want a FileError", file, err)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM imports`); n != 0 {
			t.Errorf("%d jobs recorded for files that cannot be read", n)
		}
	})
}
