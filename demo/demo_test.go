package demo_test

import (
	"context"
	"testing"

	"patchwork"
	"patchwork/demo"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestDemoWorksLocally: the demo network's practitioners work mostly in
// their own local areas, so a search's local, district and network
// results differ, and some areas were added by joining a team, as the
// profile shows.
func TestDemoWorksLocally(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if err := demo.Seed(sqldbtest.System(), db, demo.DefaultSize); err != nil {
			t.Fatal(err)
		}
		total := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships`)
		local := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships m WHERE EXISTS (SELECT 1 FROM client_areas ca
			JOIN agent_areas aa ON aa.area_id = ca.area_id AND aa.agent_id = m.agent_id AND aa.from_client_id IS NULL
			WHERE ca.client_id = m.client_id)`)
		if local*100 < total*80 {
			t.Errorf("%d of %d memberships are in an area the agent chose, want at least 80%%", local, total)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agent_areas WHERE from_client_id IS NOT NULL`); n == 0 {
			t.Errorf("no agent has an area a team added")
		}
		var id int64
		if err := db.QueryRowForTest(`SELECT id FROM agents WHERE email = 'agent2@patchwork.test'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		me, err := sqldb.NewAgentService(db).FindCaller(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Smith", "Jones", "Brown"} {
			res, err := sqldb.NewSearchService(db).Search(sqldbtest.As(me), patchwork.SearchQuery{Text: name})
			if err != nil {
				t.Fatal(err)
			}
			l, d, n := res.Counts[patchwork.ScopeLocal], res.Counts[patchwork.ScopeDistrict], res.Counts[patchwork.ScopeNetwork]
			if !(l < d && d < n) {
				t.Errorf("%s: %d local, %d in the district, %d in the network; want each wider scope to find more", name, l, d, n)
			}
		}
	})
}
