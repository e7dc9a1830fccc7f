package demo

import (
	"slices"
	"strings"

	"patchwork/match"
	"patchwork/sqldb"
)

// keyIndex is the client search index of a statewide data set, built in
// memory so that it can be written in primary-key order (much faster than
// random inserts into client_keys) with its counts computed in Go. Each
// distinct (key, kind) is stored once; a row is its rank in primary-key
// order and a client id packed into one uint64, so a million clients' 20
// million rows take about 160 MB.
type keyIndex struct {
	keys []match.NameKey // distinct keys, by id, then sorted by build
	n    []int64         // clients per key
	rows []uint64        // key rank << 32 | client id, sorted
}

// buildKeyIndex indexes every client of cs (index 0 unused) as
// sqldb.ClientNameKeys would: the union of the keys of the primary name and
// of each alias. A name's given and family keys are independent (they have
// different kinds), so each distinct given name and surname is keyed once.
func buildKeyIndex(cs []client) *keyIndex {
	ix := &keyIndex{}
	ids := map[match.NameKey]uint32{}
	idOf := func(ks []match.NameKey) []uint32 {
		out := make([]uint32, len(ks))
		for i, k := range ks {
			id, ok := ids[k]
			if !ok {
				id = uint32(len(ix.keys))
				ids[k] = id
				ix.keys = append(ix.keys, k)
				ix.n = append(ix.n, 0)
			}
			out[i] = id
		}
		return out
	}
	givCache, famCache := map[string][]uint32{}, map[string][]uint32{}
	cached := func(cache map[string][]uint32, name string, keys func() []match.NameKey) []uint32 {
		if ks, ok := cache[name]; ok {
			return ks
		}
		ks := idOf(keys())
		cache[name] = ks
		return ks
	}
	var mine []uint32
	addName := func(given, family string) {
		for _, ks := range [][]uint32{
			cached(givCache, given, func() []match.NameKey { return match.ClientKeys(given, "") }),
			cached(famCache, family, func() []match.NameKey { return match.ClientKeys("", family) }),
		} {
			for _, k := range ks {
				if !slices.Contains(mine, k) {
					mine = append(mine, k)
				}
			}
		}
	}
	ix.rows = make([]uint64, 0, 24*len(cs))
	for id := 1; id < len(cs); id++ {
		mine = mine[:0]
		addName(cs[id].first, cs[id].last)
		for _, a := range cs[id].aliases {
			addName(match.SplitAlias(a))
		}
		for _, k := range mine {
			ix.n[k]++
			ix.rows = append(ix.rows, uint64(k)<<32|uint64(id))
		}
	}
	// Rank keys in client_keys' primary-key order, (key, kind), and sort.
	order := make([]uint32, len(ix.keys))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int {
		if c := strings.Compare(ix.keys[a].Key, ix.keys[b].Key); c != 0 {
			return c
		}
		return strings.Compare(ix.keys[a].Kind, ix.keys[b].Kind)
	})
	rank := make([]uint32, len(order))
	keys, n := make([]match.NameKey, len(order)), make([]int64, len(order))
	for r, id := range order {
		rank[id] = uint32(r)
		keys[r], n[r] = ix.keys[id], ix.n[id]
	}
	ix.keys, ix.n = keys, n
	for i, row := range ix.rows {
		ix.rows[i] = uint64(rank[row>>32])<<32 | row&0xffffffff
	}
	slices.Sort(ix.rows)
	return ix
}

// clientKeyRows yields client_keys rows in primary-key order.
func (ix *keyIndex) clientKeyRows() sqldb.RowSource {
	i := -1
	row := make([]any, 3)
	return func() ([]any, bool) {
		if i++; i >= len(ix.rows) {
			return nil, false
		}
		k := ix.keys[ix.rows[i]>>32]
		row[0], row[1], row[2] = k.Key, k.Kind, int64(ix.rows[i]&0xffffffff)
		return row, true
	}
}

// freqRows yields client_key_freq rows in primary-key order.
func (ix *keyIndex) freqRows() sqldb.RowSource {
	i := -1
	row := make([]any, 3)
	return func() ([]any, bool) {
		if i++; i >= len(ix.keys) {
			return nil, false
		}
		row[0], row[1], row[2] = ix.keys[i].Key, ix.keys[i].Kind, ix.n[i]
		return row, true
	}
}
