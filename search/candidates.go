package search

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"patchwork/match"
)

// Candidate generation: which clients are worth scoring, read from the key
// index, exact and prefix names and the date of birth.

// Candidate generation limits. Keys shared by more than maxKeyPosting
// clients ("smith", "john") say little and cost much, so they are skipped and
// the exact-name lookups cover common names instead.
const (
	// MaxKeyCandidates is how many clients the key index gives at most by
	// default. 300 found one typo query more in 200 at a million clients
	// than 250, for a fifth more candidates to load and score
	// (docs/performance.md).
	MaxKeyCandidates   = 250
	dobKeyCandidates   = 60    // the same when a full date of birth also finds candidates
	maxKeyPosting      = 5000  // keys with more clients than this are skipped
	keyRowBudget       = 10000 // index rows read for one query at most
	dobKeyRowBudget    = 2000  // the same when a full date of birth also finds candidates
	scopedKeyRowBudget = 3000  // the same for the second look within the caller's areas
	fewCandidates      = 20    // below this, prefixes of what was typed are tried too
	// MaxQueryWords is how many name words of a query are looked up by name.
	MaxQueryWords = 4
	// maxAliasReadings is how many of a new client's other names the
	// duplicate check looks up by exact name, beside its name.
	maxAliasReadings = 3
)

// candidates returns the ids of clients worth scoring, from the key index,
// exact and prefix names, and the date of birth, and whether the key index
// was cut off.
func (e *Engine) candidates(ctx context.Context, q match.Query, readings [][]string, dobs []string, areaIDs []int64) ([]int64, bool, error) {
	var ids []int64
	seen := map[int64]bool{}
	add := func(more []int64) {
		for _, id := range more {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	limit, budget := e.keyLimit(), keyRowBudget
	if len(dobs) > 0 {
		limit, budget = dobKeyCandidates, dobKeyRowBudget
	}
	if areaIDs != nil {
		// A second look within the caller's areas (see Match): each key row
		// read costs an area check, and the rarest keys, read first, matter
		// most.
		budget = min(budget, scopedKeyRowBudget)
	}
	keyIDs, err := e.keyCandidates(ctx, match.QueryKeys(q.Names), areaIDs, limit, budget)
	if err != nil {
		return nil, false, err
	}
	add(keyIDs)
	// Prefix lookups run network-wide only: within areas each name in a
	// prefix's range costs an area check, and a range such as every given
	// name starting "olivia" holds tens of thousands (70 ms a lookup).
	more, err := e.Index.Find(ctx, Lookup{Names: readings, Prefixes: areaIDs == nil && len(ids) < fewCandidates,
		DOBs: dobs, AreaIDs: areaIDs})
	if err != nil {
		return nil, false, err
	}
	add(more)
	return ids, len(keyIDs) == limit, nil
}

func (e *Engine) keyLimit() int {
	if e.KeyCandidates > 0 {
		return e.KeyCandidates
	}
	return MaxKeyCandidates
}

// dobCandidates returns the stored forms of a full date of birth worth
// looking up: the date and, when different, the date with day and month
// swapped. Partial dates find too many people to be candidates.
func dobCandidates(d match.DateQuery) []string {
	if d.Day == 0 {
		return nil
	}
	out := []string{d.String()}
	if d.Day <= 12 && d.Day != d.Month {
		out = append(out, match.DateQuery{Year: d.Year, Month: d.Day, Day: d.Month}.String())
	}
	return out
}

// queryTokens returns up to MaxQueryWords name words as the index stores
// them (match.Fold).
func queryTokens(names []string) []string {
	var out []string
	for _, n := range names {
		for _, p := range match.NameParts(n) {
			if len(out) < MaxQueryWords {
				out = append(out, match.Fold(p))
			}
		}
	}
	return out
}

// keyCandidates returns the clients sharing the most with the query, read
// from the key index. Keys are read rarest first, skipping those shared by
// too many clients, until budget index rows are read.
//
// Each shared key counts by its rarity (keyWeight), so one rare typo key
// beats two keys half the network shares. A client is ranked by its rarest
// shared key, three times over, plus the sum of them all: a client whose
// name matches a query word exactly shares every deletion key and both
// sound keys of that word, and a plain sum would let such a crowd for a
// common word bury the one client sharing a rare typo key of the other
// word ("Rosie Fzenpergil": every Rose and Rosi before Rosie Fenpergil).
// The sum still puts a client matching more words, or a word more closely,
// first among equals.
func (e *Engine) keyCandidates(ctx context.Context, keys []match.NameKey, areaIDs []int64, limit, budget int) ([]int64, error) {
	if len(keys) == 0 || (areaIDs != nil && len(areaIDs) == 0) {
		return nil, nil
	}
	var distinct []match.NameKey
	for _, k := range keys {
		if !slices.Contains(distinct, k) {
			distinct = append(distinct, k)
		}
	}
	counts, err := e.Index.KeyCounts(ctx, distinct)
	if err != nil {
		return nil, err
	}
	fs := slices.DeleteFunc(counts, func(f KeyCount) bool {
		return !slices.Contains(distinct, f.Key) || f.N <= 0 || f.N > maxKeyPosting
	})
	if len(fs) == 0 {
		return nil, nil
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].N < fs[j].N })
	var read []match.NameKey
	var weights []int64
	rows := 0
	for _, f := range fs {
		if rows += f.N; rows > budget && len(read) > 0 {
			break
		}
		read = append(read, f.Key)
		weights = append(weights, keyWeight(f.Key.Kind, f.N))
	}
	shares := make(keyShares, min(rows, budget))
	if err := e.Index.KeyClients(ctx, read, areaIDs, func(i int, id int64) { shares.add(id, weights[i]) }); err != nil {
		return nil, err
	}
	return shares.top(limit), nil
}

// keyShares holds, for each client found through the key index, the
// heaviest key it shares with the query and the sum of them all.
type keyShares map[int64]struct{ max, sum int64 }

func (ks keyShares) add(id, weight int64) {
	s := ks[id]
	s.max, s.sum = max(s.max, weight), s.sum+weight
	ks[id] = s
}

// top returns the limit clients ranked first: by three times the heaviest
// shared key plus the sum, then by id.
func (ks keyShares) top(limit int) []int64 {
	type ranked struct{ id, rank int64 }
	order := make([]ranked, 0, len(ks))
	for id, s := range ks {
		order = append(order, ranked{id, 3*s.max + s.sum})
	}
	slices.SortFunc(order, func(a, b ranked) int {
		if a.rank != b.rank {
			return cmp.Compare(b.rank, a.rank)
		}
		return cmp.Compare(a.id, b.id)
	})
	ids := make([]int64, min(len(order), limit))
	for i := range ids {
		ids[i] = order[i].id
	}
	return ids
}

// keyWeight is how much sharing a key of kind shared by n clients says about
// a candidate: the rarer the key, the more (an inverse document frequency,
// in hundredths). A sound key counts for less than a spelling key as rare:
// Double Metaphone keeps four sounds, so long names alike only in their
// first syllables share one, while a shared deletion key means the whole
// names are one typo apart ("Woodlpeymore" finds Woodleymore first).
func keyWeight(kind string, n int) int64 {
	w := 100 * (math.Log(1e7) - math.Log(float64(max(n, 1))))
	if kind == match.KindFamilyPhonetic || kind == match.KindGivenPhonetic {
		w *= phoneticKeyWeight
	}
	return int64(w)
}

// phoneticKeyWeight scales sound keys against spelling keys; 0.5 and 0.7
// did alike in the evaluation (docs/search-evaluation.md), 1 missed typos.
const phoneticKeyWeight = 0.7

// maxCorrections is how many corrected spellings of the query are looked up.
const maxCorrections = 3

// corrected finds, by exact name, clients whose name is the query with one
// word replaced by a close spelling (one typo, or the same Double Metaphone
// key) seen among cands, the most frequent first. It adds the clients it
// loads to cands and returns their ids. The corrected spellings are looked
// up, and what they find loaded, in one Load.
func (e *Engine) corrected(ctx context.Context, tokens []string, areaIDs []int64, cands map[int64]*match.Candidate) ([]int64, error) {
	type fix struct {
		word int
		to   string
	}
	count := map[fix]int{}
	near := make([]func(string) bool, len(tokens))
	for i, t := range tokens {
		if len(t) >= 3 {
			near[i] = match.Near(t)
		}
	}
	seen := map[string]bool{}
	for _, c := range cands {
		for _, w := range strings.Fields(match.Fold(c.Given + " " + c.Family)) {
			for i, t := range tokens {
				if near[i] == nil || w == t {
					continue
				}
				f := fix{i, w}
				if n, ok := count[f]; ok {
					count[f] = n + 1
					continue
				}
				if tried := strconv.Itoa(i) + w; !seen[tried] {
					seen[tried] = true
					if near[i](w) {
						count[f] = 1
					}
				}
			}
		}
	}
	fixes := slices.Collect(maps.Keys(count))
	sort.Slice(fixes, func(i, j int) bool {
		if count[fixes[i]] != count[fixes[j]] {
			return count[fixes[i]] > count[fixes[j]]
		}
		return fixes[i].to < fixes[j].to
	})
	var readings [][]string
	for _, f := range fixes[:min(len(fixes), maxCorrections)] {
		fixed := slices.Clone(tokens)
		fixed[f.word] = f.to
		readings = append(readings, fixed)
	}
	// The name as typed with one letter dropped or two neighbours swapped
	// in one word: the commonest slips that the candidates may not show
	// when the other word is too common for its keys to be read ("Olivia
	// Elnso" for Olivia Elso, "Niamh Moroe" for Niamh Moore). Each is a
	// lookup by exact name, cheap beside the key index.
	// Only a word few clients are named is slipped: one that many are
	// named is most likely typed right, and its slips cost lookups.
	var slipped []Slip
	if len(tokens) >= 2 {
		rare, err := e.rareWords(ctx, tokens[:2])
		if err != nil {
			return nil, err
		}
		for i, t := range tokens[:2] {
			if vs := slips(t); rare[i] && len(vs) > 0 {
				slipped = append(slipped, Slip{Word: tokens[1-i], Variants: vs})
			}
		}
	}
	if len(readings) == 0 && len(slipped) == 0 {
		return nil, nil
	}
	loaded, err := e.Index.Load(ctx, Lookup{Names: readings, Slips: slipped, AreaIDs: areaIDs})
	if err != nil {
		return nil, err
	}
	var ids []int64
	for id, c := range loaded {
		if _, ok := cands[id]; !ok {
			cands[id] = c
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// slipRare is how many clients may hold a word as their given or family
// name for its slips to be looked up.
const slipRare = 100

// rareWords reports, for each word, whether fewer than slipRare clients
// hold it as a given or a family name (its own key of either kind).
func (e *Engine) rareWords(ctx context.Context, words []string) ([]bool, error) {
	var keys []match.NameKey
	for _, w := range words {
		keys = append(keys, match.NameKey{Kind: match.KindFamilyDeletion, Key: w}, match.NameKey{Kind: match.KindGivenDeletion, Key: w})
	}
	counts, err := e.Index.KeyCounts(ctx, keys)
	if err != nil {
		return nil, err
	}
	rare := make([]bool, len(words))
	for i, w := range words {
		rare[i] = true
		for _, c := range counts {
			if c.Key.Key == w && (c.Key.Kind == match.KindFamilyDeletion || c.Key.Kind == match.KindGivenDeletion) && c.N >= slipRare {
				rare[i] = false
			}
		}
	}
	return rare, nil
}

// minSlipLen is the shortest word whose slips are looked up: a shorter
// word's variants are other common short names.
const minSlipLen = 4

// slips returns w with one letter deleted and with two neighbouring
// letters swapped, each once, without w itself.
func slips(w string) []string {
	rs := []rune(w)
	if len(rs) < minSlipLen {
		return nil
	}
	var out []string
	add := func(v string) {
		if v != w && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for i := range rs {
		add(string(rs[:i]) + string(rs[i+1:]))
	}
	for i := 0; i+1 < len(rs); i++ {
		sw := slices.Clone(rs)
		sw[i], sw[i+1] = sw[i+1], sw[i]
		add(string(sw))
	}
	return out
}
