package sqldb_test

import (
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func TestSearchLocalFirstAndCounts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		areas := sqldb.NewAreaService(db)
		other := &patchwork.Area{Kind: patchwork.AreaDistrict, Name: "South district", ParentID: w.Network.ID}
		must(t, areas.CreateArea(sqldbtest.System(), other))
		far := &patchwork.Area{Kind: patchwork.AreaLocal, Name: "Farley", ParentID: other.ID}
		must(t, areas.CreateArea(sqldbtest.System(), far))

		me := w.MustAgent(t, "Sam Searcher", w.Council, w.LocalA)
		near := w.MustAgent(t, "Nia Near", w.Council, w.LocalB)
		distant := w.MustAgent(t, "Dan Distant", w.Council, far)
		local := w.MustClient(t, me, "Orla", "Penhaligon", "2010-05-05")
		district := w.MustClient(t, near, "Orla", "Penhaligon", "2011-06-06")
		network := w.MustClient(t, distant, "Orla", "Penhaligan", "2010-05-05")
		svc := sqldb.NewSearchService(db)

		for _, tc := range []struct {
			scope string
			want  []int64
		}{
			{patchwork.ScopeLocal, []int64{local.ID}},
			{"", []int64{local.ID}},
			{patchwork.ScopeDistrict, []int64{local.ID, district.ID}},
			{patchwork.ScopeNetwork, []int64{local.ID, district.ID, network.ID}},
		} {
			res := search(t, svc, me, "Orla Penhaligon", tc.scope)
			var got []int64
			for _, c := range res.Clients {
				got = append(got, c.ID)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("scope %q: got %v, want %v", tc.scope, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("scope %q: order %v, want %v", tc.scope, got, tc.want)
				}
			}
			want := map[string]int{patchwork.ScopeLocal: 1, patchwork.ScopeDistrict: 2, patchwork.ScopeNetwork: 3}
			for s, n := range want {
				if res.Counts[s] != n {
					t.Fatalf("scope %q: counts %v, want %v", tc.scope, res.Counts, want)
				}
			}
		}

		// A likely match elsewhere still beats a possible one at home.
		res := search(t, svc, me, "Orla Penhaligan 5/5/2010", patchwork.ScopeNetwork)
		if len(res.Clients) < 2 || res.Clients[0].Level != "likely" {
			t.Fatalf("levels: %+v", res.Clients)
		}

		// Joining a team in another area puts the agent in that area, so its
		// clients become local.
		w.MustJoin(t, me, network)
		res = search(t, svc, me, "Orla Penhaligon", patchwork.ScopeLocal)
		if res.Counts[patchwork.ScopeLocal] != 2 {
			t.Fatalf("after joining a team in Farley: local count %d, want 2", res.Counts[patchwork.ScopeLocal])
		}
	})
}

func TestDuplicateCheckLevels(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Sam Searcher", w.Council, w.LocalA)
		same := w.MustClient(t, a, "Catherine", "Whitlock", "1984-03-09")
		sibling := w.MustClient(t, a, "Rebecca", "Whitlock", "1984-03-09")
		w.MustClient(t, a, "Tobias", "Fenwick", "1950-01-01")
		svc := sqldb.NewClientService(db)
		for _, tc := range []struct {
			name string
			cl   patchwork.Client
			want map[int64]string
		}{
			{"nickname and same date is likely", patchwork.Client{FirstName: "Kate", LastName: "Whitlock", DateOfBirth: "09/03/1984"},
				map[int64]string{same.ID: "likely", sibling.ID: "possible"}},
			{"typo and swapped date is likely", patchwork.Client{FirstName: "Catherine", LastName: "Whitlok", DateOfBirth: "03/09/1984"},
				map[int64]string{same.ID: "likely"}},
			{"name without date is possible", patchwork.Client{FirstName: "Catherine", LastName: "Whitlock"},
				map[int64]string{same.ID: "possible"}},
			{"different person is not shown", patchwork.Client{FirstName: "Tobias", LastName: "Whitlock", DateOfBirth: "2001-01-01"},
				map[int64]string{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ms, err := svc.FindPossibleDuplicates(sqldbtest.As(a), &tc.cl)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range ms {
					if want, ok := tc.want[m.ID]; ok && m.Level != want {
						t.Fatalf("%s: level %q (score %.3f, %v), want %q", m.Name, m.Level, m.Score, m.Reasons, want)
					}
				}
				for id, level := range tc.want {
					found := false
					for _, m := range ms {
						found = found || m.ID == id
					}
					if !found {
						t.Fatalf("client %d (%s) not found; got %d matches", id, level, len(ms))
					}
				}
				if len(tc.want) == 0 && len(ms) > 0 {
					t.Fatalf("unexpected matches: %s %v", ms[0].Name, ms[0].Reasons)
				}
				if len(ms) > 0 && ms[0].Level == "likely" && ms[0].ID != same.ID {
					t.Fatalf("first match %s", ms[0].Name)
				}
			})
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
