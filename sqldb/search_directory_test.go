package sqldb_test

import (
	"fmt"
	"slices"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestSearchDirectory covers finding agents and agencies from the search
// box: by name, role, agency, sector and area, typo-tolerant, and never by
// what a sensitive agent or agency keeps from outsiders.
func TestSearchDirectory(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		viewer := w.MustAgent(t, "Vera Viewer", w.Council, w.LocalA)
		priya := w.MustAgent(t, "Priya Okafor", w.Council, w.LocalB)
		hidden := mustSensitiveAgent(t, db, w, "Domestic abuse outreach worker", w.LocalA)
		colleague := w.MustAgent(t, "Cora Colleague", w.Sensitive)
		admin := &patchwork.Agent{Email: "admin@ashford.test", Name: "Ada Admin", AgencyID: w.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		gone := w.MustAgent(t, "Gus Gone", w.Council)
		if err := sqldb.NewAgentService(db).DeactivateAgent(sqldbtest.As(admin), gone.ID); err != nil {
			t.Fatal(err)
		}
		svc := sqldb.NewSearchService(db)
		agentIDs := func(res *patchwork.SearchResults) []int64 {
			var ids []int64
			for _, a := range res.Agents {
				ids = append(ids, a.ID)
			}
			return ids
		}
		agencyIDs := func(res *patchwork.SearchResults) []int64 {
			var ids []int64
			for _, g := range res.Agencies {
				ids = append(ids, g.ID)
			}
			return ids
		}
		for _, tc := range []struct {
			name       string
			as         *patchwork.Agent
			q          string
			agents     []int64 // must all be found
			notAgents  []int64 // must not be found
			agencies   []int64
			noAgencies []int64
		}{
			{name: "full name", as: viewer, q: "Priya Okafor", agents: []int64{priya.ID}},
			{name: "name prefixes in any order", as: viewer, q: "oka pri", agents: []int64{priya.ID}},
			{name: "misspelt name", as: viewer, q: "Pria Okafer", agents: []int64{priya.ID}},
			{name: "misspelt first name", as: viewer, q: "Prya Okafor", agents: []int64{priya.ID}},
			{name: "misspelt agency", as: viewer, q: "Ashferd Childrens", agencies: []int64{w.Council.ID}, agents: []int64{priya.ID}},
			{name: "misspelt sensitive agency name stays hidden", as: viewer, q: "Safe Havon",
				notAgents: []int64{hidden.ID, colleague.ID}, noAgencies: []int64{w.Sensitive.ID}},
			{name: "no near word finds nobody", as: viewer, q: "Zzyzx", notAgents: []int64{priya.ID, viewer.ID}},
			{name: "name and area", as: viewer, q: "priya bexley", agents: []int64{priya.ID}},
			{name: "area alone", as: viewer, q: "Bexley", agents: []int64{priya.ID}, notAgents: []int64{viewer.ID}},
			{name: "role", as: viewer, q: "social worker", agents: []int64{priya.ID, viewer.ID}},
			{name: "agency name", as: viewer, q: "ashford children", agents: []int64{priya.ID}, agencies: []int64{w.Council.ID}},
			{name: "sector", as: viewer, q: "childrens social care", agencies: []int64{w.Council.ID}},
			{name: "deactivated agents are not found", as: viewer, q: "Gus Gone", notAgents: []int64{gone.ID}},
			{name: "a date makes it a client search", as: viewer, q: "Priya Okafor 01/02/1980", notAgents: []int64{priya.ID}},
			{name: "sensitive agent by generic role", as: viewer, q: "support worker", agents: []int64{hidden.ID}},
			{name: "sensitive role hidden from outsiders", as: viewer, q: "domestic abuse outreach",
				notAgents: []int64{hidden.ID}, noAgencies: []int64{w.Sensitive.ID}},
			{name: "sensitive agency by generic label", as: viewer, q: "support service",
				agents: []int64{hidden.ID}, agencies: []int64{w.Sensitive.ID}},
			{name: "sensitive agency name hidden from outsiders", as: viewer, q: "safe haven",
				notAgents: []int64{hidden.ID, colleague.ID}, noAgencies: []int64{w.Sensitive.ID}},
			{name: "own staff find their agency by name", as: colleague, q: "safe haven",
				agents: []int64{hidden.ID, colleague.ID}, agencies: []int64{w.Sensitive.ID}},
			{name: "own staff find a colleague's real role", as: colleague, q: "outreach", agents: []int64{hidden.ID}},
			{name: "admins find the real role", as: admin, q: "domestic abuse outreach", agents: []int64{hidden.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := search(t, svc, tc.as, tc.q, patchwork.ScopeNetwork)
				checkFound(t, tc.q, "agent", agentIDs(res), tc.agents, tc.notAgents)
				checkFound(t, tc.q, "agency", agencyIDs(res), tc.agencies, tc.noAgencies)
				for _, a := range res.Agents {
					if tc.as != admin && tc.as.AgencyID != w.Sensitive.ID && a.ID == hidden.ID &&
						(a.Role != "Support worker" || a.Agency.Name != "Support service") {
						t.Errorf("%q: sensitive agent shown as %q of %q", tc.q, a.Role, a.Agency.Name)
					}
				}
			})
		}

		// A profile change re-indexes the agent: the old role no longer finds
		// them, the new one does.
		u := patchwork.AgentUpdate{Name: "Priya Okafor", Role: "Family support lead", Mobile: "07700 900123",
			PreferredContact: patchwork.ContactMobile, AreaIDs: []int64{w.LocalB.ID}}
		if _, err := sqldb.NewAgentService(db).UpdateProfile(sqldbtest.As(priya), u); err != nil {
			t.Fatal(err)
		}
		if got := agentIDs(search(t, svc, viewer, "family support lead", patchwork.ScopeNetwork)); !slices.Contains(got, priya.ID) {
			t.Errorf("new role does not find the agent: %v", got)
		}
		// Joining a team in an area allocates the agent to it, and the area
		// then finds them.
		cl := w.MustClient(t, viewer, "Tess", "Tester", "2012-05-06")
		w.MustJoin(t, priya, cl)
		if got := agentIDs(search(t, svc, viewer, "priya ashford", patchwork.ScopeNetwork)); !slices.Contains(got, priya.ID) {
			t.Errorf("area allocated on joining does not find the agent: %v", got)
		}
	})
}

// checkFound reports which of want are missing from got and which of
// notWant are in it.
func checkFound(t *testing.T, q, what string, got, want, notWant []int64) {
	t.Helper()
	for _, id := range want {
		if !slices.Contains(got, id) {
			t.Errorf("%q: %s %d not found in %v", q, what, id, got)
		}
	}
	for _, id := range notWant {
		if slices.Contains(got, id) {
			t.Errorf("%q: %s %d found", q, what, id)
		}
	}
}

// mustSensitiveAgent creates Iona Quill of w's sensitive agency, whose real
// role is role and whose generic role is "Support worker".
func mustSensitiveAgent(t *testing.T, db *sqldb.DB, w *sqldbtest.World, role string, areas ...*patchwork.Area) *patchwork.Agent {
	t.Helper()
	a := &patchwork.Agent{Email: "iona@safehaven.test", Name: "Iona Quill", Role: role,
		SensitiveRole: true, GenericRole: "Support worker", AgencyID: w.Sensitive.ID, Areas: areas}
	if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), a, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSearchDirectoryShowsTenByName covers a word shared by more agents
// than are shown: the first ten by name, active ones only.
func TestSearchDirectoryShowsTenByName(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		viewer := w.MustAgent(t, "Vera Viewer", w.Council, w.LocalA)
		admin := &patchwork.Agent{Email: "admin@ashford.test", Name: "Ada Admin", AgencyID: w.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		// Created out of name order, so that id order is not name order.
		var gone *patchwork.Agent
		for _, i := range []int{7, 2, 11, 0, 13, 5, 9, 3, 12, 1, 8, 10, 4, 6} {
			a := w.MustAgent(t, fmt.Sprintf("%c Quillfeather", 'A'+i), w.Council)
			if i == 2 {
				gone = a
			}
		}
		if err := sqldb.NewAgentService(db).DeactivateAgent(sqldbtest.As(admin), gone.ID); err != nil {
			t.Fatal(err)
		}
		want := []string{"A Quillfeather", "B Quillfeather", "D Quillfeather", "E Quillfeather", "F Quillfeather",
			"G Quillfeather", "H Quillfeather", "I Quillfeather", "J Quillfeather", "K Quillfeather"}
		res, err := sqldb.NewSearchService(db).Search(sqldbtest.As(viewer), patchwork.SearchQuery{Text: "quillfeather"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range res.Agents {
			got = append(got, a.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("agents shown %q, want %q", got, want)
		}
	})
}

// TestSearchDirectoryCorrectsToNewWords covers the cached vocabulary: a
// word added after a correction was looked up is found misspelt at once.
func TestSearchDirectoryCorrectsToNewWords(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		viewer := w.MustAgent(t, "Vera Viewer", w.Council, w.LocalA)
		w.MustAgent(t, "Omar Okoro", w.Council)
		svc := sqldb.NewSearchService(db)
		find := func(q string) []string {
			t.Helper()
			res, err := svc.Search(sqldbtest.As(viewer), patchwork.SearchQuery{Text: q})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range res.Agents {
				names = append(names, a.Name)
			}
			return names
		}
		// "Okafer" corrects to nothing yet: the "ok" words are read.
		if got := find("Okafer"); len(got) != 0 {
			t.Fatalf("Okafer found %q before any Okafor", got)
		}
		w.MustAgent(t, "Priya Okafor", w.Council)
		if got := find("Okafer"); !slices.Equal(got, []string{"Priya Okafor"}) {
			t.Errorf("Okafer found %q, want the new Priya Okafor", got)
		}
	})
}

// TestSearchDirectoryOrdersAgenciesAsSeen: the search box lists agencies in
// the order of the names the caller sees, so a sensitive agency's hidden
// name does not show through its place: under its label ("Support
// service") it comes after "Sunrise Service", where its name ("Safe
// Haven…") would come before. Its own staff see it under its name, in its
// name's place.
func TestSearchDirectoryOrdersAgenciesAsSeen(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		viewer := w.MustAgent(t, "Vera Viewer", w.Council, w.LocalA)
		staff := w.MustAgent(t, "Sam Haven", w.Sensitive, w.LocalA)
		sunrise := &patchwork.Agency{Name: "Sunrise Service", Sector: "Charity", EmailDomain: "sunrise.test"}
		if err := sqldb.NewAgencyService(db).CreateAgency(sqldbtest.System(), sunrise); err != nil {
			t.Fatal(err)
		}
		svc := sqldb.NewSearchService(db)
		for _, tc := range []struct {
			as   *patchwork.Agent
			want []string
		}{
			{viewer, []string{"Sunrise Service", "Support service"}},
			{staff, []string{w.Sensitive.Name, "Sunrise Service"}},
		} {
			res, err := svc.Search(sqldbtest.As(tc.as), patchwork.SearchQuery{Text: "service"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range res.Agencies {
				if g.ID == sunrise.ID || g.ID == w.Sensitive.ID {
					got = append(got, g.Name)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s: agencies in the order %v, want %v", tc.as.Name, got, tc.want)
			}
		}
	})
}
