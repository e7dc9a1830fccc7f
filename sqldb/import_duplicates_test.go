package sqldb_test

import (
	"slices"
	"testing"

	"patchwork"
	searchengine "patchwork/search"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestFindLikelyDuplicatesAsMatchDoes: the import's duplicate check, which
// judges each row against its block of dates of birth, reports for every
// row the likely match the add-client form's check (one Match a row) puts
// first, with the same reasons, and nothing where that finds no likely
// match.
func TestFindLikelyDuplicatesAsMatchDoes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		areas := []int64{w.LocalA.ID, w.LocalB.ID}
		stored := dupPopulation(2000, 17, areas)
		if _, _, err := db.ImportClients(sqldbtest.System(), stored, nil); err != nil {
			t.Fatal(err)
		}
		// New rows: another draw of the same names and dates (namesakes,
		// typos, nicknames, swapped dates), and copies of stored clients.
		var rows []*patchwork.Client
		for _, r := range dupPopulation(600, 99, areas) {
			rows = append(rows, r.Client)
		}
		for _, r := range stored[:200] {
			c := *r.Client
			c.ID = 0
			rows = append(rows, &c)
		}
		got, err := db.FindLikelyDuplicates(sqldbtest.System(), rows, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows) {
			t.Fatalf("%d answers for %d rows", len(got), len(rows))
		}
		engine, found := db.SearchEngine(), 0
		for i, cl := range rows {
			res, err := engine.Match(sqldbtest.System(), searchengine.Query{Client: cl, Now: db.Now().UTC(), Limit: patchwork.MaxDuplicateMatches})
			if err != nil {
				t.Fatal(err)
			}
			var want sqldb.LikelyDuplicate
			for _, m := range res.Matches {
				if m.Level == "likely" {
					want = sqldb.LikelyDuplicate{ID: m.ID, Reasons: m.Reasons}
					break
				}
			}
			if got[i].ID != want.ID || !slices.Equal(got[i].Reasons, want.Reasons) {
				t.Errorf("row %d (%s %s %s): import check found %d %q, Match %d %q", i, cl.FirstName, cl.LastName, cl.DateOfBirth,
					got[i].ID, got[i].Reasons, want.ID, want.Reasons)
			}
			if want.ID != 0 {
				found++
			}
		}
		// The draw must hold both kinds of row for the comparison to mean
		// anything.
		if found < 200 || found == len(rows) {
			t.Errorf("%d of %d rows have a likely match; want at least the 200 copies and not every row", found, len(rows))
		}
	})
}
