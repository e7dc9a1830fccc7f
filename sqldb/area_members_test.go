package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"patchwork"
	"patchwork/match"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestKeyClientsWithinAreasAsInSQL: the search's look within areas checks
// key rows against the areas' clients kept in memory. Whatever changes an
// area's clients — a new client, a move, a merge and its undoing, a write
// that bypasses the services (as another instance's would, or an older
// binary's) — the next look answers exactly as the check in SQL does, for
// each area alone and for both.
func TestKeyClientsWithinAreasAsInSQL(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := sqldbtest.MustWorld(t, db)
		inA := w.MustAgent(t, "Ann Ashford", w.Council, w.LocalA)
		inB := w.MustAgent(t, "Bo Bexley", w.Council, w.LocalB)
		admin := w.MustSystemAdmin(t, "Sid System", w.Council)
		var a, b []*patchwork.Client
		for i := range 4 {
			a = append(a, w.MustClient(t, inA, "Olivia", "Mobono", fmt.Sprintf("0%d/02/2010", i+1)))
			b = append(b, w.MustClient(t, inB, "Olivia", "Mobono", fmt.Sprintf("0%d/03/2011", i+1)))
		}
		keys := match.QueryKeys([]string{"Olivia", "Mobono"})
		if len(keys) == 0 {
			t.Fatal("no keys for the query")
		}
		check := func(step string, wantA int) {
			t.Helper()
			for _, areas := range [][]int64{{w.LocalA.ID}, {w.LocalB.ID}, {w.LocalA.ID, w.LocalB.ID}, {w.District.ID}} {
				got, err := db.KeyClientsForTest(ctx, keys, areas)
				if err != nil {
					t.Fatal(err)
				}
				want, err := db.KeyClientsInSQLForTest(ctx, keys, areas)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("%s, areas %v: %v, want %v as in SQL", step, areas, got, want)
				}
			}
			// And the step did what it says: Ashford holds wantA of them.
			got, _ := db.KeyClientsForTest(ctx, keys, []int64{w.LocalA.ID})
			most := 0
			for _, l := range got {
				most = max(most, len(l))
			}
			if most != wantA {
				t.Errorf("%s: Ashford's clients sharing a key: %d, want %d", step, most, wantA)
			}
		}
		check("to begin with", 4)
		check("again, from the kept copy", 4)

		w.MustClient(t, inA, "Olivia", "Mobono", "01/01/2012")
		check("a new client in Ashford", 5)

		areas := sqldb.NewAreaService(db)
		if err := areas.MoveClient(sqldbtest.As(admin), a[0].ID, w.LocalB.ID); err != nil {
			t.Fatal(err)
		}
		check("a client moved to Bexley", 4)

		merges := sqldb.NewMergeService(db)
		m, err := merges.MergeClients(sqldbtest.As(admin), a[1].ID, b[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		check("a Bexley client merged into an Ashford one", 4)
		if err := merges.UndoMerge(sqldbtest.As(admin), m.ID); err != nil {
			t.Fatal(err)
		}
		check("the merge undone", 4)

		// Written past the services, as another instance's write would be.
		if _, err := db.ExecForTest(`INSERT INTO client_areas (client_id, area_id) VALUES ($1, $2)`, b[2].ID, w.LocalA.ID); err != nil {
			t.Fatal(err)
		}
		check("a Bexley client added to Ashford in SQL", 5)
		if _, err := db.ExecForTest(`UPDATE client_areas SET area_id = $1 WHERE client_id = $2 AND area_id = $3`, w.LocalB.ID, a[2].ID, w.LocalA.ID); err != nil {
			t.Fatal(err)
		}
		check("an Ashford client moved in SQL", 4)
		if _, err := db.ExecForTest(`DELETE FROM client_areas WHERE client_id = $1 AND area_id = $2`, a[3].ID, w.LocalA.ID); err != nil {
			t.Fatal(err)
		}
		check("an Ashford client's area removed in SQL", 3)
	})
}
