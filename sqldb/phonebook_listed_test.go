package sqldb_test

import (
	"slices"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestPhoneBookListsActiveAgencies: the phone book lists approved, active
// agencies only. To a practitioner, and to an area admin outside the admin
// pages, an agency waiting for approval or suspended is as missing as one
// that never was: not in the list of agencies (nor the people filter's
// choice of agency), its page ENOTFOUND, its staff neither among the people
// nor found by the search box or when inviting a colleague, their pages
// ENOTFOUND — except an agent's own. A system admin is listed every agency.
// Once approved, the agency and its staff are listed to everyone.
func TestPhoneBookListsActiveAgencies(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		viewer := w.MustAgent(t, "Vera Viewer", w.Council, w.LocalA)
		areaAdmin := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		admin := sqldb.NewAgencyAdminService(db)
		hub := &patchwork.Agency{Name: "Quillfeather Youth Hub", Sector: "Youth services", EmailDomain: "quillhub.test",
			Areas: []*patchwork.Area{w.LocalA}, Status: patchwork.AgencyPending}
		if err := admin.CreateAdminAgency(sqldbtest.System(), hub); err != nil {
			t.Fatal(err)
		}
		hana := w.MustAgent(t, "Hana Quillfeather", hub, w.LocalA)
		shut := &patchwork.Agency{Name: "Quillfeather Closed Clinic", Sector: "Health", EmailDomain: "quillshut.test",
			Areas: []*patchwork.Area{w.LocalA}}
		if err := admin.CreateAdminAgency(sqldbtest.System(), shut); err != nil {
			t.Fatal(err)
		}
		w.MustAgent(t, "Sven Quillfeather", shut, w.LocalA)
		if _, err := admin.SuspendAgency(sqldbtest.System(), shut.ID); err != nil {
			t.Fatal(err)
		}
		client := w.MustClient(t, viewer, "Cara", "Client", "03/04/2012")
		agencies, agents := sqldb.NewAgencyService(db), sqldb.NewAgentService(db)
		search := sqldb.NewSearchService(db)
		invitations := sqldb.NewInvitationService(db, []byte("phone book secret"))

		listed := func(as *patchwork.Agent) (names []string) {
			t.Helper()
			gs, err := agencies.FindAgencies(sqldbtest.As(as))
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range gs {
				names = append(names, g.Name)
			}
			// The phone book's paged list lists the same agencies.
			page, total, err := agencies.FindListedAgencies(sqldbtest.As(as), patchwork.AgencyListFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var paged []string
			for _, g := range page {
				paged = append(paged, g.Name)
			}
			if !slices.Equal(slices.Sorted(slices.Values(paged)), slices.Sorted(slices.Values(names))) || total != len(names) {
				t.Errorf("%s: the paged list has %v (%d in all), the whole list %v", as.Name, paged, total, names)
			}
			return names
		}
		people := func(as *patchwork.Agent, f patchwork.PhoneBookFilter) (names []string, total int) {
			t.Helper()
			got, total, err := agents.FindAgents(sqldbtest.As(as), f)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range got {
				names = append(names, a.Name)
			}
			return names, total
		}
		found := func(as *patchwork.Agent) (names []string) {
			t.Helper()
			res, err := search.Search(sqldbtest.As(as), patchwork.SearchQuery{Text: "Quillfeather"})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range res.Agents {
				names = append(names, a.Name)
			}
			for _, g := range res.Agencies {
				names = append(names, g.Name)
			}
			return names
		}
		missing := func(what string, err error) {
			t.Helper()
			if patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("%s: %v, want ENOTFOUND as for a missing record", what, err)
			}
		}

		for _, who := range []*patchwork.Agent{viewer, areaAdmin} {
			ctx := sqldbtest.As(who)
			if names := listed(who); slices.Contains(names, hub.Name) || slices.Contains(names, shut.Name) || !slices.Contains(names, w.Council.Name) {
				t.Errorf("%s: agencies listed %v", who.Name, names)
			}
			_, err := agencies.FindAgencyByID(ctx, hub.ID)
			missing(who.Name+": the pending agency", err)
			_, err = agencies.FindAgencyByID(ctx, shut.ID)
			missing(who.Name+": the suspended agency", err)
			if names, _ := people(who, patchwork.PhoneBookFilter{Name: "Quillfeather"}); len(names) != 0 {
				t.Errorf("%s: people named Quillfeather %v", who.Name, names)
			}
			if names, total := people(who, patchwork.PhoneBookFilter{AgencyID: hub.ID}); len(names) != 0 || total != 0 {
				t.Errorf("%s: the pending agency's people %v (%d)", who.Name, names, total)
			}
			_, err = agents.FindAgentByID(ctx, hana.ID)
			missing(who.Name+": the pending agency's agent", err)
			if names := found(who); len(names) != 0 {
				t.Errorf("%s: the search box found %v", who.Name, names)
			}
		}
		if got, err := invitations.FindInvitees(sqldbtest.As(viewer), client.ID, "Quillfeather"); err != nil || len(got) != 0 {
			t.Errorf("colleagues to invite: %d, %v; want none of the unlisted agencies", len(got), err)
		}
		// An agent still sees themself.
		if me, err := agents.FindAgentByID(sqldbtest.As(hana), hana.ID); err != nil || me.ID != hana.ID {
			t.Errorf("the pending agency's agent on their own page: %v", err)
		}

		// A system admin is listed everything.
		if names := listed(sys); !slices.Contains(names, hub.Name) || !slices.Contains(names, shut.Name) {
			t.Errorf("system admin: agencies listed %v", names)
		}
		if _, err := agencies.FindAgencyByID(sqldbtest.As(sys), hub.ID); err != nil {
			t.Errorf("system admin: the pending agency: %v", err)
		}
		if names, _ := people(sys, patchwork.PhoneBookFilter{Name: "Quillfeather"}); !slices.Equal(names, []string{hana.Name}) {
			t.Errorf("system admin: people named Quillfeather %v, want the pending agency's active agent", names)
		}
		if names := found(sys); !slices.Contains(names, hana.Name) || !slices.Contains(names, hub.Name) {
			t.Errorf("system admin: the search box found %v", names)
		}

		// Approved, the agency and its staff are in the phone book.
		if err := admin.ApproveAgency(sqldbtest.System(), hub.ID); err != nil {
			t.Fatal(err)
		}
		if names := listed(viewer); !slices.Contains(names, hub.Name) || slices.Contains(names, shut.Name) {
			t.Errorf("after approval: agencies listed %v", names)
		}
		if _, err := agencies.FindAgencyByID(sqldbtest.As(viewer), hub.ID); err != nil {
			t.Errorf("after approval: the agency: %v", err)
		}
		if _, err := agents.FindAgentByID(sqldbtest.As(viewer), hana.ID); err != nil {
			t.Errorf("after approval: its agent: %v", err)
		}
		if names, total := people(viewer, patchwork.PhoneBookFilter{AgencyID: hub.ID}); !slices.Equal(names, []string{hana.Name}) || total != 1 {
			t.Errorf("after approval: the agency's people %v (%d)", names, total)
		}
		if names := found(viewer); !slices.Contains(names, hana.Name) || !slices.Contains(names, hub.Name) || slices.Contains(names, shut.Name) {
			t.Errorf("after approval: the search box found %v", names)
		}
		if got, err := invitations.FindInvitees(sqldbtest.As(viewer), client.ID, "Quillfeather"); err != nil || len(got) != 1 {
			t.Errorf("after approval: colleagues to invite: %d, %v; want the agency's agent", len(got), err)
		}
	})
}

// TestFindListedAgencies: the phone book's agencies a page at a time,
// filtered by a part of the name and by sector, ordered by the name the
// caller sees. A sensitive agency is found, and placed, by its generic
// label only — its name finds nothing and its place does not betray it —
// except to its own staff and to admins, who see its name.
func TestFindListedAgencies(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		viewer := w.MustAgent(t, "Vera Viewer", w.Council, w.LocalA)
		staff := w.MustAgent(t, "Sam Haven", w.Sensitive, w.LocalA)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		agencies := sqldb.NewAgencyService(db)
		for _, name := range []string{"Zeta Youth Club", "Beta School", "Delta Surgery", "Alpha Academy"} {
			sector := "Education"
			if name == "Delta Surgery" {
				sector = "Health"
			}
			g := &patchwork.Agency{Name: name, Sector: sector, EmailDomain: strings.ToLower(strings.Fields(name)[0]) + ".test"}
			if err := agencies.CreateAgency(sqldbtest.System(), g); err != nil {
				t.Fatal(err)
			}
		}
		list := func(as *patchwork.Agent, f patchwork.AgencyListFilter) (names []string, total int) {
			t.Helper()
			got, total, err := agencies.FindListedAgencies(sqldbtest.As(as), f)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range got {
				names = append(names, g.Name)
			}
			return names, total
		}
		for _, tc := range []struct {
			name  string
			as    *patchwork.Agent
			f     patchwork.AgencyListFilter
			want  []string
			total int
		}{
			// "Safe Haven…" would sort between Delta and Zeta; "Support
			// service" sorts after Delta too, so the label's place is shown
			// by a filter of its own below.
			{"all, by the name seen", viewer, patchwork.AgencyListFilter{},
				[]string{"Alpha Academy", "Ashford Children's Services", "Beta School", "Delta Surgery", "Support service", "Zeta Youth Club"}, 6},
			{"a page", viewer, patchwork.AgencyListFilter{Offset: 2, Limit: 2}, []string{"Beta School", "Delta Surgery"}, 6},
			{"past the end", viewer, patchwork.AgencyListFilter{Offset: 6, Limit: 2}, nil, 6},
			{"part of the name, any case", viewer, patchwork.AgencyListFilter{Name: "ETA"}, []string{"Beta School", "Zeta Youth Club"}, 2},
			{"sector", viewer, patchwork.AgencyListFilter{Sector: "Health"}, []string{"Delta Surgery"}, 1},
			{"name and sector", viewer, patchwork.AgencyListFilter{Name: "a", Sector: "Education"},
				[]string{"Alpha Academy", "Beta School", "Zeta Youth Club"}, 3},
			{"wildcards are literal", viewer, patchwork.AgencyListFilter{Name: "%"}, nil, 0},
			{"a sensitive agency's name finds nothing", viewer, patchwork.AgencyListFilter{Name: "haven"}, nil, 0},
			{"its label finds it", viewer, patchwork.AgencyListFilter{Name: "support"}, []string{"Support service"}, 1},
			{"its staff find it by name", staff, patchwork.AgencyListFilter{Name: "haven"}, []string{w.Sensitive.Name}, 1},
			{"its staff see it in its place", staff, patchwork.AgencyListFilter{Offset: 4, Limit: 2},
				[]string{w.Sensitive.Name, "Zeta Youth Club"}, 6},
			{"an admin finds it by name", sys, patchwork.AgencyListFilter{Name: "haven"}, []string{w.Sensitive.Name}, 1},
		} {
			if names, total := list(tc.as, tc.f); !slices.Equal(names, tc.want) || total != tc.total {
				t.Errorf("%s: %v (%d in all), want %v (%d)", tc.name, names, total, tc.want, tc.total)
			}
		}
		// The label sorts where the label would, not where the name would:
		// a label after the name's place moves the agency after Zeta.
		if _, err := db.ExecForTest(`UPDATE agencies SET generic_label = 'Zz support' WHERE id = $1`, w.Sensitive.ID); err != nil {
			t.Fatal(err)
		}
		if names, _ := list(viewer, patchwork.AgencyListFilter{Offset: 4, Limit: 2}); !slices.Equal(names, []string{"Zeta Youth Club", "Zz support"}) {
			t.Errorf("after a new label: %v, want the label last", names)
		}
	})
}
