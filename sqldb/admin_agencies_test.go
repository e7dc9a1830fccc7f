package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestAgencyAdminReach: an area admin reaches the agencies with a local
// area in their districts and no other; another district's agency is
// ENOTFOUND exactly like a missing one for every function, and refusals
// change nothing. An agent is no admin at all; a system admin reaches all.
func TestAgencyAdminReach(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		south := w.MustElsewhere(t)
		w.MustAgent(t, "Sam South", south.Agency, south.Local)
		northAdmin := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		agent := w.MustAgent(t, "Nell Nonadmin", w.Council, w.LocalA)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		svc := sqldb.NewAgencyAdminService(db)
		ctx := sqldbtest.As(northAdmin)

		list, total, err := svc.FindAgencyList(ctx, patchwork.AgencyFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(list) != 1 || list[0].Agency.ID != w.Council.ID {
			t.Fatalf("area admin's list: %d of %d, want the Council alone (Safe Haven has no area, Croydon is South's)", len(list), total)
		}
		good := func() *patchwork.Agency {
			return &patchwork.Agency{Name: "Renamed", Sector: "Other", Areas: []*patchwork.Area{w.LocalA}}
		}
		calls := map[string]func(ctx context.Context, id int64) error{
			"FindAdminAgency": func(ctx context.Context, id int64) error { _, err := svc.FindAdminAgency(ctx, id); return err },
			"UpdateAgency":    func(ctx context.Context, id int64) error { return svc.UpdateAgency(ctx, id, good()) },
			"UpdateAgency with mistakes": func(ctx context.Context, id int64) error {
				return svc.UpdateAgency(ctx, id, &patchwork.Agency{Sector: "Nonsense"})
			},
			"ApproveAgency":   func(ctx context.Context, id int64) error { return svc.ApproveAgency(ctx, id) },
			"SuspendAgency":   func(ctx context.Context, id int64) error { _, err := svc.SuspendAgency(ctx, id); return err },
			"UnsuspendAgency": func(ctx context.Context, id int64) error { _, err := svc.UnsuspendAgency(ctx, id); return err },
		}
		for name, call := range calls {
			for _, id := range []int64{south.Agency.ID, w.Sensitive.ID, 999999} {
				if err := call(ctx, id); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
					t.Errorf("%s(%d) by another district's admin: %v, want ENOTFOUND", name, id, err)
				}
			}
			if err := call(sqldbtest.As(agent), w.Council.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("%s by an agent: %v, want ENOTFOUND", name, err)
			}
			if err := call(context.Background(), w.Council.ID); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
				t.Errorf("%s with no caller: %v, want EUNAUTHORIZED", name, err)
			}
		}
		if _, _, err := svc.FindAgencyList(sqldbtest.As(agent), patchwork.AgencyFilter{}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("an agent listing agencies: %v, want ENOTFOUND", err)
		}
		if err := svc.CreateAdminAgency(sqldbtest.As(agent), good()); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("an agent creating an agency: %v, want ENOTFOUND", err)
		}
		// An area admin creates only in their districts.
		out := &patchwork.Agency{Name: "Croydon Youth", Sector: "Youth services", Areas: []*patchwork.Area{south.Local}}
		if f := patchwork.ErrorFields(svc.CreateAdminAgency(ctx, out)); f["areas"] == "" {
			t.Errorf("an agency in another district: %v, want a message for areas", f)
		}
		if f := patchwork.ErrorFields(svc.CreateAdminAgency(ctx, &patchwork.Agency{Name: "Nowhere", Sector: "Other"})); f["areas"] == "" {
			t.Errorf("an area admin's agency without areas: %v, want a message for areas", f)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agencies WHERE name IN ('Renamed', 'Croydon Youth', 'Nowhere')
			OR status <> 'active'`); n != 0 {
			t.Fatalf("a refused call changed %d agencies", n)
		}
		// A system admin reaches the network-wide and other districts' agencies.
		for _, id := range []int64{south.Agency.ID, w.Sensitive.ID} {
			if _, err := svc.FindAdminAgency(sqldbtest.As(sys), id); err != nil {
				t.Errorf("system admin: %v", err)
			}
		}
		if _, total, _ := svc.FindAgencyList(sqldbtest.As(sys), patchwork.AgencyFilter{}); total != 3 {
			t.Errorf("system admin's list: %d agencies, want 3", total)
		}
	})
}

// TestCreateEditAndApproveAgency: an area admin adds a pending agency in
// their district with its sign-up domains; it takes no sign-ups until it is
// approved. An edit changes every field, replaces the domains, keeps
// another district's areas out of an area admin's change, and re-indexes
// the phone book. Bad input changes nothing and says which field. Each
// action is on the audit log.
func TestCreateEditAndApproveAgency(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		south := w.MustElsewhere(t)
		admin := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		svc := sqldb.NewAgencyAdminService(db)
		ctx := sqldbtest.As(admin)

		for _, tc := range []struct {
			name  string
			g     *patchwork.Agency
			field string
		}{
			{"no name", &patchwork.Agency{Sector: "Other", Areas: []*patchwork.Area{w.LocalA}}, "name"},
			{"unknown sector", &patchwork.Agency{Name: "X", Sector: "Space", Areas: []*patchwork.Area{w.LocalA}}, "sector"},
			{"a district is no local area", &patchwork.Agency{Name: "X", Sector: "Other", Areas: []*patchwork.Area{w.District}}, "areas"},
			{"sensitive without a label", &patchwork.Agency{Name: "X", Sector: "Charity", Sensitive: true, Areas: []*patchwork.Area{w.LocalA}}, "generic_label"},
			{"a bad domain", &patchwork.Agency{Name: "X", Sector: "Other", Domains: []string{"not a domain"}, Areas: []*patchwork.Area{w.LocalA}}, "domains"},
			{"a taken name", &patchwork.Agency{Name: "ashford children's SERVICES", Sector: "Other", Areas: []*patchwork.Area{w.LocalA}}, "name"},
			{"an unknown status", &patchwork.Agency{Name: "X", Sector: "Other", Status: "suspended", Areas: []*patchwork.Area{w.LocalA}}, "status"},
		} {
			if f := patchwork.ErrorFields(svc.CreateAdminAgency(ctx, tc.g)); f[tc.field] == "" {
				t.Errorf("%s: %v, want a message for %s", tc.name, f, tc.field)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agencies`); n != 3 {
			t.Fatalf("bad input added agencies: %d, want 3", n)
		}

		g := &patchwork.Agency{Name: "Ashford Youth Hub", Sector: "youth services", EmailDomain: "ashfordyouth.test",
			Domains: []string{"Hub.Example.org", "hub.example.org"}, Areas: []*patchwork.Area{w.LocalA}, Status: patchwork.AgencyPending}
		if err := svc.CreateAdminAgency(ctx, g); err != nil {
			t.Fatal(err)
		}
		got, err := svc.FindAdminAgency(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Agency.Status != patchwork.AgencyPending || got.Agency.Sector != "Youth services" ||
			strings.Join(got.Agency.Domains, ",") != "ashfordyouth.test,hub.example.org" || len(got.Agency.Areas) != 1 {
			t.Fatalf("created: %+v domains %v", got.Agency, got.Agency.Domains)
		}
		// Pending: no sign-up offers it.
		if n := countSignupAgencies(t, db, "new.person@hub.example.org"); n != 0 {
			t.Errorf("a pending agency is offered at sign-up (%d agencies)", n)
		}
		// Nor can an access request be approved for it.
		if _, err := db.ExecForTest(`INSERT INTO access_requests (email, agency_name, manager_name, manager_email, reason, created_at)
			VALUES ('asker@elsewhere.test', 'Hub', 'Max Manager', 'max@elsewhere.test', 'New starter', 1)`); err != nil {
			t.Fatal(err)
		}
		reqID := int64(sqldbtest.MustCount(t, db, `SELECT MAX(id) FROM access_requests`))
		access := sqldb.NewSignupService(db, resetSecret)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		if err := access.ApproveAccessRequest(sqldbtest.As(sys), reqID, g.ID, true); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Errorf("an access request approved for a pending agency: %v, want ECONFLICT", err)
		}
		if err := svc.ApproveAgency(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.ApproveAgency(ctx, g.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Errorf("approving twice: %v, want ECONFLICT", err)
		}
		if n := countSignupAgencies(t, db, "new.person@hub.example.org"); n != 1 {
			t.Errorf("an approved agency is not offered at sign-up (%d agencies)", n)
		}
		if err := access.ApproveAccessRequest(sqldbtest.As(sys), reqID, g.ID, false); err != nil {
			t.Errorf("an access request for the approved agency: %v", err)
		}

		// A system admin adds a South area; the North admin's edit keeps it.
		if _, err := db.ExecForTest(`INSERT INTO agency_areas (agency_id, area_id) VALUES ($1, $2)`, g.ID, south.Local.ID); err != nil {
			t.Fatal(err)
		}
		upd := &patchwork.Agency{Name: "Bexley Youth Hub", Sector: "Charity", Phone: "01234 111222", Email: "hello@bexleyhub.test",
			Address: "2 High Street", Sensitive: true, GenericLabel: "Youth support", ContactRoute: "Ask the duty worker",
			GenericEmail: "duty@youthline.test", GenericPhone: "0800 111 222", PublishDirect: true, EmailDomain: "bexleyhub.test",
			Domains: []string{"bexleyhub.test"}, Areas: []*patchwork.Area{w.LocalB}}
		bad := *upd
		bad.GenericEmail = "duty@bexleyhub.test"
		if f := patchwork.ErrorFields(svc.UpdateAgency(ctx, g.ID, &bad)); f["generic_email"] == "" {
			t.Errorf("a generic mailbox at the own domain: %v", f)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agencies WHERE id = $1 AND name = 'Ashford Youth Hub'`, g.ID); n != 1 {
			t.Fatal("a refused edit changed the agency")
		}
		if err := svc.UpdateAgency(ctx, g.ID, upd); err != nil {
			t.Fatal(err)
		}
		got, err = svc.FindAdminAgency(sqldbtest.As(sys), g.ID)
		if err != nil {
			t.Fatal(err)
		}
		a := got.Agency
		var areas []string
		for _, r := range a.Areas {
			areas = append(areas, r.Name)
		}
		if a.Name != "Bexley Youth Hub" || a.Sector != "Charity" || a.Phone != "01234 111222" || !a.Sensitive || a.GenericLabel != "Youth support" ||
			a.ContactRoute != "Ask the duty worker" || a.GenericEmail != "duty@youthline.test" || !a.PublishDirect ||
			a.EmailDomain != "bexleyhub.test" || strings.Join(a.Domains, ",") != "bexleyhub.test" ||
			strings.Join(areas, ",") != "Bexley,Croydon" || a.Status != patchwork.AgencyActive {
			t.Fatalf("after the edit: %+v areas %v domains %v", a, areas, a.Domains)
		}
		// The phone book finds it by its label, and its name only privately.
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agency_words WHERE agency_id = $1 AND word = 'hub' AND private = 1`, g.ID); n != 1 {
			t.Errorf("the new name is not indexed as private (%d rows)", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agency_words WHERE agency_id = $1 AND word = 'ashford'`, g.ID); n != 0 {
			t.Errorf("the old name is still indexed")
		}
		for _, action := range []string{patchwork.AuditAgencyCreate, patchwork.AuditAgencyApprove, patchwork.AuditAgencyUpdate,
			patchwork.AuditAgencyView} {
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`, action, admin.ID); n == 0 {
				t.Errorf("no audit row %s by the admin", action)
			}
		}
	})
}

// countSignupAgencies starts a sign-up for addr and returns how many
// agencies its link offers.
func countSignupAgencies(t *testing.T, db *sqldb.DB, addr string) int {
	t.Helper()
	svc := sqldb.NewSignupService(db, resetSecret)
	token, err := svc.BeginVerifiedSignup(context.Background(), addr, "")
	if err != nil {
		t.Fatal(err)
	}
	su, err := svc.FindSignup(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return len(su.Agencies)
}

// TestSuspendAgency: suspending an agency deactivates its active agents
// (signed out, off their teams, each team told) and no one else's; it takes
// no sign-ups meanwhile, and its agents cannot be let back in one by one.
// Lifting it reactivates exactly the agents the suspension deactivated,
// not one deactivated on their own before, and puts them back on the teams
// it took them off, each team told. An admin cannot suspend their own
// agency.
func TestSuspendAgency(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		admin := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		svc := sqldb.NewAgencyAdminService(db)
		ctx := sqldbtest.As(admin)
		hub := &patchwork.Agency{Name: "Ashford Youth Hub", Sector: "Youth services", EmailDomain: "hub.test", Areas: []*patchwork.Area{w.LocalA}}
		if err := svc.CreateAdminAgency(ctx, hub); err != nil {
			t.Fatal(err)
		}
		worker := w.MustAgent(t, "Wren Worker", hub, w.LocalA)
		earlier := w.MustAgent(t, "Ezra Earlier", hub, w.LocalA)
		colleague := w.MustAgent(t, "Cody Colleague", w.Council, w.LocalA)
		cl := w.MustClient(t, colleague, "Ada", "Accessor", "03/04/2012")
		w.MustJoin(t, worker, cl)
		w.MustJoin(t, earlier, cl)
		if err := sqldb.NewAdminService(db).DeactivateAgent(ctx, earlier.ID); err != nil {
			t.Fatal(err)
		}
		before := sqldbtest.CountNotifications(t, db, colleague.ID)

		if _, err := svc.SuspendAgency(ctx, w.Council.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Errorf("suspending one's own agency: %v, want ECONFLICT", err)
		}
		n, err := svc.SuspendAgency(ctx, hub.ID)
		if err != nil || n != 1 {
			t.Fatalf("suspend: %d agents, %v; want 1", n, err)
		}
		agents := sqldb.NewAgentService(db)
		if _, err := agents.FindCaller(context.Background(), worker.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("a suspended agency's agent still loads: %v", err)
		}
		if _, err := agents.Authenticate(context.Background(), worker.Email, sqldbtest.Password); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Errorf("a suspended agency's agent signs in: %v", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE agent_id = $1 AND left_at IS NOT NULL
			AND leave_reason = $2`, worker.ID, patchwork.LeaveAgencySuspended); n != 1 {
			t.Errorf("memberships ended by the suspension = %d, want 1", n)
		}
		if after := sqldbtest.CountNotifications(t, db, colleague.ID); after != before+1 {
			t.Errorf("the team was not told: notifications %d → %d", before, after)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agents WHERE id = $1 AND active = 1`, colleague.ID); n != 1 {
			t.Error("another agency's agent was deactivated")
		}
		if n := countSignupAgencies(t, db, "someone@hub.test"); n != 0 {
			t.Error("a suspended agency takes sign-ups")
		}
		if err := sqldb.NewAdminService(db).ReactivateAgent(ctx, worker.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Errorf("reactivating an agent of a suspended agency: %v, want ECONFLICT", err)
		}
		if f := patchwork.ErrorFields(sqldb.NewAdminService(db).MoveAgent(ctx, colleague.ID, hub.ID)); f["agency_id"] == "" {
			t.Errorf("moving an agent into a suspended agency: %v", f)
		}
		if _, err := svc.SuspendAgency(ctx, hub.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Errorf("suspending twice: %v, want ECONFLICT", err)
		}
		got, err := svc.FindAdminAgency(ctx, hub.ID)
		if err != nil || got.Agency.Status != patchwork.AgencySuspended || got.Suspended != 1 || got.Agents != 0 {
			t.Fatalf("suspended agency: %+v, %v", got, err)
		}

		n, err = svc.UnsuspendAgency(ctx, hub.ID)
		if err != nil || n != 1 {
			t.Fatalf("unsuspend: %d agents, %v; want 1", n, err)
		}
		if _, err := agents.Authenticate(context.Background(), worker.Email, sqldbtest.Password); err != nil {
			t.Errorf("the suspension's agent cannot sign in again: %v", err)
		}
		if _, err := agents.Authenticate(context.Background(), earlier.Email, sqldbtest.Password); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Errorf("an agent deactivated before the suspension was let in: %v", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agency_suspended_agents`); n != 0 {
			t.Errorf("%d suspension rows left behind", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND left_at IS NULL`, cl.ID); n != 2 {
			t.Errorf("current members after lifting = %d, want the colleague and the suspension's agent", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE agent_id = $1 AND left_at IS NULL`, earlier.ID); n != 0 {
			t.Error("the agent deactivated before the suspension is back on a team")
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND agent_id = $2 AND kind = $3 AND detail = $4`,
			cl.ID, worker.ID, patchwork.ActivityMemberJoined, patchwork.JoinedAgencyRestored); n != 1 {
			t.Errorf("restored-membership activities = %d, want 1", n)
		}
		if after := sqldbtest.CountNotifications(t, db, colleague.ID); after != before+2 {
			t.Errorf("the team was not told of the return: notifications %d → %d", before, after)
		}
		if _, err := svc.UnsuspendAgency(ctx, hub.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Errorf("lifting twice: %v, want ECONFLICT", err)
		}
		for _, action := range []string{patchwork.AuditAgencySuspend, patchwork.AuditAgencyUnsuspend} {
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`, action, admin.ID); n != 1 {
				t.Errorf("audit rows %s by the admin = %d, want 1", action, n)
			}
		}
	})
}

// TestAgencyListFilters: the agency list filters by name, sector, area and
// status, and pages; the export holds every match.
func TestAgencyListFilters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		svc := sqldb.NewAgencyAdminService(db)
		ctx := sqldbtest.As(sys)
		for _, g := range []*patchwork.Agency{
			{Name: "Bexley Academy", Sector: "Education", Areas: []*patchwork.Area{w.LocalB}},
			{Name: "Bexley Clinic", Sector: "Health", Areas: []*patchwork.Area{w.LocalB}, Status: patchwork.AgencyPending},
		} {
			if err := svc.CreateAdminAgency(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name string
			f    patchwork.AgencyFilter
			want []string
		}{
			{"name", patchwork.AgencyFilter{Query: "bexl"}, []string{"Bexley Academy", "Bexley Clinic"}},
			{"wildcard is literal", patchwork.AgencyFilter{Query: "%"}, nil},
			{"sector", patchwork.AgencyFilter{Sector: "Health"}, []string{"Bexley Clinic"}},
			{"local area", patchwork.AgencyFilter{AreaID: w.LocalA.ID}, []string{"Ashford Children's Services"}},
			{"district", patchwork.AgencyFilter{AreaID: w.District.ID}, []string{"Ashford Children's Services", "Bexley Academy", "Bexley Clinic"}},
			{"pending", patchwork.AgencyFilter{Status: patchwork.AgencyPending}, []string{"Bexley Clinic"}},
			{"page 2 of 1 a page", patchwork.AgencyFilter{Query: "bexley", PerPage: 1, Page: 2}, []string{"Bexley Clinic"}},
			{"export", patchwork.AgencyFilter{PerPage: -1}, []string{"Ashford Children's Services", "Bexley Academy", "Bexley Clinic",
				"Safe Haven Domestic Abuse Service"}},
		} {
			list, total, err := svc.FindAgencyList(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range list {
				got = append(got, a.Agency.Name)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || (tc.f.PerPage <= 0 && total != len(got)) {
				t.Errorf("%s: %v (total %d), want %v", tc.name, got, total, tc.want)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditAgencyExport); n != 1 {
			t.Errorf("export audit rows = %d, want 1", n)
		}
	})
}
