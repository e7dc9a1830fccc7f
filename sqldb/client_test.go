package sqldb_test

import (
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func TestClientProfileAccess(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		alice := w.MustAgent(t, "Alice Able", w.Council, w.LocalA)
		bob := w.MustAgent(t, "Bob Baker", w.Council, w.LocalA)
		cl := w.MustClient(t, alice, "Jamie", "Smith", "2012-03-27", "Jay Smith")
		svc := sqldb.NewClientService(db)

		p, err := svc.FindClientProfile(sqldbtest.As(alice), cl.ID)
		if err != nil {
			t.Fatalf("member view: %v", err)
		}
		if p.Client.Name() != "Jamie Smith" || len(p.Team) != 1 || p.Team[0].Agent.ID != alice.ID {
			t.Fatalf("profile = %+v, team %d", p.Client, len(p.Team))
		}
		if len(p.Client.Aliases) != 1 || p.Client.Aliases[0] != "Jay Smith" {
			t.Fatalf("aliases = %v", p.Client.Aliases)
		}
		if len(p.Activity) != 1 || p.Activity[0].Kind != patchwork.ActivityClientCreated {
			t.Fatalf("activity = %+v", p.Activity)
		}

		// A non-member, a deactivated agent, a missing caller and a missing
		// client all get the same ENOTFOUND.
		if _, err := svc.FindClientProfile(sqldbtest.As(bob), cl.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("non-member: %v", err)
		}
		if _, err := svc.FindClientProfile(sqldbtest.As(alice), cl.ID+1000); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("missing client: %v", err)
		}
		if _, err := svc.FindClientProfile(sqldbtest.As(nil), cl.ID); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("no caller: %v", err)
		}
		inactive := *alice
		inactive.Active = false
		if _, err := svc.FindClientProfile(sqldbtest.As(&inactive), cl.ID); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("inactive caller: %v", err)
		}

		// Joining makes Bob a member and tells Alice.
		if err := svc.JoinTeam(sqldbtest.As(bob), cl.ID, patchwork.JoinRequest{Ticket: sqldbtest.MustTicket(t, db, bob, cl.ID),
			Basis: patchwork.BasisSafeguarding}); patchwork.ErrorCode(err) != patchwork.EINVALID {
			t.Fatalf("join without declaration: %v", err)
		}
		w.MustJoin(t, bob, cl)
		if err := svc.JoinTeam(sqldbtest.As(bob), cl.ID, patchwork.JoinRequest{Ticket: sqldbtest.MustTicket(t, db, bob, cl.ID),
			Declaration: true, Basis: patchwork.BasisConsent}); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Fatalf("second join: %v", err)
		}
		p, err = svc.FindClientProfile(sqldbtest.As(bob), cl.ID)
		if err != nil || len(p.Team) != 2 {
			t.Fatalf("bob after join: %v, team %d", err, len(p.Team))
		}
		if n := sqldbtest.CountNotifications(t, db, alice.ID); n != 1 {
			t.Fatalf("alice notifications = %d, want 1", n)
		}
		if n := sqldbtest.CountNotifications(t, db, bob.ID); n != 0 {
			t.Fatalf("bob notified of his own join: %d", n)
		}

		// Leaving removes access at once.
		if err := svc.LeaveTeam(sqldbtest.As(bob), cl.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.FindClientProfile(sqldbtest.As(bob), cl.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("after leave: %v", err)
		}
		if err := svc.LeaveTeam(sqldbtest.As(bob), cl.ID, patchwork.LeaveRequest{Reason: "case_closed"}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("leave twice: %v", err)
		}
		if n, err := sqldb.NewAuditService(db).VerifyAudit(sqldbtest.System()); err != nil || n == 0 {
			t.Fatalf("audit verify: %d rows, %v", n, err)
		}
	})
}
