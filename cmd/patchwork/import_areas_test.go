package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportAreasExitStatus: patchwork import --kind areas answers as the
// client import does: 0 when every row is fine or added, 1 when a row has
// a problem (listed as "row N: field: reason"), 2 for a file that cannot
// be read; a dry run changes nothing and a second run says nothing
// changed.
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
	status := func(args ...string) (int, string) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"import", "--db", dbPath, "--quiet", "--kind", "areas"}, args...), &out, io.Discard)
		var ec *exitCode
		switch {
		case err == nil:
			return 0, out.String()
		case errors.As(err, &ec):
			return ec.code, out.String()
		}
		t.Logf("%v", err)
		return -1, out.String()
	}
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"dry run", []string{"--dry-run", good}, 0, "Dry run: 3 rows; 3 areas would be added, 1 rows are there already, 0 have problems. Nothing was changed."},
		{"import", []string{good}, 0, "Added 3 areas; 1 rows were there already; 0 rows have problems"},
		{"again", []string{good}, 0, "Nothing changed: all 3 rows are there already."},
		{"a bad row", []string{bad}, 1, `row 3: local_area: "Dunmore" is already a local area of Central district`},
		{"a file without its network column", []string{broken}, 2, ""},
		{"no such file", []string{filepath.Join(dir, "missing.csv")}, 2, ""},
	} {
		code, out := status(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.contains) {
			t.Errorf("%s: exit %d, want %d\n%s", tc.name, code, tc.code, out)
		}
	}
	if _, out := status(bad); !strings.Contains(out, "Added 0 areas; 1 rows were there already; 1 rows have problems") {
		t.Errorf("the bad file's good row was not added once: %s", out)
	}
}
