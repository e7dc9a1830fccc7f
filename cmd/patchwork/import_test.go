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

// TestImportExitStatus: patchwork import answers 0 when every row is fine
// or imported, 1 when a row has a problem (listed as "row N: field:
// reason"), 2 for a file that cannot be read; a dry run changes nothing
// and a second run says nothing changed.
func TestImportExitStatus(t *testing.T) {
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
	const head = "first_name,last_name,date_of_birth,local_area,member_emails,external_id\n"
	good := write("good.csv", head+"Zebedee,Quartermain,3/4/2012,Ashby,agent10@patchwork.test,X1\n")
	bad := write("bad.csv", head+"Zebedee,Quartermain,3/4/2012,Ashby,agent10@patchwork.test,X1\n,Nofirst,3/4/2012,Ashby,agent10@patchwork.test,X2\n")
	broken := write("broken.csv", "what,is,this\n")
	agencies := write("agencies.csv", "name,sector,local_areas,email_domain,sensitive\n"+
		"Ashby Youth Hub,youth services,Ashby;Brampton,ashbyyouth.test,no\n"+
		"Quiet Harbour,Charity,Ashby,harbour.test,maybe\n")
	status := func(args ...string) (int, string) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"import", "--db", dbPath, "--quiet", "--kind", "clients"}, args...), &out, io.Discard)
		var ec *exitCode
		switch {
		case err == nil:
			return 0, out.String()
		case errors.As(err, &ec):
			return ec.code, out.String()
		}
		return 1, out.String()
	}
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"dry run of a bad file", []string{"--dry-run", bad}, 1, "row 3: first_name: Enter the client's first name"},
		{"dry run of a good file", []string{"--dry-run", good}, 0, "Nothing was changed"},
		{"import", []string{good}, 0, "Imported 1 clients (1 memberships)"},
		{"again", []string{good}, 0, "Nothing changed: all 1 rows were imported before"},
		{"a bad row", []string{bad}, 1, "row 3: first_name"},
		{"not a client file", []string{broken}, 2, ""},
		{"agencies", []string{"--kind", "agencies", agencies}, 1, "row 3: sensitive: must be yes or no"},
		{"agencies again", []string{"--kind", "agencies", agencies}, 1, "1 rows were imported before"},
		{"no such file", []string{filepath.Join(dir, "missing.csv")}, 2, ""},
	} {
		code, out := status(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.contains) {
			t.Errorf("%s: exit %d, want %d\n%s", tc.name, code, tc.code, out)
		}
	}
}
