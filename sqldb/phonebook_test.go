package sqldb_test

import (
	"slices"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestFindAgents: the phone book's people are the active agents, by name,
// filtered by name (each word, in any case, accents aside), agency, sector
// and area (a local area, or a district for the areas under it), a page at
// a time with the total; each is shown as the caller may see them, so a
// sensitive agency's staff appear to outsiders under its generic label and
// contact route, and a name filter never matches a sensitive role or a
// sensitive agency's name.
func TestFindAgents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		viewer := w.MustAgent(t, "Vera Viewer", w.Council, w.LocalA)
		w.MustAgent(t, "Ann Ashby", w.Council, w.LocalA)
		w.MustAgent(t, "Béa O'Brien", w.Council, w.LocalB)
		sam := w.MustAgent(t, "Sam Shelter", w.Sensitive, w.LocalB)
		gone := w.MustAgent(t, "Gus Gone", w.Council, w.LocalA)
		if _, err := db.ExecForTest(`UPDATE agents SET sensitive_role = 1, generic_role = 'Support worker', role = 'Refuge keyworker'
			WHERE id = $1`, sam.ID); err != nil {
			t.Fatal(err)
		}
		agents := sqldb.NewAgentService(db)
		if err := agents.DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		find := func(as *patchwork.Agent, f patchwork.PhoneBookFilter) ([]string, int, []*patchwork.Agent) {
			t.Helper()
			got, total, err := agents.FindAgents(sqldbtest.As(as), f)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range got {
				names = append(names, a.Name)
			}
			return names, total, got
		}
		for _, tc := range []struct {
			name string
			f    patchwork.PhoneBookFilter
			want []string
		}{
			{"everyone active, by name", patchwork.PhoneBookFilter{}, []string{"Ann Ashby", "Béa O'Brien", "Sam Shelter", "Vera Viewer"}},
			{"a name, folded", patchwork.PhoneBookFilter{Name: "obrien BEA"}, []string{"Béa O'Brien"}},
			{"part of a name", patchwork.PhoneBookFilter{Name: "shel"}, []string{"Sam Shelter"}},
			{"a wildcard is no letter: it filters nothing", patchwork.PhoneBookFilter{Name: "%_"}, []string{"Ann Ashby", "Béa O'Brien", "Sam Shelter", "Vera Viewer"}},
			{"a sensitive role matches nobody", patchwork.PhoneBookFilter{Name: "refuge"}, nil},
			{"a sensitive agency's name matches nobody", patchwork.PhoneBookFilter{Name: "haven"}, nil},
			{"an agency", patchwork.PhoneBookFilter{AgencyID: w.Sensitive.ID}, []string{"Sam Shelter"}},
			{"a sector", patchwork.PhoneBookFilter{Sector: "Children's social care"}, []string{"Ann Ashby", "Béa O'Brien", "Vera Viewer"}},
			{"a local area", patchwork.PhoneBookFilter{AreaID: w.LocalB.ID}, []string{"Béa O'Brien", "Sam Shelter"}},
			{"a district", patchwork.PhoneBookFilter{AreaID: w.District.ID}, []string{"Ann Ashby", "Béa O'Brien", "Sam Shelter", "Vera Viewer"}},
			{"a network", patchwork.PhoneBookFilter{AreaID: w.Network.ID}, []string{"Ann Ashby", "Béa O'Brien", "Sam Shelter", "Vera Viewer"}},
			{"filters together", patchwork.PhoneBookFilter{AreaID: w.LocalB.ID, Sector: "Charity", Name: "sam"}, []string{"Sam Shelter"}},
		} {
			names, total, _ := find(viewer, tc.f)
			if !slices.Equal(names, tc.want) || total != len(tc.want) {
				t.Errorf("%s: %q (total %d), want %q", tc.name, names, total, tc.want)
			}
		}
		// Pages.
		names, total, _ := find(viewer, patchwork.PhoneBookFilter{Offset: 1, Limit: 2})
		if !slices.Equal(names, []string{"Béa O'Brien", "Sam Shelter"}) || total != 4 {
			t.Errorf("second page of two: %q (total %d)", names, total)
		}
		// As an outsider sees the sensitive agency's staff, and as a
		// colleague of theirs does.
		_, _, got := find(viewer, patchwork.PhoneBookFilter{AgencyID: w.Sensitive.ID})
		if a := got[0]; a.Role != "Support worker" || a.Agency.Name != "Support service" || a.Mobile != "" ||
			a.Email != "" || a.Landline != w.Sensitive.GenericPhone || a.ContactEmail != w.Sensitive.GenericEmail {
			t.Errorf("an outsider sees %+v (agency %+v)", a, a.Agency)
		}
		colleague := w.MustAgent(t, "Cal Colleague", w.Sensitive)
		_, _, got = find(colleague, patchwork.PhoneBookFilter{Name: "sam"})
		if a := got[0]; a.Agency.Name != w.Sensitive.Name || a.Mobile != sam.Mobile || a.Role != "Support worker" {
			t.Errorf("a colleague in the agency sees %+v", a)
		}
		_, _, got = find(sam, patchwork.PhoneBookFilter{Name: "sam"})
		if got[0].Role != "Refuge keyworker" {
			t.Errorf("the agent sees their own role as %q", got[0].Role)
		}
	})
}
