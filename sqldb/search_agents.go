package sqldb

import (
	"context"
	"sort"
	"strings"

	"patchwork"
	"patchwork/match"
)

// fuzzyAgentLimit bounds the agents read for re-ranking in Go.
const fuzzyAgentLimit = 500

// searchAgentsFuzzy finds agents by a misspelt name when the word-prefix
// search found none: agents whose name starts with the first two letters of
// a query word are read through the name index and re-ranked in Go with the
// client name scorer, so "Fay Farr" finds Fay Far and "Jon Smyth" John Smith.
func (db *DB) searchAgentsFuzzy(ctx context.Context, c *patchwork.Agent, text string) ([]*patchwork.Agent, error) {
	q := match.ParseQuery(text, db.now())
	var args sqlArgs
	var parts []string
	seen := map[string]bool{}
	for _, w := range queryTokens(q.Names) {
		if len(w) < 3 || seen[w[:2]] {
			continue
		}
		seen[w[:2]] = true
		parts = append(parts, `a.name_norm >= `+args.add(w[:2])+` AND a.name_norm < `+args.add(w[:2]+"\x7f"))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+agentColumns+agentFrom+` WHERE a.active = 1 AND ((`+
		strings.Join(parts, ") OR (")+`)) LIMIT `+args.add(fuzzyAgentLimit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type scored struct {
		a     *patchwork.Agent
		score float64
	}
	var found []scored
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, err
		}
		given, family := splitName(a.Name)
		if s, _ := match.Score(q, match.Candidate{Given: given, Family: family}); s >= match.PossibleThreshold {
			found = append(found, scored{a.AsSeenBy(c), s})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].score > found[j].score })
	var out []*patchwork.Agent
	for i := 0; i < len(found) && i < 10; i++ {
		out = append(out, found[i].a)
	}
	return out, nil
}
