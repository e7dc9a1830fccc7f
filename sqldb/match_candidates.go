package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"iter"
	"math"
	"slices"
	"sort"
	"strings"

	"patchwork/match"
)

// Candidate generation for FuzzyMatcher: which clients are worth scoring,
// read from the key index, exact and prefix names and the date of birth.

// inAreas is the SQL condition that client col is in one of areaIDs, or ""
// when areaIDs is nil (the whole network).
func inAreas(args *sqlArgs, col string, areaIDs []int64) string {
	if areaIDs == nil {
		return ""
	}
	return `EXISTS (SELECT 1 FROM client_areas ca WHERE ca.client_id = ` + col +
		` AND ca.area_id IN (` + strings.Join(addAll(args, areaIDs), ", ") + `))`
}

// clientCandidates returns the ids of clients worth scoring, from the key
// index, exact and prefix names, and the date of birth.
func (db *DB) clientCandidates(ctx context.Context, q match.Query, areaIDs []int64) ([]int64, bool, error) {
	if areaIDs != nil && len(areaIDs) == 0 {
		return nil, false, nil
	}
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
	dobs := dobCandidates(q.Date)
	limit, budget := maxKeyCandidates, keyRowBudget
	if db.pool == nil {
		limit = sqliteKeyCandidates
	}
	if len(dobs) > 0 {
		limit, budget = dobKeyCandidates, dobKeyRowBudget
	}
	if areaIDs != nil {
		// A second look within the caller's areas (see MatchClients): each
		// key row read costs an area check, and the rarest keys, read
		// first, matter most.
		budget = min(budget, scopedKeyRowBudget)
	}
	keyIDs, err := db.keyCandidates(ctx, match.QueryKeys(q.Names), areaIDs, limit, budget)
	if err != nil {
		return nil, false, err
	}
	add(keyIDs)
	tokens := queryTokens(q.Names)
	// Prefix lookups run network-wide only: within areas each name in a
	// prefix's range costs an area check, and a range such as every given
	// name starting "olivia" holds tens of thousands (70 ms a lookup).
	more, err := db.nameCandidates(ctx, tokens, areaIDs, areaIDs == nil && len(ids) < fewCandidates)
	if err != nil {
		return nil, false, err
	}
	add(more)
	if len(dobs) > 0 {
		more, err := db.dobCandidateIDs(ctx, dobs, areaIDs)
		if err != nil {
			return nil, false, err
		}
		add(more)
	}
	return ids, len(keyIDs) == limit, nil
}

// dobCandidateIDs returns the clients born on one of dobs.
func (db *DB) dobCandidateIDs(ctx context.Context, dobs []string, areaIDs []int64) ([]int64, error) {
	if areaIDs != nil && len(areaIDs) == 0 {
		return nil, nil
	}
	var args sqlArgs
	return queryIDs(ctx, db.read, dobCandidatesSQL(&args, dobs, areaIDs), args...)
}

// dobCandidatesSQL is a query of the ids of the clients born on one of dobs.
func dobCandidatesSQL(args *sqlArgs, dobs []string, areaIDs []int64) string {
	q := `SELECT c.id FROM clients c WHERE c.date_of_birth IN (` + strings.Join(addAll(args, dobs), ", ") + `)`
	if in := inAreas(args, "c.id", areaIDs); in != "" {
		q += ` AND ` + in
	}
	return q
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

// queryTokens returns up to maxQueryTokens name words as client_names
// stores them.
func queryTokens(names []string) []string {
	var out []string
	for _, n := range names {
		for _, p := range match.NameParts(n) {
			if len(out) < maxQueryTokens {
				out = append(out, foldText(p))
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
func (db *DB) keyCandidates(ctx context.Context, keys []match.NameKey, areaIDs []int64, limit, budget int) ([]int64, error) {
	if len(keys) == 0 || (areaIDs != nil && len(areaIDs) == 0) {
		return nil, nil
	}
	var distinct []string
	wanted := map[match.NameKey]bool{}
	for _, k := range keys {
		if !slices.Contains(distinct, k.Key) {
			distinct = append(distinct, k.Key)
		}
		wanted[k] = true
	}
	var args sqlArgs
	ph := addAll(&args, padded(distinct))
	type freq struct {
		k match.NameKey
		n int
	}
	all, err := scanAll(ctx, db.read, `SELECT key, kind, n FROM client_key_freq WHERE key IN (`+strings.Join(ph, ", ")+`)`,
		func(sc interface{ Scan(...any) error }) (f freq, err error) {
			err = sc.Scan(&f.k.Key, &f.k.Kind, &f.n)
			return f, err
		}, args...)
	if err != nil {
		return nil, err
	}
	fs := slices.DeleteFunc(all, func(f freq) bool { return !wanted[f.k] || f.n <= 0 || f.n > maxKeyPosting })
	if len(fs) == 0 {
		return nil, nil
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].n < fs[j].n })
	// Each key's clients come back as one comma-separated list and are
	// ranked here: grouping and ordering ten thousand rows in SQL cost
	// SQLite's virtual machine most of a name-only search.
	args = args[:0]
	var parts []string
	var weights []int64
	read := 0
	for _, f := range fs {
		if read += f.n; read > budget && len(parts) > 0 {
			break
		}
		if areaIDs == nil {
			parts = append(parts, `SELECT `+itoa(len(parts))+`, string_agg(CAST(client_id AS TEXT), ',') FROM client_keys WHERE key = `+
				args.add(f.k.Key)+` AND kind = `+args.add(f.k.Kind))
		} else {
			parts = append(parts, `SELECT `+itoa(len(parts))+` AS i, client_id FROM client_keys WHERE key = `+
				args.add(f.k.Key)+` AND kind = `+args.add(f.k.Kind))
		}
		weights = append(weights, keyWeight(f.k.Kind, f.n))
	}
	q := strings.Join(parts, " UNION ALL ")
	if areaIDs != nil {
		// The area check is made once, on all the keys' rows: checked in
		// each key's lookup, PostgreSQL read the areas' clients once a key.
		q = `SELECT k.i, string_agg(CAST(k.client_id AS TEXT), ',') FROM (` + q + `) k WHERE ` +
			inAreas(&args, "k.client_id", areaIDs) + ` GROUP BY k.i`
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	shares := make(keyShares, min(read, budget))
	for rows.Next() {
		var i int
		var list sql.NullString
		if err := rows.Scan(&i, &list); err != nil {
			return nil, err
		}
		for id := range idsIn(list.String) {
			shares.add(id, weights[i])
		}
	}
	if err := rows.Err(); err != nil {
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

// idsIn yields the ids of a comma-separated list of decimal ids.
func idsIn(list string) iter.Seq[int64] {
	return func(yield func(int64) bool) {
		if list == "" {
			return
		}
		var id int64
		for i := 0; i <= len(list); i++ {
			if i == len(list) || list[i] == ',' {
				if !yield(id) {
					return
				}
				id = 0
				continue
			}
			id = id*10 + int64(list[i]-'0')
		}
	}
}

// padded repeats the last value up to a size from a short ladder (8, 16,
// 32 …), so that IN lists of varying length reuse a few prepared statements.
func padded[T any](vs []T) []T {
	n := 8
	for n < len(vs) {
		n *= 2
	}
	out := make([]T, n)
	for i := range out {
		out[i] = vs[min(i, len(vs)-1)]
	}
	return out
}

// nameCandidates finds clients by exact surname and given-name prefix for
// each reading of the words as given and family name, which covers common
// names whose keys were skipped. With prefixes also true, surnames and single
// words match as prefixes too, for half-typed names ("harr okon").
func (db *DB) nameCandidates(ctx context.Context, tokens []string, areaIDs []int64, prefixes bool) ([]int64, error) {
	var args sqlArgs
	q := nameCandidatesSQL(&args, tokens, areaIDs, prefixes)
	if q == "" {
		return nil, nil
	}
	return queryIDs(ctx, db.read, q, args...)
}

// nameCandidatesSQL is the query of nameCandidates, or "" when the tokens
// give nothing to look up.
func nameCandidatesSQL(args *sqlArgs, tokens []string, areaIDs []int64, prefixes bool) string {
	var parts []string
	sub := func(cond string) {
		p := "p" + itoa(len(parts))
		if areaIDs == nil {
			parts = append(parts, `SELECT client_id FROM (SELECT n.client_id FROM client_names n WHERE `+cond+
				` LIMIT `+itoa(nameLookupLimit)+`) `+p)
			return
		}
		// Within areas, the names read are bounded too: each costs an area
		// check, and a name held by thousands (Olivia Smith) cannot be told
		// apart without a date of birth anyway.
		parts = append(parts, `SELECT client_id FROM (SELECT client_id FROM (SELECT n.client_id FROM client_names n WHERE `+cond+
			` LIMIT `+itoa(scopedNameScan)+`) s WHERE `+inAreas(args, "s.client_id", areaIDs)+
			` LIMIT `+itoa(nameLookupLimit)+`) `+p)
	}
	for i, g := range tokens {
		for j, f := range tokens {
			if i == j || len(f) < 2 {
				continue
			}
			sub(`n.family_norm = ` + args.add(f) + ` AND ` + prefixCond(args, "n.given_norm", g))
			if len(g) >= 6 {
				// A slip late in a long given name beside a surname too
				// common for its keys to be read ("Lenrave Thomas" for
				// Lenrava Thomas): the surname and the given name's start.
				sub(`n.family_norm = ` + args.add(f) + ` AND ` + prefixCond(args, "n.given_norm", g[:4]))
			}
			if prefixes && len(f) >= 3 {
				sub(prefixCond(args, "n.family_norm", f) + ` AND ` + prefixCond(args, "n.given_norm", g))
			}
		}
	}
	if len(tokens) == 1 && prefixes && len(tokens[0]) >= 2 {
		sub(prefixCond(args, "n.family_norm", tokens[0]))
		sub(prefixCond(args, "n.given_norm", tokens[0]))
	}
	return strings.Join(parts, " UNION ALL ")
}

// idChunk is how many ids one candidate-loading query takes.
const idChunk = 256

// loadCandidates loads what match.Score needs about each client: its name,
// date of birth and aliases, in one query per chunk of ids.
func (db *DB) loadCandidates(ctx context.Context, ids []int64) (map[int64]*match.Candidate, error) {
	out := make(map[int64]*match.Candidate, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), idChunk)]
		ids = ids[len(chunk):]
		ph, args := idList(chunk, 1)
		if err := db.loadCandidatesIn(ctx, out, ph, args); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadCandidatesIn adds to out the candidates whose ids are in the list or
// subquery ids.
func (db *DB) loadCandidatesIn(ctx context.Context, out map[int64]*match.Candidate, ids string, args []any) error {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.first_name, c.last_name, c.date_of_birth, COALESCE(n.display, '')
		FROM clients c LEFT JOIN client_names n ON n.client_id = c.id AND n.is_alias = 1
		WHERE c.id IN (`+ids+`) ORDER BY c.id, n.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var given, family, dob, alias string
		if err := rows.Scan(&id, &given, &family, &dob, &alias); err != nil {
			return err
		}
		c := out[id]
		if c == nil {
			c = &match.Candidate{Given: given, Family: family, DOB: dob}
			out[id] = c
		}
		if alias != "" {
			g, f := splitName(alias)
			c.Aliases = append(c.Aliases, match.Alias{Given: g, Family: f})
		}
	}
	return rows.Err()
}

// maxCorrections is how many corrected spellings of the query are looked up.
const maxCorrections = 3

// correctedCandidates finds, by exact name, clients whose name is the query
// with one word replaced by a close spelling (one typo, or the same Double
// Metaphone key) seen among cands, the most frequent first. It adds the
// clients it loads to cands and returns their ids.
func (db *DB) correctedCandidates(ctx context.Context, q match.Query, areaIDs []int64, cands map[int64]*match.Candidate) ([]int64, error) {
	tokens := queryTokens(q.Names)
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
		for _, w := range strings.Fields(foldText(c.Given + " " + c.Family)) {
			for i, t := range tokens {
				if near[i] == nil || w == t {
					continue
				}
				f := fix{i, w}
				if n, ok := count[f]; ok {
					count[f] = n + 1
					continue
				}
				if !seen[itoa(i)+w] {
					seen[itoa(i)+w] = true
					if near[i](w) {
						count[f] = 1
					}
				}
			}
		}
	}
	fixes := make([]fix, 0, len(count))
	for f := range count {
		fixes = append(fixes, f)
	}
	sort.Slice(fixes, func(i, j int) bool {
		if count[fixes[i]] != count[fixes[j]] {
			return count[fixes[i]] > count[fixes[j]]
		}
		return fixes[i].to < fixes[j].to
	})
	// The corrected spellings are looked up, and what they find loaded, in
	// one statement.
	var args sqlArgs
	var subs []string
	for _, f := range fixes[:min(len(fixes), maxCorrections)] {
		fixed := slices.Clone(tokens)
		fixed[f.word] = f.to
		if sub := nameCandidatesSQL(&args, fixed, areaIDs, false); sub != "" {
			subs = append(subs, sub)
		}
	}
	if len(subs) == 0 {
		return nil, nil
	}
	loaded := map[int64]*match.Candidate{}
	if err := db.loadCandidatesIn(ctx, loaded, strings.Join(subs, " UNION ALL "), args); err != nil {
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
