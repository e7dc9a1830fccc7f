package search_test

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

// The engine on the store's real indexes, on both databases; engine_test.go
// drives it through an index in memory.

// TestKeyCandidatesRanking covers the first stage of client search at
// scale, where the key index yields more clients than are scored and its
// ranking decides who is found: the one client sharing a rare key must not
// be buried under a crowd sharing many keys of a commoner word.
func TestKeyCandidatesRanking(t *testing.T) {
	const crowd, limit = 40, 10
	for _, tc := range []struct {
		name, query   string
		target        [2]string // given, family
		crowdGiven    string
		crowdFamilies []string      // cycled through by the crowd
		sharedByCrowd match.NameKey // and not by the target
		alsoTyped     [][2]string   // others one typo from the query word
	}{
		{
			// The crowd is named Rosie too, and Rose reads as the typed
			// "Rosie" one typo away: every deletion key of Rosie and
			// both readings of its sound. The target shares only one
			// rare deletion key of the misspelt surname.
			name: "rare typo key against a common word's many keys", query: "Rosie Fzenpergil",
			target: [2]string{"Rosie", "Fenpergil"}, crowdGiven: "Rosie", crowdFamilies: []string{"Rose"},
			sharedByCrowd: match.NameKey{Kind: match.KindFamilyDeletion, Key: "rose"},
		},
		{
			// Double Metaphone keeps four sounds: the crowd's surnames
			// begin like the misspelt one and share both its sound keys;
			// the target is one typo from it, like a few others.
			name: "one typo apart against alike in the first sounds", query: "Olivia Woodlpeymore",
			target: [2]string{"Olivia", "Woodleymore"}, crowdGiven: "Olivia",
			crowdFamilies: []string{"Woodlape", "Wodlip", "Woodlop", "Waddleby", "Wadlopp", "Widlapp", "Woodlipton"},
			sharedByCrowd: match.NameKey{Kind: match.KindFamilyPhonetic, Key: "ATLP"},
			alsoTyped:     [][2]string{{"Grace", "Woodleymoore"}, {"Ian", "Woodleymoore"}, {"Jo", "Woodleymoore"}, {"Kim", "Woodleymoore"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				w := sqldbtest.MustWorld(t, db)
				a := w.MustAgent(t, "Sam Searcher", w.Council, w.LocalA)
				target := w.MustClient(t, a, tc.target[0], tc.target[1], "1968-08-05")
				for _, o := range tc.alsoTyped {
					w.MustClient(t, a, o[0], o[1], "1970-02-02")
				}
				queryKeys := match.QueryKeys([]string{tc.query})
				for i := range crowd {
					family := tc.crowdFamilies[i%len(tc.crowdFamilies)]
					// The test means something only if the crowd shares
					// more keys with the query than the target does.
					if i < len(tc.crowdFamilies) {
						crowdKeys := match.ClientKeys(tc.crowdGiven, family)
						if !slices.Contains(crowdKeys, tc.sharedByCrowd) || !slices.Contains(queryKeys, tc.sharedByCrowd) {
							t.Fatalf("%s %s does not share %v with %q", tc.crowdGiven, family, tc.sharedByCrowd, tc.query)
						}
						if shared(queryKeys, crowdKeys) <= shared(queryKeys, match.ClientKeys(tc.target[0], tc.target[1])) {
							t.Fatalf("%s %s shares no more keys than the target", tc.crowdGiven, family)
						}
					}
					w.MustClient(t, a, tc.crowdGiven, family, fmt.Sprintf("19%02d-01-01", 50+i))
				}
				if slices.Contains(match.ClientKeys(tc.target[0], tc.target[1]), tc.sharedByCrowd) {
					t.Fatalf("target shares %v", tc.sharedByCrowd)
				}
				ids, err := db.SearchEngine().KeyStage(context.Background(), tc.query, nil, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(ids) != limit {
					t.Fatalf("%d candidates, want %d: the crowd should overflow the limit", len(ids), limit)
				}
				if ids[0] != target.ID {
					t.Errorf("%q: first candidate %d at rank %d, want %s %s (%d) first",
						tc.query, ids[0], slices.Index(ids, target.ID), tc.target[0], tc.target[1], target.ID)
				}
				// And the whole search finds the target first.
				res, err := sqldb.NewSearchService(db).Search(sqldbtest.As(a), patchwork.SearchQuery{Text: tc.query, Scope: patchwork.ScopeNetwork})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Clients) == 0 || res.Clients[0].ID != target.ID {
					t.Errorf("%q: search did not put %s %s first", tc.query, tc.target[0], tc.target[1])
				}
			})
		})
	}
}

// TestKeyCandidatesWithinAreas covers the key index read within the
// caller's local areas, the second look of a local search: a crowd of
// namesakes elsewhere, ranked above the local client network-wide, must
// neither crowd it out nor be returned.
func TestKeyCandidatesWithinAreas(t *testing.T) {
	const crowd, limit = 30, 10
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		there := w.MustAgent(t, "Ash Worker", w.Council, w.LocalA)
		here := w.MustAgent(t, "Bex Worker", w.Council, w.LocalB)
		for i := range crowd {
			w.MustClient(t, there, "Olivia", "Woodlape", fmt.Sprintf("19%02d-01-01", 50+i))
		}
		local := w.MustClient(t, here, "Olivia", "Woodlap", "1968-08-05")
		ctx := context.Background()
		network, err := db.SearchEngine().KeyStage(ctx, "Olivia Woodlape", nil, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(network) != limit || slices.Contains(network, local.ID) {
			t.Fatalf("network-wide: %v; the crowd should fill the %d places before the local client %d", network, limit, local.ID)
		}
		within, err := db.SearchEngine().KeyStage(ctx, "Olivia Woodlape", []int64{w.LocalB.ID}, limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(within, []int64{local.ID}) {
			t.Errorf("within Bexley: %v, want only the local client %d", within, local.ID)
		}
		none, err := db.SearchEngine().KeyStage(ctx, "Olivia Woodlape", []int64{}, limit)
		if err != nil || len(none) != 0 {
			t.Errorf("within no areas: %v, %v; want nobody", none, err)
		}
	})
}

func shared(a, b []match.NameKey) int {
	n := 0
	for _, k := range a {
		if slices.Contains(b, k) {
			n++
		}
	}
	return n
}
