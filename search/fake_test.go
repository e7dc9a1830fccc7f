package search

import (
	"context"
	"slices"
	"strings"
	"sync"

	"patchwork/match"
)

// memIndex is an Index in memory: the engine's tests drive it without a
// database. It follows Lookup's contract without the store's row bounds,
// and records every call, so tests can count the lookups a query costs.
type memIndex struct {
	clients map[int64]*memClient
	mu      sync.Mutex // the engine may look twice at once
	calls   []string   // method names, in order
	lookups []Lookup   // the lookups of Find and Load, in order
}

func (ix *memIndex) record(method string, l *Lookup) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.calls = append(ix.calls, method)
	if l != nil {
		ix.lookups = append(ix.lookups, *l)
	}
}

type memClient struct {
	given, family, dob string
	aliases            []match.Alias
	areas              []int64
	address, postcode  string
}

func newMemIndex() *memIndex { return &memIndex{clients: map[int64]*memClient{}} }

// add stores a client in local area area; aliases are "Given Family".
func (ix *memIndex) add(id int64, given, family, dob string, area int64, aliases ...string) {
	c := &memClient{given: given, family: family, dob: dob, areas: []int64{area}}
	for _, a := range aliases {
		f := strings.Fields(a)
		c.aliases = append(c.aliases, match.Alias{Given: strings.Join(f[:len(f)-1], " "), Family: f[len(f)-1]})
	}
	ix.clients[id] = c
}

// place gives client id an address and a postcode.
func (ix *memIndex) place(id int64, address, postcode string) {
	ix.clients[id].address, ix.clients[id].postcode = address, postcode
}

func (ix *memIndex) count(method string) int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	n := 0
	for _, c := range ix.calls {
		if c == method {
			n++
		}
	}
	return n
}

func (c *memClient) keys() []match.NameKey {
	keys := match.ClientKeys(c.given, c.family)
	for _, a := range c.aliases {
		for _, k := range match.ClientKeys(a.Given, a.Family) {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

func (c *memClient) in(areaIDs []int64) bool {
	return areaIDs == nil || slices.ContainsFunc(c.areas, func(a int64) bool { return slices.Contains(areaIDs, a) })
}

// ids returns the client ids in order, for deterministic answers.
func (ix *memIndex) ids() []int64 {
	var ids []int64
	for id := range ix.clients {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (ix *memIndex) KeyCounts(_ context.Context, keys []match.NameKey) ([]KeyCount, error) {
	ix.record("KeyCounts", nil)
	var out []KeyCount
	for _, k := range keys {
		n := 0
		for _, c := range ix.clients {
			if slices.Contains(c.keys(), k) {
				n++
			}
		}
		if n > 0 {
			out = append(out, KeyCount{k, n})
		}
	}
	return out, nil
}

func (ix *memIndex) KeyClients(_ context.Context, keys []match.NameKey, areaIDs []int64, add func(int, int64)) error {
	ix.record("KeyClients", nil)
	for i, k := range keys {
		for _, id := range ix.ids() {
			if c := ix.clients[id]; c.in(areaIDs) && slices.Contains(c.keys(), k) {
				add(i, id)
			}
		}
	}
	return nil
}

// names returns the folded (given, family) names of c: primary and aliases.
func (c *memClient) names() [][2]string {
	out := [][2]string{{match.Fold(c.given), match.Fold(c.family)}}
	for _, a := range c.aliases {
		out = append(out, [2]string{match.Fold(a.Given), match.Fold(a.Family)})
	}
	return out
}

// finds reports whether l finds c, as Lookup says.
func (l Lookup) finds(c *memClient) bool {
	if !c.in(l.AreaIDs) {
		return false
	}
	if slices.Contains(l.DOBs, c.dob) {
		return true
	}
	for _, n := range c.names() {
		given, family := n[0], n[1]
		for _, s := range l.Slips {
			if slices.Contains(s.Variants, family) && strings.HasPrefix(given, s.Word) ||
				family == s.Word && slices.Contains(s.Variants, given) {
				return true
			}
		}
		for _, tokens := range l.Names {
			for i, g := range tokens {
				for j, f := range tokens {
					if i == j || len(f) < 2 {
						continue
					}
					if family == f && (strings.HasPrefix(given, g) || len(g) >= 6 && strings.HasPrefix(given, g[:4])) {
						return true
					}
					if l.Prefixes && len(f) >= 3 && strings.HasPrefix(family, f) && strings.HasPrefix(given, g) {
						return true
					}
				}
			}
			if len(tokens) == 1 && l.Prefixes && len(tokens[0]) >= 2 &&
				(strings.HasPrefix(family, tokens[0]) || strings.HasPrefix(given, tokens[0])) {
				return true
			}
		}
	}
	return false
}

func (ix *memIndex) Find(_ context.Context, l Lookup) ([]int64, error) {
	ix.record("Find", &l)
	var out []int64
	for _, id := range ix.ids() {
		if l.finds(ix.clients[id]) {
			out = append(out, id)
		}
	}
	return out, nil
}

func (ix *memIndex) Load(_ context.Context, l Lookup) (map[int64]*match.Candidate, error) {
	ix.record("Load", &l)
	var ids []int64
	for _, id := range ix.ids() {
		if l.finds(ix.clients[id]) {
			ids = append(ids, id)
		}
	}
	return ix.load(ids), nil
}

func (ix *memIndex) Candidates(_ context.Context, ids []int64) (map[int64]*match.Candidate, error) {
	ix.record("Candidates", nil)
	return ix.load(ids), nil
}

func (ix *memIndex) load(ids []int64) map[int64]*match.Candidate {
	out := map[int64]*match.Candidate{}
	for _, id := range ids {
		if c, ok := ix.clients[id]; ok {
			out[id] = &match.Candidate{Given: c.given, Family: c.family, DOB: c.dob, Aliases: c.aliases,
				Address: c.address, Postcode: c.postcode}
		}
	}
	return out
}

func (ix *memIndex) Areas(_ context.Context, ids []int64) (map[int64][]int64, error) {
	ix.record("Areas", nil)
	out := map[int64][]int64{}
	for _, id := range ids {
		if c, ok := ix.clients[id]; ok {
			out[id] = c.areas
		}
	}
	return out, nil
}
