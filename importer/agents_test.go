package importer_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"patchwork/importer"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

const agentHeader = "external_id,email,first_name,last_name,agency,role,phone,mobile,local_areas\n"

// badAgentRows are agent rows with one problem each, and the problem they
// must get. Row 2 of the file is A-1, good.
var badAgentRows = []struct{ row, want string }{
	{"X1,not-an-address,Nia,Bad,Ashford Children's Services,,,,Ashford", "email: "},
	{"X2,,Nia,Noemail,Ashford Children's Services,,,,Ashford", "email: "},
	{"X3,nofirst@ashford.test,,Nofirst,Ashford Children's Services,,,,", "first_name: Enter the agent's first name"},
	{"X4,nolast@ashford.test,Nia,,Ashford Children's Services,,,,", "last_name: Enter the agent's last name"},
	{"X5,noagency@ashford.test,Nia,Noagency,,,,,", "agency: Enter the name of the agent's agency"},
	{"X6,atlantis@ashford.test,Nia,Atlantis,Atlantis Academy,,,,", `agency: no agency is called "Atlantis Academy"`},
	{"X7,nowhere@ashford.test,Nia,Nowhere,Ashford Children's Services,,,,Ashford;Narnia", `local_areas: no local area is called "Narnia"`},
	{"X8,phone@ashford.test,Nia,Phone,Ashford Children's Services,,call me maybe,,", "phone: Enter a phone number"},
	{"X9,mobile@ashford.test,Nia,Mobile,Ashford Children's Services,,,ring ring,", "mobile: Enter a phone number"},
	{"X10,bytes@ashford.test,Nia\xff,Bytes,Ashford Children's Services,,,,", "first_name: is not UTF-8 text"},
	{"X11,extra@ashford.test,Nia,Extra,Ashford Children's Services,,,,,surprise", "row: has more cells"},
	{strings.Repeat("x", 101) + ",long@ashford.test,Nia,Long,Ashford Children's Services,,,,", "external_id: "},
	{"X13,NEW.ONE@ashford.test,Nia,Again,Ashford Children's Services,,,,", "email: the same as row 2"},
	{"A-1,other@ashford.test,Nia,Twice,Ashford Children's Services,,,,", "external_id: the same as row 2"},
	{"X15,role@ashford.test,Nia,Role,Ashford Children's Services," + strings.Repeat("r", 300) + ",,,", "role: "},
}

// TestImportAgentsDryRunAndIdempotency: an agent file with a bad row of
// every kind among good ones; the dry run lists each problem by row and
// changes nothing; a real run writes nothing while the file has bad rows;
// one that skips them adds every good agent with their agency and areas,
// invited or not as asked, and leaves an existing agent as they are;
// running it again changes nothing and says so.
func TestImportAgentsDryRunAndIdempotency(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		old := w.MustAgent(t, "Olu Oldhand", w.Council, w.LocalA)
		var sb strings.Builder
		sb.WriteString(agentHeader)
		sb.WriteString("A-1,new.one@ashford.test,Nia,Newcomer,ashford children's services,Social worker,01234 567890,07700 900982,Ashford;bexley\n")
		const good = 64
		bad := 0
		for i := 1; i < good; i++ {
			if i%4 == 0 && bad < len(badAgentRows) {
				sb.WriteString(badAgentRows[bad].row + "\n")
				bad++
			}
			email := fmt.Sprintf("staff%d@ashford.test", i)
			if i == 7 {
				email = strings.ToUpper(old.Email) // an agent already: left as they are
			}
			fmt.Fprintf(&sb, "A%d,%s,Agent,Number%d,Safe Haven Domestic Abuse Service,Outreach worker,,,Bexley\n", i+1, email, i)
		}
		if bad != len(badAgentRows) {
			t.Fatalf("the file has %d bad rows of %d", bad, len(badAgentRows))
		}
		file := sb.String()
		ctx := sqldbtest.System()
		agents := func() int { return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agents`) }
		invitations := func() int {
			return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND payload LIKE '%account_invitation%'`, sqldb.JobAccountEmail)
		}
		before := agents()
		check := func(what string, rep *importer.Report) {
			t.Helper()
			if len(rep.Problems) != len(badAgentRows) {
				t.Fatalf("%s: %d problems, want %d:\n%v", what, len(rep.Problems), len(badAgentRows), rep.Problems)
			}
			for i, p := range rep.Problems {
				if got := p.String(); !strings.Contains(got, badAgentRows[i].want) || !strings.HasPrefix(got, fmt.Sprintf("row %d: ", p.Row)) {
					t.Errorf("%s: problem %d = %q, want it to say %q", what, i, got, badAgentRows[i].want)
				}
			}
		}
		dry, err := importer.ImportAgents(ctx, db, strings.NewReader(file), importer.Options{DryRun: true, Invite: true})
		if err != nil {
			t.Fatal(err)
		}
		check("dry run", dry)
		if dry.Rows != good+len(badAgentRows) || dry.Imported != good-1 || dry.Unchanged != 1 || !dry.Blocked {
			t.Fatalf("dry run: %d rows, %d to import, %d unchanged, blocked %v; want %d, %d, 1, true", dry.Rows, dry.Imported,
				dry.Unchanged, dry.Blocked, good+len(badAgentRows), good-1)
		}
		refused, err := importer.ImportAgents(ctx, db, strings.NewReader(file), importer.Options{Invite: true})
		if err != nil {
			t.Fatal(err)
		}
		check("refused", refused)
		if !refused.Rejected || agents() != before || invitations() != 0 {
			t.Fatalf("a file with bad rows: rejected %v, %d agents written, %d invitations; want true, 0, 0", refused.Rejected,
				agents()-before, invitations())
		}

		opt := importer.Options{SkipBadRows: true, Invite: true, BatchSize: 7}
		real, err := importer.ImportAgents(ctx, db, strings.NewReader(file), opt)
		if err != nil {
			t.Fatal(err)
		}
		check("import", real)
		if real.Imported != good-1 || real.Unchanged != 1 || agents() != before+good-1 {
			t.Fatalf("import: %d imported, %d unchanged, %d agents written; want %d, 1, %d", real.Imported, real.Unchanged,
				agents()-before, good-1, good-1)
		}
		if n := invitations(); n != good-1 {
			t.Errorf("%d invitations queued, want %d", n, good-1)
		}
		// The new agent is as the row said; the invitation's link works
		// for a week; the password is none until they choose one.
		var name, role, landline, mobile, hash string
		var agencyID int64
		if err := db.QueryRowForTest(`SELECT name, role, landline, mobile, agency_id, password_hash FROM agents WHERE email = 'new.one@ashford.test'`).
			Scan(&name, &role, &landline, &mobile, &agencyID, &hash); err != nil {
			t.Fatal(err)
		}
		if name != "Nia Newcomer" || role != "Social worker" || landline != "01234 567890" || mobile != "07700 900982" ||
			agencyID != w.Council.ID || hash != sqldb.ImportedPasswordHash {
			t.Errorf("imported agent: %q %q %q %q agency %d hash %q", name, role, landline, mobile, agencyID, hash)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agent_areas aa JOIN agents a ON a.id = aa.agent_id
			WHERE a.email = 'new.one@ashford.test' AND aa.area_id IN ($1, $2)`, w.LocalA.ID, w.LocalB.ID); n != 2 {
			t.Errorf("the imported agent has %d of their two areas", n)
		}
		var created, expires int64
		if err := db.QueryRowForTest(`SELECT r.created_at, r.expires_at FROM password_resets r JOIN agents a ON a.id = r.agent_id
			WHERE a.email = 'new.one@ashford.test'`).Scan(&created, &expires); err != nil {
			t.Fatal(err)
		}
		if d := time.Duration(expires-created) * time.Microsecond; d != sqldb.AccountInvitationTTL {
			t.Errorf("the invitation works for %v, want %v", d, sqldb.AccountInvitationTTL)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agents WHERE id = $1 AND name = 'Olu Oldhand'`, old.ID); n != 1 {
			t.Error("the existing agent was changed")
		}

		again, err := importer.ImportAgents(ctx, db, strings.NewReader(file), opt)
		if err != nil {
			t.Fatal(err)
		}
		check("second run", again)
		if again.Imported != 0 || again.Unchanged != good || agents() != before+good-1 || invitations() != good-1 {
			t.Fatalf("second run: %d imported, %d unchanged, %d agents, %d invitations; want 0, %d, %d, %d", again.Imported,
				again.Unchanged, agents()-before, invitations(), good, good-1, good-1)
		}

		// Without --invite nobody is emailed.
		quiet := agentHeader + "Q1,quiet@ashford.test,Quinn,Quiet,Ashford Children's Services,,,,\n"
		if rep, err := importer.ImportAgents(ctx, db, strings.NewReader(quiet), importer.Options{}); err != nil || rep.Imported != 1 {
			t.Fatalf("import without invitations: %+v, %v", rep, err)
		}
		if n := invitations(); n != good-1 {
			t.Errorf("an import without --invite queued %d invitations", n-(good-1))
		}
	})
}

// TestImportAgentsHeader: an agent file names its agents one way, or it
// cannot be read.
func TestImportAgentsHeader(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sqldbtest.MustWorld(t, db)
		for name, file := range map[string]string{
			"both":       "email,name,first_name,last_name,agency\n",
			"no name":    "email,agency\n",
			"first only": "email,first_name,agency\n",
			"no agency":  "email,name\n",
		} {
			_, err := importer.ImportAgents(sqldbtest.System(), db, strings.NewReader(file), importer.Options{})
			var fe *importer.FileError
			if !errors.As(err, &fe) {
				t.Errorf("%s: %v, want a FileError", name, err)
			}
		}
	})
}
