package sqldb

import (
	"context"
	"slices"
	"strings"

	"patchwork"
	"patchwork/match"
)

// Agents and agencies are found from the search box through the phone
// book's word index (directory.go): each query word must start one of their
// words. When that finds nobody, each query word is corrected against the
// vocabulary instead — words one typo away or sounding alike — so "Jon
// Smyth" finds John Smith and "Barnardoes" Barnardo's.

const (
	directoryLimit  = 10 // agents, and agencies, shown
	maxCorrectWords = 40 // vocabulary words one query word may stand for
)

// wordIndex is one of the two word tables: agent_words or agency_words.
type wordIndex struct{ table, col string }

var (
	agentIndex  = wordIndex{"agent_words", "agent_id"}
	agencyIndex = wordIndex{"agency_words", "agency_id"}
)

// directoryWords returns the words to look agents and agencies up by: the
// query's name words. A query with a date of birth or a postcode is about a
// client, so it looks up none.
func (db *DB) directoryWords(text string) []string {
	q := match.ParseQuery(text, db.now())
	if q.Date.Known() || q.Postcode != "" || len(q.Other) > 0 {
		return nil
	}
	words := strings.Fields(foldText(strings.Join(q.Names, " ")))
	if len(words) > maxQueryTokens {
		words = words[:maxQueryTokens]
	}
	return words
}

// matchQuery builds a query for the ids of ix having, for each condition,
// a word meeting it, visible to the caller: public words, or private ones
// where visible holds.
func (ix wordIndex) matchQuery(conds []string, visible string) string {
	parts := make([]string, len(conds))
	for i, c := range conds {
		parts[i] = `SELECT ` + ix.col + ` FROM ` + ix.table + ` WHERE ` + c + ` AND (private = 0 OR ` + visible + `)`
	}
	return strings.Join(parts, " INTERSECT ")
}

// prefixConds returns, for each word, the condition that a word starts with it.
func prefixConds(words []string, args *sqlArgs) []string {
	conds := make([]string, len(words))
	for i, w := range words {
		conds[i] = `word >= ` + args.add(w) + ` AND word < ` + args.add(w+"\x7f")
	}
	return conds
}

// correctedConds returns, for each word, the condition that a word is one
// the vocabulary holds close to it: starting with it, one typo away or
// sounding alike, among those sharing its first two letters. ok is false
// when some word has no such neighbour, so nothing can match.
func (db *DB) correctedConds(ctx context.Context, words []string, args *sqlArgs) (conds []string, ok bool, err error) {
	for _, w := range words {
		if len(w) < 3 {
			conds = append(conds, `word >= `+args.add(w)+` AND word < `+args.add(w+"\x7f"))
			continue
		}
		near, err := db.vocabularyNear(ctx, w)
		if err != nil || len(near) == 0 {
			return nil, false, err
		}
		ph := make([]string, len(near))
		for i, v := range near {
			ph[i] = args.add(v)
		}
		conds = append(conds, `word IN (`+strings.Join(ph, ", ")+`)`)
	}
	return conds, true, nil
}

// vocabularyNear returns the vocabulary words sharing w's first two letters
// that start with w, are one typo from it or sound like it.
func (db *DB) vocabularyNear(ctx context.Context, w string) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT word FROM directory_vocab WHERE word >= $1 AND word < $2`, w[:2], w[:2]+"\x7f")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	del, sound := match.DeletionKeys(w), match.PhoneticKeys(w)
	var out []string
	for rows.Next() && len(out) < maxCorrectWords {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		if strings.HasPrefix(v, w) || sharesAny(del, match.DeletionKeys(v)) || sharesAny(sound, match.PhoneticKeys(v)) {
			out = append(out, v)
		}
	}
	return out, rows.Err()
}

func sharesAny(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// searchAgents finds active agents by name, role, agency, sector and area.
func (db *DB) searchAgents(ctx context.Context, c *patchwork.Agent, text string) ([]*patchwork.Agent, error) {
	return searchDirectory(ctx, db, c, text, agentIndex,
		func(args *sqlArgs) string {
			return args.add(b2i(c.Admin)) + ` = 1 OR agent_id IN (SELECT id FROM agents WHERE agency_id = ` + args.add(c.AgencyID) + `)`
		},
		func(m string) string {
			return `SELECT ` + agentColumns + ` FROM (` + m + `) m JOIN agents a ON a.id = m.agent_id
				JOIN agencies g ON g.id = a.agency_id WHERE a.active = 1 ORDER BY a.name, a.id`
		},
		func(sc interface{ Scan(...any) error }) (*patchwork.Agent, error) {
			a, err := scanAgent(sc)
			if err != nil {
				return nil, err
			}
			return a.AsSeenBy(c), nil
		})
}

// searchAgencies finds agencies by name, sector and area. Sensitive
// agencies are found only by their generic label, except by their own staff
// and admins.
func (db *DB) searchAgencies(ctx context.Context, c *patchwork.Agent, text string) ([]*patchwork.Agency, error) {
	return searchDirectory(ctx, db, c, text, agencyIndex,
		func(args *sqlArgs) string {
			return args.add(b2i(c.Admin)) + ` = 1 OR agency_id = ` + args.add(c.AgencyID)
		},
		func(m string) string {
			return `SELECT ` + agencyColumns + ` FROM (` + m + `) m JOIN agencies g ON g.id = m.agency_id ORDER BY g.name, g.id`
		},
		func(sc interface{ Scan(...any) error }) (*patchwork.Agency, error) {
			g, err := scanAgency(sc)
			if err != nil {
				return nil, err
			}
			return g.AsSeenBy(c), nil
		})
}

// searchDirectory looks the query's words up in ix, by prefix and, when
// that finds nothing, corrected; visible gives the SQL condition under which
// the caller may match private words, query the statement that loads the
// rows for a query of matching ids, and scan one row as the caller sees it.
func searchDirectory[T any](ctx context.Context, db *DB, c *patchwork.Agent, text string, ix wordIndex,
	visible func(*sqlArgs) string, query func(string) string, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	words := db.directoryWords(text)
	if len(words) == 0 {
		return nil, nil
	}
	run := func(corrected bool) ([]T, error) {
		var args sqlArgs
		vis := visible(&args)
		var conds []string
		if corrected {
			var ok bool
			var err error
			if conds, ok, err = db.correctedConds(ctx, words, &args); err != nil || !ok {
				return nil, err
			}
		} else {
			conds = prefixConds(words, &args)
		}
		rows, err := db.read.QueryContext(ctx, query(ix.matchQuery(conds, vis))+` LIMIT `+args.add(directoryLimit), args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []T
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
	out, err := run(false)
	if err != nil || len(out) > 0 {
		return out, err
	}
	return run(true)
}
