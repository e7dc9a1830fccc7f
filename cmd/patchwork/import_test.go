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

	"patchwork/sqldb"
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
	agents := write("agents.csv", "external_id,email,first_name,last_name,agency,role,phone,local_areas\n"+
		"A1,Nia.Newcomer@ashby-primary.test,Nia,Newcomer,ashby primary school,Teacher,01234 567890,Ashby;Brampton\n"+
		"A2,agent10@patchwork.test,Old,Hand,Ashby Primary School,,,\n")
	badAgents := write("bad-agents.csv", "email,name,agency\n"+
		"ok.one@ashby-primary.test,Ok One,Ashby Primary School\n"+
		"not-an-address,No Address,Ashby Primary School\n"+
		"ok.two@ashby-primary.test,Ok Two,Atlantis Academy\n")
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
		{"a bad row imports nothing", []string{bad}, 1, "Nothing was imported"},
		{"a bad row skipped", []string{"--skip-bad-rows", bad}, 1, "1 rows were imported before"},
		{"not a client file", []string{broken}, 2, ""},
		{"agencies", []string{"--kind", "agencies", agencies}, 1, "row 3: sensitive: must be yes or no"},
		{"agencies skipping", []string{"--kind", "agencies", "--skip-bad-rows", agencies}, 1, "Imported 1 agencies (2 areas)"},
		{"agencies again", []string{"--kind", "agencies", "--skip-bad-rows", agencies}, 1, "1 rows were imported before"},
		{"agents dry run", []string{"--kind", "agents", "--dry-run", agents}, 0, "1 agents would be imported (2 areas), 1 were imported before"},
		{"agents", []string{"--kind", "agents", "--invite", agents}, 0, "Imported 1 agents (2 areas); 1 rows were imported before"},
		{"agents again", []string{"--kind", "agents", "--invite", agents}, 0, "Nothing changed: all 2 rows were imported before"},
		{"bad agents", []string{"--kind", "agents", badAgents}, 1, "row 4: agency: no agency is called \"Atlantis Academy\""},
		{"bad agents import nothing", []string{"--kind", "agents", badAgents}, 1, "row 3: email: "},
		{"invite is for agents", []string{"--invite", good}, 2, ""},
		{"no such file", []string{filepath.Join(dir, "missing.csv")}, 2, ""},
	} {
		code, out := status(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.contains) {
			t.Errorf("%s: exit %d, want %d and %q\n%s", tc.name, code, tc.code, tc.contains, out)
		}
	}
	// The imported agent is an agent like any other, sent one invitation;
	// the bad file imported nobody.
	db, err := sqldb.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM agents WHERE email = 'nia.newcomer@ashby-primary.test' AND name = 'Nia Newcomer' AND active = 1`:      1,
		`SELECT COUNT(*) FROM agent_areas aa JOIN agents a ON a.id = aa.agent_id WHERE a.email = 'nia.newcomer@ashby-primary.test'`: 2,
		`SELECT COUNT(*) FROM jobs WHERE kind = 'account_email' AND payload LIKE '%account_invitation%'`:                            1,
		`SELECT COUNT(*) FROM agents WHERE email LIKE 'ok.%'`:                                                                       0,
		`SELECT COUNT(*) FROM imports WHERE kind = 'agents' AND status = 'rejected'`:                                                2,
	} {
		if n := countRows(t, db, q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
}

func countRows(t *testing.T, db *sqldb.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRowForTest(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
