package sqldb_test

import (
	"slices"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestAreasAddedByTeams: joining a team adds the client's local areas to
// the agent, marked as added by that team (shown to the agent only);
// leaving removes an area only when no other current team of theirs is
// in it, and never one they chose; keeping such an area on the profile
// keeps its origin, unticking it removes it.
func TestAreasAddedByTeams(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		me := w.MustAgent(t, "Mo Mover", w.Council, w.LocalA)
		far := w.MustAgent(t, "Fay Far", w.Council, w.LocalB)
		x := w.MustClient(t, far, "Xavi", "Exe", "01/02/2010")
		y := w.MustClient(t, far, "Yara", "Why", "01/02/2011")
		agents, clients := sqldb.NewAgentService(db), sqldb.NewClientService(db)
		areas := func(as *patchwork.Agent) []string {
			t.Helper()
			a, err := agents.FindAgentByID(sqldbtest.As(as), me.ID)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range a.Areas {
				s := r.Name
				if r.FromTeam {
					s += " (team)"
				}
				out = append(out, s)
			}
			return out
		}
		want := func(step string, got []string, want ...string) {
			t.Helper()
			if !slices.Equal(got, want) {
				t.Errorf("%s: areas %q, want %q", step, got, want)
			}
		}
		leave := func(c *patchwork.Client) {
			t.Helper()
			if err := clients.LeaveTeam(sqldbtest.As(me), c.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
				t.Fatal(err)
			}
		}
		profile := func(ids ...int64) {
			t.Helper()
			if _, err := agents.UpdateProfile(sqldbtest.As(me), patchwork.AgentUpdate{Name: me.Name, Role: "Social worker",
				Mobile: me.Mobile, PreferredContact: patchwork.ContactMobile, AreaIDs: ids}); err != nil {
				t.Fatal(err)
			}
		}

		w.MustJoin(t, me, x)
		want("joined X", areas(me), "Ashford", "Bexley (team)")
		want("as another agent sees them", areas(far), "Ashford", "Bexley")
		w.MustJoin(t, me, y)
		leave(x)
		want("left X, still on Y in the same area", areas(me), "Ashford", "Bexley (team)")
		leave(y)
		want("left Y too", areas(me), "Ashford")

		// Kept on the profile, the area stays the team's.
		w.MustJoin(t, me, x)
		profile(w.LocalA.ID, w.LocalB.ID)
		want("kept on the profile", areas(me), "Ashford", "Bexley (team)")
		profile(w.LocalA.ID)
		want("unticked on the profile", areas(me), "Ashford")
		leave(x)

		// An area the agent chose stays when they leave.
		profile(w.LocalA.ID, w.LocalB.ID)
		w.MustJoin(t, me, y)
		want("chosen, then joined", areas(me), "Ashford", "Bexley")
		leave(y)
		want("chosen, then left", areas(me), "Ashford", "Bexley")

		// Deactivation ends memberships the same way.
		profile(w.LocalA.ID)
		w.MustJoin(t, me, x)
		if err := agents.DeactivateAgent(sqldbtest.System(), me.ID); err != nil {
			t.Fatal(err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agent_areas WHERE agent_id = $1 AND from_client_id IS NOT NULL`, me.ID); n != 0 {
			t.Errorf("a deactivated agent keeps %d areas their teams added", n)
		}
	})
}
