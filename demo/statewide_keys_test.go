package demo

import (
	"math/rand/v2"
	"slices"
	"testing"

	"patchwork/match"
	"patchwork/sqldb"
)

// The loader's in-memory index must hold exactly the keys the client
// service writes.
func TestKeyIndexMatchesClientNameKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	surnames := newNameDist(rng, commonSurnames, 300, 2)
	given := newNameDist(rng, commonGiven, 100, 2)
	cs := make([]client, 2001)
	for id := 1; id < len(cs); id++ {
		c := client{first: given.draw(rng), last: surnames.draw(rng)}
		switch rng.IntN(4) {
		case 0:
			c.aliases = []string{c.first + " " + surnames.draw(rng)}
		case 1:
			c.aliases = []string{"Kate " + c.last, given.draw(rng) + " " + c.last}
		}
		cs[id] = c
	}
	ix := buildKeyIndex(cs)
	got := make([]map[match.NameKey]bool, len(cs))
	for _, row := range ix.rows {
		id := row & 0xffffffff
		if got[id] == nil {
			got[id] = map[match.NameKey]bool{}
		}
		got[id][ix.keys[row>>32]] = true
	}
	for id := 1; id < len(cs); id++ {
		want := sqldb.ClientNameKeys(cs[id].first, cs[id].last, cs[id].aliases)
		if len(want) != len(got[id]) {
			t.Fatalf("client %d %+v: %d keys, want %d", id, cs[id], len(got[id]), len(want))
		}
		for _, k := range want {
			if !got[id][k] {
				t.Fatalf("client %d %+v: missing key %v", id, cs[id], k)
			}
		}
	}
	if !slices.IsSorted(ix.rows) {
		t.Fatal("rows not sorted")
	}
	for i := 1; i < len(ix.keys); i++ {
		a, b := ix.keys[i-1], ix.keys[i]
		if a.Key > b.Key || a.Key == b.Key && a.Kind >= b.Kind {
			t.Fatalf("keys not in (key, kind) order at %d: %v, %v", i, a, b)
		}
	}
}
