package worker_test

import (
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestNightlyDuplicateScan: the worker's nightly slot refreshes the
// duplicates queue, once a night however many times it is scheduled.
func TestNightlyDuplicateScan(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		a := e.world.MustAgent(t, "Ali Agent", e.world.Council, e.world.LocalA)
		for _, last := range []string{"Merriweather", "Merriwether"} {
			e.world.MustCreateClient(t, a, &patchwork.Client{FirstName: "Jordan", LastName: last, DateOfBirth: "04/05/2011",
				AreaIDs: []int64{e.world.LocalA.ID}})
		}
		e.at(t, 2026, 11, 24, 8, 0)
		for _, s := range e.w.Slots(e.clk.Now()) {
			if s.Kind != sqldb.JobDuplicateScan {
				continue
			}
			for range 2 {
				if _, _, err := db.EnqueueJob(t.Context(), s); err != nil {
					t.Fatal(err)
				}
			}
		}
		drain(t, e.w)
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = 'done'`, sqldb.JobDuplicateScan); n != 1 {
			t.Errorf("duplicate scans run = %d, want 1", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM duplicate_pairs WHERE status = 'open' AND reasons <> ''`); n != 1 {
			t.Errorf("queued pairs = %d, want the one likely pair with its reasons", n)
		}
	})
}
