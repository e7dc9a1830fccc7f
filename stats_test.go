package patchwork_test

import (
	"testing"

	"patchwork"
)

// TestSuppress: counts 1 to 4 are withheld; a sum with exactly one
// withheld figure gets a second one withheld, so neither can be worked out
// from the others; withholding a district as a complement withholds one of
// its local areas too; zeros and counts of five or more stand otherwise.
func TestSuppress(t *testing.T) {
	// network 1 → districts 10, 20 → local areas 11, 12, 13 and 21, 22.
	tree := []patchwork.StatNode{
		{ID: 11}, {ID: 12}, {ID: 13}, {ID: 21}, {ID: 22},
		{ID: 10, Children: []int64{11, 12, 13}}, {ID: 20, Children: []int64{21, 22}},
		{ID: 1, Children: []int64{10, 20}},
	}
	sum := func(v map[int64]int64) map[int64]int64 {
		v[10], v[20] = v[11]+v[12]+v[13], v[21]+v[22]
		v[1] = v[10] + v[20]
		return v
	}
	for _, tc := range []struct {
		name   string
		values map[int64]int64
		want   []int64
	}{
		{"nothing small", sum(map[int64]int64{11: 5, 12: 9, 13: 0, 21: 7, 22: 12}), nil},
		{"one small local area, and its complement", sum(map[int64]int64{11: 3, 12: 9, 13: 6, 21: 7, 22: 12}), []int64{11, 13}},
		{"two small local areas hide each other", sum(map[int64]int64{11: 3, 12: 4, 13: 6, 21: 7, 22: 12}), []int64{11, 12}},
		{"a small district", sum(map[int64]int64{11: 1, 12: 2, 13: 0, 21: 7, 22: 12}), []int64{10, 11, 12, 20, 21}},
		{"everything small", sum(map[int64]int64{11: 1, 12: 0, 13: 0, 21: 1, 22: 1}), []int64{1, 10, 11, 20, 21, 22}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hidden := patchwork.Suppress(tree, tc.values)
			for _, id := range tc.want {
				if !hidden[id] {
					t.Errorf("area %d (%d) is shown, want it withheld", id, tc.values[id])
				}
			}
			for id, v := range tc.values {
				if v > 0 && v < 5 && !hidden[id] {
					t.Errorf("area %d shows %d", id, v)
				}
			}
			// No sum may have exactly one withheld figure.
			for _, n := range tree {
				if len(n.Children) == 0 {
					continue
				}
				k := 0
				if hidden[n.ID] {
					k++
				}
				for _, c := range n.Children {
					if hidden[c] {
						k++
					}
				}
				if k == 1 {
					t.Errorf("area %d and its sub-areas have one withheld figure: it can be worked out (%v)", n.ID, hidden)
				}
			}
			if tc.want == nil && len(hidden) != 0 {
				t.Errorf("withheld %v, want none", hidden)
			}
		})
	}
}
