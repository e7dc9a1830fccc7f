// Package search is Patchwork's client search engine (docs/search-names.md):
// it turns a search box text or a new client's details into lookups of an
// Index, and ranks what they find with the pure name primitives of package
// match. The store (sqldb) implements Index in SQL; the engine holds no SQL,
// so it is tested against an index in memory.
package search

import (
	"context"

	"patchwork/match"
)

// Index is what the engine reads: the store's client search indexes. Each
// method is one statement (Candidates and Areas one per chunk of ids), so a
// lookup costs one round trip however many names, dates, spelling
// corrections and areas it carries.
//
// Areas everywhere are local area ids: nil means the whole network, and an
// empty, non-nil list finds nobody.
type Index interface {
	// KeyCounts returns how many clients hold each of keys, for those held
	// by any, in the index's own order.
	KeyCounts(ctx context.Context, keys []match.NameKey) ([]KeyCount, error)
	// KeyClients calls add(i, id) for every client id within areaIDs that
	// holds keys[i].
	KeyClients(ctx context.Context, keys []match.NameKey, areaIDs []int64, add func(i int, id int64)) error
	// Find returns the ids of the clients l finds, in the order of its
	// parts (names, then dates), possibly repeated.
	Find(ctx context.Context, l Lookup) ([]int64, error)
	// Load returns the clients l finds, with what match.Score needs.
	Load(ctx context.Context, l Lookup) (map[int64]*match.Candidate, error)
	// Candidates returns the clients of ids that exist, with what
	// match.Score needs.
	Candidates(ctx context.Context, ids []int64) (map[int64]*match.Candidate, error)
	// Areas returns the local areas of each client of ids.
	Areas(ctx context.Context, ids []int64) (map[int64][]int64, error)
}

// Slip is a two-word name with one word possibly mistyped: the clients
// whose family name is one of Variants and whose given name starts with
// Word, or whose family name is Word and whose given name is one of
// Variants. Words are folded as match.Fold does.
type Slip struct {
	Word     string
	Variants []string
}

// KeyCount is how many clients hold a key.
type KeyCount struct {
	Key match.NameKey
	N   int
}

// Lookup is one lookup of clients by name and date of birth.
type Lookup struct {
	// Names are readings of the query, each up to MaxQueryWords name words
	// folded as match.Fold does (a spelling correction adds a reading).
	// For every ordered pair of words of a reading, taken as given and
	// family name (the family word two letters or more), the index finds
	// the clients whose family name is that word and whose given name
	// starts with the other, and, when the given word has six letters or
	// more, starts with its first four: a slip late in a long given name
	// beside a surname too common for its keys to be read.
	Names [][]string
	// Prefixes also finds, for each pair, the family names starting with
	// the family word (of three letters or more), and, for a reading of one
	// word (of two or more), the family and given names starting with it:
	// half-typed names.
	Prefixes bool
	// Slips finds, for each, the clients named a variant of one word beside
	// the other word as typed (Slip).
	Slips []Slip
	// DOBs finds the clients born on these dates, as stored (YYYY-MM-DD).
	DOBs []string
	// AreaIDs restricts the lookup to clients in these local areas; nil
	// for the whole network.
	AreaIDs []int64
}
