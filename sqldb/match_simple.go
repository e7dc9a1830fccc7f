package sqldb

import (
	"context"
	"strconv"
	"strings"
	"time"

	"patchwork"
)

// SimpleMatcher matches clients by normalised exact or prefix names and an
// exact date of birth. It is the baseline the fuzzy engine replaces.
type SimpleMatcher struct{}

// simpleQuery is the search box text split into name words and a date.
type simpleQuery struct {
	names []string
	dob   string
}

func parseSimple(text string, now time.Time) simpleQuery {
	var q simpleQuery
	for _, tok := range strings.Fields(text) {
		if d, err := patchwork.ParseDateOfBirth(tok, now); err == nil {
			q.dob = d
			continue
		}
		q.names = append(q.names, strings.Fields(foldText(tok))...)
	}
	return q
}

// MatchClients implements ClientMatcher. It does not count matches per
// scope.
func (m SimpleMatcher) MatchClients(ctx context.Context, db *DB, mq MatchQuery) (*MatchResult, error) {
	ms, tooShort, err := m.match(ctx, db, mq)
	if err != nil {
		return nil, err
	}
	return &MatchResult{Matches: ms, TooShort: tooShort}, nil
}

func (SimpleMatcher) match(ctx context.Context, db *DB, mq MatchQuery) ([]*patchwork.ClientMatch, bool, error) {
	var q simpleQuery
	if mq.Client != nil {
		q.names = append(strings.Fields(foldText(mq.Client.FirstName)), strings.Fields(foldText(mq.Client.LastName))...)
		q.dob = mq.Client.DateOfBirth
	} else {
		q = parseSimple(mq.Text, db.now())
	}
	longest := 0
	for _, n := range q.names {
		longest = max(longest, len(n))
	}
	// A date of birth alone, or a single letter, must not list people.
	if longest < 2 {
		return nil, true, nil
	}
	first, last := q.names[0], q.names[len(q.names)-1]
	var cond string
	args := []any{}
	arg := func(v any) string { args = append(args, v); return "$" + itoa(len(args)) }
	prefix := func(col, v string) string {
		return "(" + col + " >= " + arg(v) + " AND " + col + " < " + arg(v+"~") + ")"
	}
	if len(q.names) == 1 {
		cond = prefix("n.family_norm", first) + " OR " + prefix("n.given_norm", first)
	} else {
		cond = "(" + prefix("n.given_norm", first) + " AND " + prefix("n.family_norm", last) + ") OR (" +
			prefix("n.given_norm", last) + " AND " + prefix("n.family_norm", first) + ")"
	}
	exact := "CASE WHEN n.family_norm = " + arg(last) + " OR n.family_norm = " + arg(first) + " THEN 1 ELSE 0 END"
	sqlText := `SELECT n.client_id, n.is_alias, n.display, ` + exact + ` FROM client_names n JOIN clients c ON c.id = n.client_id
		WHERE (` + cond + `)`
	if q.dob != "" {
		sqlText += ` AND c.date_of_birth = ` + arg(q.dob)
	}
	if mq.AreaIDs != nil {
		if len(mq.AreaIDs) == 0 {
			return nil, false, nil
		}
		var ph []string
		for _, id := range mq.AreaIDs {
			ph = append(ph, arg(id))
		}
		sqlText += ` AND c.id IN (SELECT client_id FROM client_areas WHERE area_id IN (` + strings.Join(ph, ", ") + `))`
	}
	sqlText += ` ORDER BY 4 DESC, n.client_id LIMIT ` + arg(mq.Limit*4)
	rows, err := db.read.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	seen := map[int64]*patchwork.ClientMatch{}
	var out []*patchwork.ClientMatch
	for rows.Next() {
		var id int64
		var alias bool
		var display string
		var exactHit int
		if err := rows.Scan(&id, &alias, &display, &exactHit); err != nil {
			return nil, false, err
		}
		m := seen[id]
		if m == nil {
			m = &patchwork.ClientMatch{ID: id}
			seen[id] = m
			out = append(out, m)
		}
		score := 0.5 + 0.3*float64(exactHit)
		if q.dob != "" {
			score += 0.2
		}
		if !alias {
			m.MatchedAlias = ""
		} else if m.Score == 0 {
			m.MatchedAlias = display
		}
		if score > m.Score {
			m.Score = score
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	for _, m := range out {
		m.Reasons = []string{"name starts with what you typed"}
		if q.dob != "" {
			m.Reasons = append(m.Reasons, "same date of birth")
		}
		m.Level = "possible"
		if m.Score >= 0.8 {
			m.Level = "likely"
		}
	}
	sortMatches(out)
	if len(out) > mq.Limit {
		out = out[:mq.Limit]
	}
	return out, false, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
