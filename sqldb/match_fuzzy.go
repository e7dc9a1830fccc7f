package sqldb

import (
	"context"
	"slices"
	"sort"
	"strings"

	"patchwork"
	"patchwork/match"
)

// FuzzyMatcher is Patchwork's client search engine (docs/search-names.md):
// candidates come from indexed keys that work alike on both databases —
// one-typo deletion keys, Double Metaphone keys and nickname groups in
// client_keys, exact and prefix names in client_names, and the exact or
// day-month-swapped date of birth — and are then ranked in Go by
// match.Score, which also says why each one matched.
type FuzzyMatcher struct{}

// Candidate generation limits. Keys shared by more than maxKeyPosting
// clients ("smith", "john") say little and cost much, so they are skipped and
// the exact-name lookups cover common names instead.
const (
	maxKeyCandidates = 300   // clients taken from the key index, most keys shared first
	dobKeyCandidates = 60    // the same when a full date of birth also finds candidates
	maxKeyPosting    = 5000  // keys with more clients than this are skipped
	keyRowBudget     = 40000 // index rows read for one query at most
	dobKeyRowBudget  = 2000  // the same when a full date of birth also finds candidates
	nameLookupLimit  = 100   // clients per exact or prefix name lookup
	fewCandidates    = 20    // below this, prefixes of what was typed are tried too
	maxQueryTokens   = 4     // name words used for name lookups
)

// SearchMinScore is the score from which a client is shown, in search and
// in duplicate checks alike: a "possible" match. It admits one name word
// with a typo or sound-alike, and turns away the same name with a
// conflicting date of birth.
const SearchMinScore = match.PossibleThreshold

// MatchClients implements ClientMatcher.
func (FuzzyMatcher) MatchClients(ctx context.Context, db *DB, mq MatchQuery) (*MatchResult, error) {
	var q match.Query
	if mq.Client != nil {
		dob, err := match.ParseDOB(mq.Client.DateOfBirth)
		if err != nil {
			dob = ""
		}
		q = match.FormQuery(mq.Client.FirstName, mq.Client.LastName, dob)
	} else {
		q = match.ParseQuery(mq.Text, db.now())
	}
	if !namesEnough(q.Names) {
		return &MatchResult{TooShort: true}, nil
	}
	ms, truncated, err := db.fuzzyMatches(ctx, q, nil, SearchMinScore)
	if err != nil {
		return nil, err
	}
	res := &MatchResult{}
	var areas map[int64][]int64 // nil when no area question was asked
	if mq.AreaIDs != nil || len(mq.CountAreas) > 0 || len(mq.PreferAreas) > 0 {
		areas, err = db.clientAreaSets(ctx, matchIDs(ms))
		if err != nil {
			return nil, err
		}
	}
	if areas != nil {
		if len(mq.CountAreas) > 0 {
			res.Counts = make(map[string]int, len(mq.CountAreas))
			for scope, set := range mq.CountAreas {
				for _, m := range ms {
					if set == nil || overlaps(areas[m.ID], set) {
						res.Counts[scope]++
					}
				}
			}
		}
		if mq.AreaIDs != nil {
			in := ms[:0:0]
			for _, m := range ms {
				if overlaps(areas[m.ID], mq.AreaIDs) {
					in = append(in, m)
				}
			}
			ms = in
			// The network-wide candidates were cut off, so some local ones
			// may be missing: look again within the scope only.
			if truncated && len(ms) <= mq.Limit && len(mq.AreaIDs) > 0 {
				more, _, err := db.fuzzyMatches(ctx, q, mq.AreaIDs, SearchMinScore)
				if err != nil {
					return nil, err
				}
				ms = mergeMatches(ms, more)
				if areas, err = db.clientAreaSets(ctx, matchIDs(ms)); err != nil {
					return nil, err
				}
			}
		}
	}
	sortMatches(ms)
	if len(mq.PreferAreas) > 0 {
		// Local first, but never above a match of a better level.
		rank := func(m *patchwork.ClientMatch) int {
			r := 0
			if m.Level == "likely" {
				r = 2
			}
			if overlaps(areas[m.ID], mq.PreferAreas) {
				r++
			}
			return r
		}
		sort.SliceStable(ms, func(i, j int) bool { return rank(ms[i]) > rank(ms[j]) })
	}
	if len(ms) > mq.Limit {
		ms = ms[:mq.Limit]
	}
	res.Matches = ms
	return res, nil
}

// namesEnough reports whether the query names someone well enough to search:
// at least one name word of two letters or more.
func namesEnough(names []string) bool {
	for _, n := range names {
		if len([]rune(n)) >= 2 {
			return true
		}
	}
	return false
}

// fuzzyMatches finds candidates (within areaIDs unless nil), scores them and
// keeps those scoring minScore or more. truncated reports that the key index
// gave more candidates than were taken.
func (db *DB) fuzzyMatches(ctx context.Context, q match.Query, areaIDs []int64, minScore float64) ([]*patchwork.ClientMatch, bool, error) {
	if areaIDs != nil && len(areaIDs) == 0 {
		return nil, false, nil
	}
	var ids []int64
	var truncated bool
	cands := map[int64]*match.Candidate{}
	// With a full date of birth, the exact name and the date alone usually
	// find the client: when one of them is a likely match, the key index,
	// which costs most, is not read.
	if dobs := dobCandidates(q.Date); len(dobs) > 0 {
		quick, err := db.nameCandidates(ctx, queryTokens(q.Names), areaIDs, false)
		if err != nil {
			return nil, false, err
		}
		more, err := db.dobCandidateIDs(ctx, dobs, areaIDs)
		if err != nil {
			return nil, false, err
		}
		for _, id := range more {
			if !slices.Contains(quick, id) {
				quick = append(quick, id)
			}
		}
		if cands, err = db.loadCandidates(ctx, quick); err != nil {
			return nil, false, err
		}
		for _, c := range cands {
			if s, _ := match.Score(q, *c); s >= match.LikelyThreshold {
				ids = quick
				break
			}
		}
	}
	if ids == nil {
		var err error
		if ids, truncated, err = db.clientCandidates(ctx, q, areaIDs); err != nil {
			return nil, false, err
		}
		var missing []int64
		for _, id := range ids {
			if _, ok := cands[id]; !ok {
				missing = append(missing, id)
			}
		}
		loaded, err := db.loadCandidates(ctx, missing)
		if err != nil {
			return nil, false, err
		}
		for id, c := range loaded {
			cands[id] = c
		}
	}
	// The key index was cut off and no date of birth narrows the search:
	// the client may hide among the many sharing a common name's keys.
	// Spellings close to what was typed, seen among the candidates, are
	// looked up by exact name too ("Sophia Orllo" finds Sophia Orlo).
	if truncated && len(dobCandidates(q.Date)) == 0 {
		more, err := db.correctedCandidates(ctx, q, areaIDs, cands)
		if err != nil {
			return nil, false, err
		}
		ids = append(ids, more...)
	}
	var out []*patchwork.ClientMatch
	for _, id := range ids {
		c, ok := cands[id]
		if !ok {
			continue
		}
		score, reasons := match.Score(q, *c)
		if score < minScore && q.Date.Match(c.DOB) != match.DateConflict && typedPrefixes(q.Names, c) {
			score, reasons = minScore, append(reasons[:0:0], "names start with what you typed")
		}
		if score < minScore {
			continue
		}
		m := &patchwork.ClientMatch{ID: id, Score: score, Reasons: reasons, Level: match.Level(score)}
		if slices.Contains(reasons, "matched alias") {
			m.MatchedAlias = bestAlias(q, c)
		}
		out = append(out, m)
	}
	return out, truncated, nil
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
	closeTo := make([]map[string]bool, len(tokens))
	for i, t := range tokens {
		if len(t) < 3 {
			continue
		}
		closeTo[i] = map[string]bool{}
		for _, k := range match.DeletionKeys(t) {
			closeTo[i]["d:"+k] = true
		}
		for _, k := range match.PhoneticKeys(t) {
			closeTo[i]["p:"+k] = true
		}
	}
	seen := map[string]bool{}
	near := func(i int, w string) bool {
		for _, k := range match.PhoneticKeys(w) {
			if closeTo[i]["p:"+k] {
				return true
			}
		}
		for _, k := range match.DeletionKeys(w) {
			if closeTo[i]["d:"+k] {
				return true
			}
		}
		return false
	}
	for _, c := range cands {
		for _, w := range strings.Fields(foldText(c.Given + " " + c.Family)) {
			for i, t := range tokens {
				if closeTo[i] == nil || w == t {
					continue
				}
				f := fix{i, w}
				if n, ok := count[f]; ok {
					count[f] = n + 1
					continue
				}
				if !seen[itoa(i)+w] {
					seen[itoa(i)+w] = true
					if near(i, w) {
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
	var ids []int64
	for _, f := range fixes[:min(len(fixes), maxCorrections)] {
		fixed := slices.Clone(tokens)
		fixed[f.word] = f.to
		more, err := db.nameCandidates(ctx, fixed, areaIDs, false)
		if err != nil {
			return nil, err
		}
		for _, id := range more {
			if _, ok := cands[id]; !ok && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	loaded, err := db.loadCandidates(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, c := range loaded {
		cands[id] = c
	}
	return ids, nil
}

// typedPrefixes reports whether every query word of two letters or more
// starts a different part of c's primary name, and there are two such words:
// a half-typed name ("harr okon") is worth showing as a possible match even
// though match.Score, which compares whole names, rates it lower.
func typedPrefixes(names []string, c *match.Candidate) bool {
	parts := append(match.NameParts(c.Given), match.NameParts(c.Family)...)
	used := make([]bool, len(parts))
	n := 0
	for _, w := range names {
		if len(w) < 2 {
			continue
		}
		found := false
		for i, p := range parts {
			if !used[i] && strings.HasPrefix(p, w) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return false
		}
		n++
	}
	return n >= 2
}

// bestAlias returns the alias of c that fits q best, as entered.
func bestAlias(q match.Query, c *match.Candidate) string {
	best, bestScore := "", -1.0
	for _, a := range c.Aliases {
		s, _ := match.Score(q, match.Candidate{Given: a.Given, Family: a.Family, DOB: c.DOB})
		if s > bestScore {
			best, bestScore = strings.TrimSpace(a.Given+" "+a.Family), s
		}
	}
	return best
}

// sqlArgs collects numbered arguments while a statement is built.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + itoa(len(*a))
}

func (a *sqlArgs) list(ids []int64) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = a.add(id)
	}
	return strings.Join(ph, ", ")
}

// inAreas is an SQL condition that client col is in one of areaIDs, or ""
// when areaIDs is nil (the whole network).
func inAreas(args *sqlArgs, col string, areaIDs []int64) string {
	if areaIDs == nil {
		return ""
	}
	return ` AND EXISTS (SELECT 1 FROM client_areas ca WHERE ca.client_id = ` + col +
		` AND ca.area_id IN (` + args.list(areaIDs) + `))`
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
	if len(dobs) > 0 {
		limit, budget = dobKeyCandidates, dobKeyRowBudget
	}
	keyIDs, err := db.keyCandidates(ctx, match.QueryKeys(q.Names), areaIDs, limit, budget)
	if err != nil {
		return nil, false, err
	}
	add(keyIDs)
	tokens := queryTokens(q.Names)
	more, err := db.nameCandidates(ctx, tokens, areaIDs, len(ids) < fewCandidates)
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
	return queryIDs(ctx, db.read, `SELECT c.id FROM clients c WHERE c.date_of_birth IN (`+
		strings.Join(argStrings(&args, dobs), ", ")+`)`+inAreas(&args, "c.id", areaIDs), args...)
}

func argStrings(args *sqlArgs, vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = args.add(v)
	}
	return out
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

// keyCandidates returns clients sharing the most keys with the query. Keys
// are read rarest first, skipping those shared by too many clients.
func (db *DB) keyCandidates(ctx context.Context, keys []match.NameKey, areaIDs []int64, limit, budget int) ([]int64, error) {
	if len(keys) == 0 {
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
	ph := argStrings(&args, padStrings(distinct))
	rows, err := db.read.QueryContext(ctx, `SELECT key, kind, n FROM client_key_freq WHERE key IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	type freq struct {
		k match.NameKey
		n int
	}
	var fs []freq
	for rows.Next() {
		var f freq
		if err := rows.Scan(&f.k.Key, &f.k.Kind, &f.n); err != nil {
			rows.Close()
			return nil, err
		}
		if wanted[f.k] && f.n > 0 && f.n <= maxKeyPosting {
			fs = append(fs, f)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, nil
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].n < fs[j].n })
	args = args[:0]
	var parts []string
	for _, f := range fs {
		if budget -= f.n; budget < 0 && len(parts) > 0 {
			break
		}
		parts = append(parts, `SELECT client_id FROM client_keys WHERE key = `+args.add(f.k.Key)+` AND kind = `+args.add(f.k.Kind))
	}
	where := ""
	if areaIDs != nil {
		where = " WHERE " + strings.TrimPrefix(inAreas(&args, "k.client_id", areaIDs), " AND ")
	}
	return queryIDs(ctx, db.read, `SELECT k.client_id FROM (`+strings.Join(parts, " UNION ALL ")+`) k`+where+
		` GROUP BY k.client_id ORDER BY COUNT(*) DESC, k.client_id LIMIT `+args.add(limit), args...)
}

// padStrings repeats the last value up to a size from a short ladder, so that
// IN lists of varying length reuse a few prepared statements.
func padStrings(vs []string) []string {
	n := 8
	for n < len(vs) {
		n *= 2
	}
	out := make([]string, n)
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
	var parts []string
	sub := func(cond string) {
		parts = append(parts, `SELECT client_id FROM (SELECT n.client_id FROM client_names n WHERE `+cond+
			inAreas(&args, "n.client_id", areaIDs)+` LIMIT `+itoa(nameLookupLimit)+`) p`+itoa(len(parts)))
	}
	prefix := func(col, v string) string {
		return col + " >= " + args.add(v) + " AND " + col + " < " + args.add(v+"\x7f")
	}
	for i, g := range tokens {
		for j, f := range tokens {
			if i == j || len(f) < 2 {
				continue
			}
			sub(`n.family_norm = ` + args.add(f) + ` AND ` + prefix("n.given_norm", g))
			if prefixes && len(f) >= 3 {
				sub(prefix("n.family_norm", f) + ` AND ` + prefix("n.given_norm", g))
			}
		}
	}
	if len(tokens) == 1 && prefixes && len(tokens[0]) >= 2 {
		sub(prefix("n.family_norm", tokens[0]))
		sub(prefix("n.given_norm", tokens[0]))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return queryIDs(ctx, db.read, strings.Join(parts, " UNION ALL "), args...)
}

func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
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
		rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.first_name, c.last_name, c.date_of_birth, COALESCE(n.display, '')
			FROM clients c LEFT JOIN client_names n ON n.client_id = c.id AND n.is_alias = 1
			WHERE c.id IN (`+ph+`) ORDER BY c.id, n.id`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var given, family, dob, alias string
			if err := rows.Scan(&id, &given, &family, &dob, &alias); err != nil {
				rows.Close()
				return nil, err
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
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// clientAreaSets returns the local areas of each client.
func (db *DB) clientAreaSets(ctx context.Context, ids []int64) (map[int64][]int64, error) {
	out := make(map[int64][]int64, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), idChunk)]
		ids = ids[len(chunk):]
		ph, args := idList(chunk, 1)
		rows, err := db.read.QueryContext(ctx, `SELECT client_id, area_id FROM client_areas WHERE client_id IN (`+ph+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, area int64
			if err := rows.Scan(&id, &area); err != nil {
				rows.Close()
				return nil, err
			}
			if !slices.Contains(out[id], area) {
				out[id] = append(out[id], area)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func matchIDs(ms []*patchwork.ClientMatch) []int64 {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

func overlaps(a, b []int64) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// mergeMatches adds to ms those of more it does not hold yet.
func mergeMatches(ms, more []*patchwork.ClientMatch) []*patchwork.ClientMatch {
	seen := make(map[int64]bool, len(ms))
	for _, m := range ms {
		seen[m.ID] = true
	}
	for _, m := range more {
		if !seen[m.ID] {
			ms = append(ms, m)
		}
	}
	return ms
}
