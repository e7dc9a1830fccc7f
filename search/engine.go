package search

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"patchwork"
	"patchwork/match"
)

// Query is what the engine looks for: either the free text of the search
// box or the details of a client about to be added.
type Query struct {
	Text   string            // search box text, when searching
	Client *patchwork.Client // a new client's details, when checking duplicates
	// Now is the time dates in Text are read against (match.ParseQuery):
	// two-digit years take the latest century not after it, and later
	// dates are no date of birth.
	Now     time.Time
	AreaIDs []int64 // restrict to clients in these local areas; nil for all
	Limit   int
	// CountAreas, when set, asks for the number of matches at each named
	// scope (such as patchwork.ScopeDistrict), each given by its local areas
	// (nil for the whole network).
	CountAreas map[string][]int64
	// PreferAreas lists the caller's own local areas: among matches of the
	// same level, clients there come first.
	PreferAreas []int64
}

// Result is what the engine found.
type Result struct {
	// Matches are the best matches first, at most Limit, with only ID,
	// MatchedAlias, Score, Reasons and Level filled; the caller loads what
	// may be shown.
	Matches []*patchwork.ClientMatch
	// Counts holds the number of matches at each scope of CountAreas.
	Counts map[string]int
	// TooShort reports a query that does not name anyone well enough to be
	// allowed (docs/security.md); nothing was searched.
	TooShort bool
}

// Engine finds clients in an Index: candidates come from indexed keys that
// work alike on both databases — one-typo deletion keys, Double Metaphone
// keys and nickname groups, exact and prefix names, and the exact or
// day-month-swapped date of birth — and are then ranked by match.Score,
// which also says why each one matched. It holds no state of its own and
// is safe for concurrent use. It does not decide who may see a client: the
// caller filters by scope and loads only what may be shown.
type Engine struct {
	Index Index
	// KeyCandidates is how many clients the key index gives at most for a
	// name without a full date of birth; 0 means MaxKeyCandidates. An index
	// that reads keys and loads candidates slowly takes fewer, trading a
	// point of typo recall at a million clients for its latency.
	KeyCandidates int
}

// New returns an engine on ix.
func New(ix Index) *Engine { return &Engine{Index: ix} }

// MinScore is the score from which a client is shown, in search and in
// duplicate checks alike: a "possible" match. It admits one name word with
// a typo or sound-alike; below it, judge (shown.go) still shows the same
// name with a conflicting date of birth, a changed surname, and in a
// duplicate check the same date of birth and place.
const MinScore = match.PossibleThreshold

// Match returns the clients matching q, best first. A query naming nobody
// well enough (NamesEnough) is TooShort and reads nothing.
func (e *Engine) Match(ctx context.Context, mq Query) (*Result, error) {
	var q match.Query
	var nc *newClient
	if mq.Client != nil {
		q, nc = duplicateQuery(mq.Client, mq.Now)
	} else {
		q = match.ParseQuery(mq.Text, mq.Now)
	}
	if !NamesEnough(q.Names) {
		return &Result{TooShort: true}, nil
	}
	// Without a full date of birth, the network-wide look below is usually
	// cut off, and a second look within the caller's areas follows: it
	// starts now, in parallel, and is dropped if not needed.
	type scopedLook struct {
		ms  []*patchwork.ClientMatch
		err error
	}
	var scoped chan scopedLook
	if len(mq.AreaIDs) > 0 && len(dobCandidates(q.Date)) == 0 {
		scoped = make(chan scopedLook, 1)
		go func() {
			ms, _, err := e.matches(ctx, q, nc, mq.AreaIDs)
			scoped <- scopedLook{ms, err}
		}()
	}
	ms, truncated, err := e.matches(ctx, q, nc, nil)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	var areas map[int64][]int64
	if mq.AreaIDs != nil || len(mq.CountAreas) > 0 || len(mq.PreferAreas) > 0 {
		if areas, err = e.Index.Areas(ctx, matchIDs(ms)); err != nil {
			return nil, err
		}
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
			ms = slices.DeleteFunc(ms, func(m *patchwork.ClientMatch) bool { return !overlaps(areas[m.ID], mq.AreaIDs) })
			// The network-wide candidates were cut off, so some local ones
			// may be missing: look again within the scope only.
			if truncated && len(ms) <= mq.Limit && len(mq.AreaIDs) > 0 {
				var more []*patchwork.ClientMatch
				if scoped != nil {
					look := <-scoped
					more, err = look.ms, look.err
				} else {
					more, _, err = e.matches(ctx, q, nc, mq.AreaIDs)
				}
				if err != nil {
					return nil, err
				}
				ms = mergeMatches(ms, more)
				if areas, err = e.Index.Areas(ctx, matchIDs(ms)); err != nil {
					return nil, err
				}
			}
		}
	}
	sortMatches(ms)
	if len(mq.PreferAreas) > 0 {
		// Local first, but never above a match of a better tier (a
		// better level, a first name agreeing, a date that does not
		// conflict).
		rank := func(m *patchwork.ClientMatch) int {
			r := 2 * tier(m)
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

// NamesEnough reports whether a query's name words name someone well
// enough to search: at least one word of two letters or more.
func NamesEnough(names []string) bool {
	for _, n := range names {
		if len([]rune(n)) >= 2 {
			return true
		}
	}
	return false
}

// matches finds candidates (within areaIDs unless nil), scores them and
// keeps those judge shows. nc, in a duplicate check, adds the new
// client's other names to the name lookups, and its address and postcode
// to the judging. truncated reports that the key index gave more
// candidates than were taken.
func (e *Engine) matches(ctx context.Context, q match.Query, nc *newClient, areaIDs []int64) ([]*patchwork.ClientMatch, bool, error) {
	if areaIDs != nil && len(areaIDs) == 0 {
		return nil, false, nil
	}
	var ids []int64
	var truncated bool
	cands := map[int64]*match.Candidate{}
	tokens := queryTokens(q.Names)
	readings := [][]string{tokens}
	if nc != nil {
		for _, aq := range nc.aliases {
			if t := queryTokens(aq.Names); len(t) >= 2 && len(readings) < 1+maxAliasReadings {
				readings = append(readings, t)
			}
		}
	}
	dobs := dobCandidates(q.Date)
	// With a full date of birth, the exact name and the date alone usually
	// find the client: when one of them is a likely match, the key index,
	// which costs most, is not read. Both lookups and the loading of what
	// they find are one Load.
	if len(dobs) > 0 {
		found, err := e.Index.Load(ctx, Lookup{Names: readings, DOBs: dobs, AreaIDs: areaIDs})
		if err != nil {
			return nil, false, err
		}
		maps.Copy(cands, found)
		for _, c := range cands {
			if s, _ := match.Score(q, *c); s >= match.LikelyThreshold {
				ids = slices.Sorted(maps.Keys(cands))
				break
			}
		}
	}
	if ids == nil {
		var err error
		if ids, truncated, err = e.candidates(ctx, q, readings, dobs, areaIDs); err != nil {
			return nil, false, err
		}
		var missing []int64
		for _, id := range ids {
			if _, ok := cands[id]; !ok {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			loaded, err := e.Index.Candidates(ctx, missing)
			if err != nil {
				return nil, false, err
			}
			maps.Copy(cands, loaded)
		}
	}
	// The key index was cut off and no date of birth narrows the search:
	// the client may hide among the many sharing a common name's keys.
	// Spellings close to what was typed, seen among the candidates, are
	// looked up by exact name too ("Sophia Orllo" finds Sophia Orlo).
	if truncated && len(dobs) == 0 {
		more, err := e.corrected(ctx, tokens, areaIDs, cands)
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
		if m, ok := judged(q, id, c, nc); ok {
			out = append(out, m)
		}
	}
	return out, truncated, nil
}

// duplicateQuery is what the duplicate check of new client cl looks for:
// its name and date of birth, and what it adds to them.
func duplicateQuery(cl *patchwork.Client, now time.Time) (match.Query, *newClient) {
	// Stored as YYYY-MM-DD once validated, but read as the form reads it,
	// so a date as typed compares too; only a full date counts.
	dob := ""
	if d, ok := match.ParseDate(cl.DateOfBirth, now); ok && d.Day != 0 {
		dob = d.String()
	}
	q := match.FormQuery(cl.FirstName, cl.LastName, dob)
	return q, newClientOf(cl, q)
}

// judged is candidate c (client id) as a match of q, if judge shows it.
func judged(q match.Query, id int64, c *match.Candidate, nc *newClient) (*patchwork.ClientMatch, bool) {
	v, ok := judge(q, c, nc)
	if !ok {
		return nil, false
	}
	m := &patchwork.ClientMatch{ID: id, Score: v.score, Reasons: v.reasons, Level: v.level}
	if slices.Contains(v.reasons, "matched alias") {
		m.MatchedAlias = bestAlias(q, c)
	}
	return m, true
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

// sortMatches orders matches by tier (a conflicting date of birth last),
// then by score, then id for stability.
func sortMatches(ms []*patchwork.ClientMatch) {
	sort.SliceStable(ms, func(i, j int) bool {
		if ti, tj := tier(ms[i]), tier(ms[j]); ti != tj {
			return ti > tj
		}
		if ms[i].Score != ms[j].Score {
			return ms[i].Score > ms[j].Score
		}
		return ms[i].ID < ms[j].ID
	})
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
