package sqldb_test

import (
	"context"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestAreaAdminReach: an area admin reaches the agents of their district
// and no other; another district's agent is ENOTFOUND exactly like a
// missing one, for every admin function, and refusals change nothing. A
// system admin reaches everyone.
func TestAreaAdminReach(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		south := w.MustElsewhere(t)
		north := w.MustAgent(t, "Nora North", w.Council, w.LocalA)
		southAgent := w.MustAgent(t, "Sam South", south.Agency, south.Local)
		northAdmin := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		svc := sqldb.NewAdminService(db)
		ctx := sqldbtest.As(northAdmin)

		list, total, err := svc.FindAdminAgents(ctx, patchwork.AgentFilter{})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, a := range list {
			names[a.Agent.Name] = true
		}
		if !names["Nora North"] || names["Sam South"] || total != len(list) {
			t.Fatalf("area admin's list = %v (total %d); want North's agents only", names, total)
		}
		for name, call := range map[string]func(id int64) error{
			"FindAdminAgent":  func(id int64) error { _, err := svc.FindAdminAgent(ctx, id); return err },
			"DeactivateAgent": func(id int64) error { return svc.DeactivateAgent(ctx, id) },
			"ReactivateAgent": func(id int64) error { return svc.ReactivateAgent(ctx, id) },
			"MoveAgent":       func(id int64) error { return svc.MoveAgent(ctx, id, w.Council.ID) },
		} {
			for _, id := range []int64{southAgent.ID, 999999} {
				if err := call(id); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
					t.Errorf("%s(%d) by another district's admin: %v, want ENOTFOUND", name, id, err)
				}
			}
		}
		// Moving one's own agent into another district's agency is no
		// way round either: the agency is not in reach.
		if err := svc.MoveAgent(ctx, north.ID, south.Agency.ID); patchwork.ErrorFields(err)["agency_id"] == "" {
			t.Errorf("move into another district's agency: %v, want a message for agency_id", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agents WHERE id = $1 AND active = 1 AND agency_id = $2`,
			southAgent.ID, south.Agency.ID); n != 1 {
			t.Fatal("a refused admin call changed the other district's agent")
		}
		// A system-admin-only function stays closed to an area admin.
		if err := svc.SetAdminDistricts(ctx, north.ID, []int64{w.District.ID}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("SetAdminDistricts by an area admin: %v, want ENOTFOUND", err)
		}
		if _, err := svc.FindAdminAgent(sqldbtest.As(sys), southAgent.ID); err != nil {
			t.Errorf("system admin: %v", err)
		}
		if _, _, err := svc.FindAdminAgents(sqldbtest.As(north), patchwork.AgentFilter{}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("an agent listing agents: %v, want ENOTFOUND", err)
		}
	})
}

// TestDeactivateAndReactivate: deactivation by an area admin ends the
// agent's sessions and memberships (reason "deactivated", the team told)
// and their sign-in; reactivation gives back the sign-in, not the teams.
// Each action is on the audit log.
func TestDeactivateAndReactivate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		leaver := w.MustAgent(t, "Lee Leaver", w.Council, w.LocalA)
		stayer := w.MustAgent(t, "Sue Stayer", w.Council, w.LocalA)
		admin := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		cl := w.MustClient(t, leaver, "Ada", "Accessor", "03/04/2012")
		w.MustJoin(t, stayer, cl)
		before := sqldbtest.CountNotifications(t, db, stayer.ID)
		agents := sqldb.NewAgentService(db)
		ctx := context.Background()
		if _, err := agents.Authenticate(ctx, leaver.Email, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		svc := sqldb.NewAdminService(db)
		if err := svc.DeactivateAgent(sqldbtest.As(admin), leaver.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := agents.FindCaller(ctx, leaver.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("a deactivated agent's session still loads: %v", err)
		}
		if _, err := agents.Authenticate(ctx, leaver.Email, sqldbtest.Password); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Errorf("a deactivated agent signs in: %v", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE agent_id = $1 AND left_at IS NOT NULL
			AND leave_reason = 'deactivated'`, leaver.ID); n != 1 {
			t.Errorf("memberships ended as deactivated = %d, want 1", n)
		}
		if after := sqldbtest.CountNotifications(t, db, stayer.ID); after != before+1 {
			t.Errorf("the team was not told: notifications %d → %d", before, after)
		}
		got, err := svc.FindAdminAgent(sqldbtest.As(admin), leaver.ID)
		if err != nil || got.Agent.Active || got.DeactivatedAt.IsZero() || got.LastSignIn.IsZero() {
			t.Fatalf("admin view after deactivation: %+v, %v", got, err)
		}
		list, _, err := svc.FindAdminAgents(sqldbtest.As(admin), patchwork.AgentFilter{Status: patchwork.AgentStatusDeactivated})
		if err != nil || len(list) != 1 || list[0].Agent.ID != leaver.ID {
			t.Fatalf("deactivated filter: %d agents, %v", len(list), err)
		}
		if err := svc.DeactivateAgent(sqldbtest.As(admin), leaver.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("deactivating twice: %v, want ENOTFOUND", err)
		}
		if err := svc.ReactivateAgent(sqldbtest.As(admin), leaver.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := agents.Authenticate(ctx, leaver.Email, sqldbtest.Password); err != nil {
			t.Errorf("a reactivated agent cannot sign in: %v", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE agent_id = $1 AND left_at IS NULL`, leaver.ID); n != 0 {
			t.Errorf("reactivation gave back %d memberships, want none", n)
		}
		for _, action := range []string{patchwork.AuditAgentDeact, patchwork.AuditAgentReact, patchwork.AuditAgentView, patchwork.AuditAgentList} {
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`, action, admin.ID); n == 0 {
				t.Errorf("no audit row %s by the admin", action)
			}
		}
	})
}

// TestFindAdminAgentsFilters: the people list filters by name or email,
// agency, area and status, and pages.
func TestFindAdminAgentsFilters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		w.MustAgent(t, "Ann Ashford", w.Council, w.LocalA)
		w.MustAgent(t, "Bob Bexley", w.Council, w.LocalB)
		w.MustAgent(t, "Cat Haven", w.Sensitive, w.LocalB)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		svc := sqldb.NewAdminService(db)
		ctx := sqldbtest.As(sys)
		for _, tc := range []struct {
			name string
			f    patchwork.AgentFilter
			want []string
		}{
			{"name", patchwork.AgentFilter{Query: "bexl"}, []string{"Bob Bexley"}},
			{"email", patchwork.AgentFilter{Query: "@safehaven"}, []string{"Cat Haven"}},
			{"wildcard is literal", patchwork.AgentFilter{Query: "%"}, nil},
			{"agency", patchwork.AgentFilter{AgencyID: w.Sensitive.ID}, []string{"Cat Haven"}},
			{"local area", patchwork.AgentFilter{AreaID: w.LocalB.ID}, []string{"Bob Bexley", "Cat Haven"}},
			{"district", patchwork.AgentFilter{AreaID: w.District.ID}, []string{"Ann Ashford", "Bob Bexley", "Cat Haven"}},
			{"page 2 of 1 a page", patchwork.AgentFilter{AreaID: w.District.ID, PerPage: 1, Page: 2}, []string{"Bob Bexley"}},
			{"active", patchwork.AgentFilter{Status: patchwork.AgentStatusActive, Query: "ann"}, []string{"Ann Ashford"}},
		} {
			list, total, err := svc.FindAdminAgents(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range list {
				got = append(got, a.Agent.Name)
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) || (tc.f.PerPage == 0 && total != len(got)) {
				t.Errorf("%s: %v (total %d), want %v", tc.name, got, total, tc.want)
			}
		}
	})
}
