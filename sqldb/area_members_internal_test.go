package sqldb

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestAreaCursor: a cursor's lookups answer as a search of the whole area
// does, for ids in ascending order (a key's clients, as the index gives
// them), in any order, repeated, and beyond either end.
func TestAreaCursor(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		var s areaSet
		for range rng.IntN(300) {
			s.ids = append(s.ids, rng.Int64N(1000)+1)
		}
		s.ids = slices.Compact(slices.Sorted(slices.Values(s.ids)))
		queries := make([]int64, rng.IntN(400))
		for i := range queries {
			queries[i] = rng.Int64N(1100)
		}
		if trial%2 == 0 {
			slices.Sort(queries) // as the index gives them, repeats included
		}
		c := areaCursor{s: &s, last: math.MinInt64}
		for _, id := range queries {
			_, want := slices.BinarySearch(s.ids, id)
			if got := c.has(id); got != want {
				t.Fatalf("trial %d: has(%d) = %v, want %v (area %v)", trial, id, got, want, s.ids)
			}
		}
	}
}
