package search_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"patchwork"
	"patchwork/match"
	"patchwork/search"
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

// TestMemIndexFollowsTheStore holds the engine tests' index in memory to
// the store's: the same clients, looked up alike, are found and loaded
// alike on both databases, so what the engine tests prove holds on the
// store.
func TestMemIndexFollowsTheStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Ash Worker", w.Council, w.LocalA)
		b := w.MustAgent(t, "Bex Worker", w.Council, w.LocalB)
		mem := search.NewMemIndex()
		for _, c := range []struct {
			by               *patchwork.Agent
			area             int64
			first, last, dob string
			aliases          []string
		}{
			{a, w.LocalA.ID, "Catherine", "Smith", "1980-02-01", nil},
			{a, w.LocalA.ID, "Cathy", "Smithson", "1980-01-02", []string{"Cathy Jones"}},
			{b, w.LocalB.ID, "Jonathan", "Smith", "1975-05-05", nil},
			{b, w.LocalB.ID, "Mary Anne", "O'Brien-Walsh", "1990-09-09", []string{"Mary Walsh"}},
			{a, w.LocalA.ID, "Zoë", "Brontë", "2001-12-12", nil},
		} {
			cl := w.MustClient(t, c.by, c.first, c.last, c.dob, c.aliases...)
			mem.Add(cl.ID, c.first, c.last, c.dob, c.area, c.aliases...)
		}
		store := db.SearchEngine().Index
		ctx := context.Background()
		for _, l := range []search.Lookup{
			{Names: [][]string{{"catherine", "smith"}}},
			{Names: [][]string{{"smith", "catherine"}}},
			{Names: [][]string{{"jonathon", "smith"}}},
			{Names: [][]string{{"cath", "smi"}}, Prefixes: true},
			{Names: [][]string{{"smi"}}, Prefixes: true},
			{Names: [][]string{{"mary", "walsh"}, {"mary", "obrien"}}},
			{Names: [][]string{{"zoe", "bronte"}}},
			{Names: [][]string{{"cathy", "jones"}}, DOBs: []string{"1975-05-05"}},
			{Names: [][]string{{"smith"}}},
			{DOBs: []string{"1980-02-01", "1980-01-02"}, AreaIDs: []int64{w.LocalA.ID}},
			{Names: [][]string{{"jonathan", "smith"}}, AreaIDs: []int64{w.LocalA.ID}},
			{Names: [][]string{{"jonathan", "smith"}}, AreaIDs: []int64{}},
		} {
			want, err := mem.Find(ctx, l)
			if err != nil {
				t.Fatal(err)
			}
			got, err := store.Find(ctx, l)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if got = slices.Compact(got); !slices.Equal(got, want) {
				t.Errorf("Find %+v: store %v, in memory %v", l, got, want)
			}
			wantC, _ := mem.Load(ctx, l)
			gotC, err := store.Load(ctx, l)
			if err != nil {
				t.Fatal(err)
			}
			if len(gotC) != len(wantC) {
				t.Errorf("Load %+v: store %d clients, in memory %d", l, len(gotC), len(wantC))
			}
			for id, c := range wantC {
				if g := gotC[id]; g == nil || g.Given != c.Given || g.Family != c.Family || g.DOB != c.DOB || !slices.Equal(g.Aliases, c.Aliases) {
					t.Errorf("Load %+v: client %d is %+v in the store, %+v in memory", l, id, g, c)
				}
			}
		}
		var ids []int64
		for id := int64(1); id < 100; id++ {
			ids = append(ids, id)
		}
		wantA, _ := mem.Areas(ctx, ids)
		gotA, err := store.Areas(ctx, ids)
		if err != nil || !maps.EqualFunc(gotA, wantA, slices.Equal) {
			t.Errorf("Areas: store %v (%v), in memory %v", gotA, err, wantA)
		}
		keys := match.QueryKeys([]string{"Catherine Smith"})
		wantK, _ := mem.KeyCounts(ctx, keys)
		gotK, err := store.KeyCounts(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		sortCounts := func(ks []search.KeyCount) {
			slices.SortFunc(ks, func(x, y search.KeyCount) int {
				return strings.Compare(x.Key.Kind+" "+x.Key.Key, y.Key.Kind+" "+y.Key.Key)
			})
		}
		sortCounts(wantK)
		sortCounts(gotK)
		if !slices.Equal(gotK, wantK) {
			t.Errorf("KeyCounts: store %v, in memory %v", gotK, wantK)
		}
		for _, areas := range [][]int64{nil, {w.LocalB.ID}} {
			pairs := func(ix search.Index) []string {
				var out []string
				if err := ix.KeyClients(ctx, keys, areas, func(i int, id int64) { out = append(out, fmt.Sprint(i, id)) }); err != nil {
					t.Fatal(err)
				}
				slices.Sort(out)
				return out
			}
			if got, want := pairs(store), pairs(mem); len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("KeyClients within %v: store %v, in memory %v", areas, got, want)
			}
		}
	})
}
