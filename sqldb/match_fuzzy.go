package sqldb

import (
	"context"
	"maps"
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
	// Clients taken from the key index, most keys shared first. 300 found
	// one typo query more in 200 at a million clients than 250, for a
	// fifth more candidates to load and score (docs/performance.md).
	maxKeyCandidates = 250
	// SQLite (pure Go) reads keys and loads candidates about half as fast
	// as PostgreSQL: it takes fewer, trading a point of typo recall at a
	// million clients for its latency target.
	sqliteKeyCandidates = 200
	dobKeyCandidates    = 60    // the same when a full date of birth also finds candidates
	maxKeyPosting       = 5000  // keys with more clients than this are skipped
	keyRowBudget        = 10000 // index rows read for one query at most
	dobKeyRowBudget     = 2000  // the same when a full date of birth also finds candidates
	scopedKeyRowBudget  = 3000  // the same for the second look within the caller's areas
	nameLookupLimit     = 100   // clients per exact or prefix name lookup
	scopedNameScan      = 1000  // names read per lookup within the caller's areas
	fewCandidates       = 20    // below this, prefixes of what was typed are tried too
	maxQueryTokens      = 4     // name words used for name lookups
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
	// Without a full date of birth, the network-wide look below is usually
	// cut off, and a second look within the caller's areas follows: it
	// starts now, on another connection, and is dropped if not needed.
	type scopedLook struct {
		ms  []*patchwork.ClientMatch
		err error
	}
	var scoped chan scopedLook
	if len(mq.AreaIDs) > 0 && len(dobCandidates(q.Date)) == 0 {
		scoped = make(chan scopedLook, 1)
		go func() {
			ms, _, err := db.fuzzyMatches(ctx, q, mq.AreaIDs, SearchMinScore)
			scoped <- scopedLook{ms, err}
		}()
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
				var more []*patchwork.ClientMatch
				if scoped != nil {
					look := <-scoped
					more, err = look.ms, look.err
				} else {
					more, _, err = db.fuzzyMatches(ctx, q, mq.AreaIDs, SearchMinScore)
				}
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
	// Both lookups and the loading of what they find take one statement.
	if dobs := dobCandidates(q.Date); len(dobs) > 0 {
		var args sqlArgs
		sub := dobCandidatesSQL(&args, dobs, areaIDs)
		if names := nameCandidatesSQL(&args, queryTokens(q.Names), areaIDs, false); names != "" {
			sub = names + " UNION ALL " + sub
		}
		if err := db.loadCandidatesIn(ctx, cands, sub, args); err != nil {
			return nil, false, err
		}
		for _, c := range cands {
			if s, _ := match.Score(q, *c); s >= match.LikelyThreshold {
				ids = slices.Sorted(maps.Keys(cands))
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
