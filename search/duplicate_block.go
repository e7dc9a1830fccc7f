package search

import (
	"maps"
	"slices"
	"time"

	"patchwork"
	"patchwork/match"
)

// The duplicates queue asks the duplicate check about every client, which
// one Match per client makes slow at a million clients (a lookup and a
// load each). A likely duplicate always shares a block of dates of birth
// (DuplicateBlock), so the queue's scan reads the clients a block at a
// time and judges each one against its block here, as Match would.

// DuplicateBlock returns the block of dates of birth that every likely
// duplicate of a client born on dob is born in, or "" when dob, as stored
// (YYYY-MM-DD), is no full date: no client without one is likely anybody's
// duplicate.
//
// A likely match scores match.LikelyThreshold or more, and the names give
// at most 1-match.WeightDOB of it: the date of birth must be the same or
// have day and month swapped (match.DateSwapped gives 0.8*WeightDOB, one
// digit off only 0.5*WeightDOB, too little). Swapping is its own inverse,
// so the block of d is d and its swap, named by the earlier of the two.
func DuplicateBlock(dob string) string {
	d, err := time.Parse(time.DateOnly, dob)
	if err != nil || d.Format(time.DateOnly) != dob {
		return ""
	}
	q := match.DateQuery{Year: d.Year(), Month: int(d.Month()), Day: d.Day()}
	if all := dobCandidates(q); len(all) == 2 {
		return min(all[0], all[1])
	}
	return dob
}

// DuplicateBlockDates returns the dates of birth, as stored, of the block
// of DuplicateBlock(dob): dob and, when it has one, its day-month swap;
// nil when dob is no full date.
func DuplicateBlockDates(dob string) []string {
	d, err := time.Parse(time.DateOnly, dob)
	if err != nil || d.Format(time.DateOnly) != dob {
		return nil
	}
	return dobCandidates(match.DateQuery{Year: d.Year(), Month: int(d.Month()), Day: d.Day()})
}

// JudgeAsDuplicate returns the matches that Match's duplicate check of
// client cl (Query{Client: cl, Now: now, Limit: limit}, network-wide)
// shows among cands, best first and at most limit, judged and ordered as
// Match judges and orders them.
//
// For the likely matches the answer is Match's own as long as cands holds
// every client in cl's block (DuplicateBlock), cl itself included when it
// is stored: Match loads the whole block by date of birth and judges it,
// and cl, matching itself, takes one of the limit places as it does there.
// Possible matches found by name elsewhere are not in cands, so below the
// likely ones the list is not Match's.
func (e *Engine) JudgeAsDuplicate(cl *patchwork.Client, now time.Time, cands map[int64]*match.Candidate, limit int) []*patchwork.ClientMatch {
	q, nc := duplicateQuery(cl, now)
	if !NamesEnough(q.Names) {
		return nil
	}
	var ms []*patchwork.ClientMatch
	for _, id := range slices.Sorted(maps.Keys(cands)) {
		if m, ok := judged(q, id, cands[id], nc); ok {
			ms = append(ms, m)
		}
	}
	sortMatches(ms)
	if len(ms) > limit {
		ms = ms[:limit]
	}
	return ms
}
