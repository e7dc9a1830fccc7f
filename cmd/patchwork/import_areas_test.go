package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestImportAreasExitStatus: patchwork import --kind areas answers as the
// other kinds do: 0 when every row is fine or added, 1 when a row has a
// problem (listed as "row N: field: reason"; a file with one adds nothing
// unless --skip-bad-rows), 2 for a file that cannot be read; a dry run
// changes nothing, a second run says nothing changed, each real run is an
// import job, and the progress is on standard error.
func TestImportAreasExitStatus(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "p.db")
	if err := run(context.Background(), []string{"demo", "--db", dbPath}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = "network,district,local_area\n"
	good := write("good.csv", head+"Demoshire,North district,Ashby\nDemoshire,North district,Dunstan\nDemoshire,West district,Westgate\n")
	bad := write("bad.csv", head+"Demoshire,North district,Kingsmead\nDemoshire,West district,Dunmore\n")
	broken := write("broken.csv", "district,local_area\nNorth district,Ashby\n")
	status := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"import", "--db", dbPath, "--kind", "areas"}, args...), &out, &errOut)
		var ec *exitCode
		switch {
		case err == nil:
			return 0, out.String(), errOut.String()
		case errors.As(err, &ec):
			return ec.code, out.String(), errOut.String()
		}
		t.Logf("%v", err)
		return -1, out.String(), errOut.String()
	}
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"dry run", []string{"--quiet", "--dry-run", good}, 0, "Dry run: 3 rows; 3 areas would be added, 1 rows are there already, 0 have problems. Nothing was changed."},
		{"import", []string{"--quiet", good}, 0, "Added 3 areas; 1 rows were there already; 0 rows have problems"},
		{"again", []string{good}, 0, "Nothing changed: all 3 rows are there already."},
		{"a dry run of a bad row", []string{"--quiet", "--dry-run", bad}, 1, "an import would add nothing until they are fixed"},
		{"a bad row", []string{"--quiet", bad}, 1, `row 3: local_area: "Dunmore" is already a local area of Central district`},
		{"a file without its network column", []string{"--quiet", broken}, 2, ""},
		{"no such file", []string{"--quiet", filepath.Join(dir, "missing.csv")}, 2, ""},
	} {
		code, out, errOut := status(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.contains) {
			t.Errorf("%s: exit %d, want %d\n%s", tc.name, code, tc.code, out)
		}
		if tc.name == "again" && !strings.Contains(errOut, "writing: 3/3 rows") {
			t.Errorf("no progress on standard error:\n%s", errOut)
		}
	}
	if _, out, _ := status("--quiet", bad); !strings.Contains(out, "Nothing was added: 1 problems in 2 rows") {
		t.Errorf("the bad file was not refused whole: %s", out)
	}
	if _, out, _ := status("--quiet", "--skip-bad-rows", bad); !strings.Contains(out, "Added 1 area; 0 rows were there already; 1 rows have problems") {
		t.Errorf("the bad file's good row was not added: %s", out)
	}
	if _, out, _ := status("--quiet", "--skip-bad-rows", bad); !strings.Contains(out, "Added 0 areas; 1 rows were there already; 1 rows have problems") {
		t.Errorf("the bad file's good row was not found there already: %s", out)
	}
	db, err := sqldb.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM imports WHERE kind = 'areas' AND file_name = 'good.csv' AND status = 'done'`:    2,
		`SELECT COUNT(*) FROM imports WHERE kind = 'areas' AND file_name = 'bad.csv' AND status = 'rejected'`: 2,
		`SELECT COUNT(*) FROM imports WHERE kind = 'areas' AND file_name = 'bad.csv' AND status = 'done'`:     2,
		`SELECT COUNT(*) FROM imports`: 6,
	} {
		if n := countRows(t, db, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
}

// TestImportAreasResumesAfterSIGKILL: an area import killed with SIGKILL
// in the middle of writing, then run again with the same command, resumes
// where it stopped and ends exactly as an uninterrupted run of the same
// file on a twin database (as the client import's TestImportResumesAfterSIGKILL).
func TestImportAreasResumesAfterSIGKILL(t *testing.T) {
	const rows = 600
	var sb strings.Builder
	sb.WriteString("network,district,local_area\n")
	for i := range rows {
		switch {
		case i%200 == 75:
			sb.WriteString("Test network,Elsewhere,Ashford\n") // Ashford is North district's
		case i%200 == 125:
			fmt.Fprintf(&sb, "Network %d,District %d,Local %d\n", i/200, i/20, i-1) // the same name as the row before
		default:
			fmt.Fprintf(&sb, "Network %d,District %d,Local %d\n", i/200, i/20, i)
		}
	}
	path := filepath.Join(t.TempDir(), "areas.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			crashed, whole := sqldbtest.MustOpen(t, dialect), sqldbtest.MustOpen(t, dialect)
			sqldbtest.MustWorld(t, crashed)
			sqldbtest.MustWorld(t, whole)
			args := func(db *sqldb.DB) []string {
				cfg := sqldbtest.AuditConfig(t, db)
				return []string{"import", "--db", sqldbtest.DSN(t, db), "--audit-key-file", cfg.KeyFile,
					"--audit-checkpoint-file", cfg.CheckpointFile, "--kind", "areas", "--skip-bad-rows", "--batch-size", "2", "--quiet", path}
			}
			cmd := exec.Command(os.Args[0], args(crashed)...)
			cmd.Env = append(os.Environ(), "PATCHWORK_TEST_RUN_MAIN=1")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			sqldbtest.Eventually(t, 5*time.Minute, "the import to write its first batches", func() bool {
				return countRows(t, crashed, `SELECT COUNT(*) FROM imports WHERE status = 'writing' AND rows_done >= 60`) == 1
			})
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-exited
			var status string
			var done, total int
			if err := crashed.QueryRowForTest(`SELECT status, rows_done, rows_total FROM imports`).Scan(&status, &done, &total); err != nil {
				t.Fatal(err)
			}
			if status != "writing" || done >= total {
				t.Fatalf("after the kill the import is %s at %d of %d rows: it ended before it could be killed", status, done, total)
			}

			uninterrupted := resumeAsUninterrupted(t, args(crashed), args(whole))
			if want := fmt.Sprintf("Added %d areas;", 3+30+rows-6); !strings.Contains(uninterrupted, want) {
				t.Errorf("the uninterrupted run does not say %q:\n%s", want, uninterrupted)
			}
			for _, q := range []string{
				`SELECT a.kind, a.name, COALESCE(p.name, '-'), '', '', '', '', 0, 0, 0 FROM areas a LEFT JOIN areas p ON p.id = a.parent_id
					ORDER BY a.kind, a.name`,
				`SELECT status, rows_total, rows_done, imported, unchanged, links, problems, 0, 0, 0 FROM imports`,
				`SELECT CAST(row_no AS TEXT), field, reason, '', '', '', '', 0, 0, 0 FROM import_problems ORDER BY row_no, field, reason`,
			} {
				if got, want := dump(t, crashed, q), dump(t, whole, q); got != want {
					t.Errorf("after resuming:\n%.2000s\nuninterrupted:\n%.2000s", got, want)
				}
			}
			if n := countRows(t, crashed, `SELECT COUNT(*) FROM imports WHERE runs = 2 AND status = 'done'`); n != 1 {
				t.Errorf("%d imports done in two runs, want 1", n)
			}
		})
	}
}
