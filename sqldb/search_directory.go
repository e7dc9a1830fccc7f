package sqldb

import (
	"context"
	"strings"
	"sync"
	"time"

	"patchwork"
	"patchwork/match"
	"patchwork/search"
)

// Agents and agencies are found from the search box through the phone
// book's word index (directory.go): each query word must start one of their
// words. When that finds nobody, each query word is corrected against the
// vocabulary instead — words one typo away or sounding alike — so "Jon
// Smyth" finds John Smith and "Barnardoes" Barnardo's.

const (
	directoryLimit = 10 // agents, and agencies, shown
	// maxDirectoryMatches bounds the matches read: a query matching more
	// (a common first name alone) shows ten of the first thousand found.
	maxDirectoryMatches = 1000
	maxCorrectWords     = 40 // vocabulary words one query word may stand for
)

// wordIndex is one of the two word tables, agent_words or agency_words,
// with the statements that read what it finds. In them {agency} stands for
// the caller's agency, {ids} for a list of ids, {listed} for the
// condition that the phone book lists agency g to the caller (listedAgency)
// and {seen} for agency g's name as the caller sees it (seenAgencyName).
type wordIndex struct {
	table, col string
	// own is the condition under which the caller matches private words
	// besides admins: the agency's own staff.
	own string
	// order puts ids in display order, leaving out those not shown; rows
	// loads the rows of ids in that order.
	order, rows string
}

// statement fills in q, one of ix's statements, for caller c and ids: the
// query and its arguments.
func (ix wordIndex) statement(q string, c *patchwork.Agent, ids []int64) (string, []any) {
	ph, idArgs := idList(ids, 1)
	args := sqlArgs(idArgs)
	seen := ""
	if strings.Contains(q, "{seen}") {
		seen = seenAgencyName(&args, c)
	}
	return strings.NewReplacer("{ids}", ph, "{listed}", listedAgency(c), "{seen}", seen).Replace(q), args
}

var (
	agentIndex = wordIndex{table: "agent_words", col: "agent_id",
		own:   `agent_id IN (SELECT id FROM agents WHERE agency_id = {agency})`,
		order: `SELECT a.id FROM agents a JOIN agencies g ON g.id = a.agency_id WHERE a.id IN ({ids}) AND a.active = 1 AND {listed} ORDER BY a.name, a.id`,
		rows:  `SELECT ` + agentColumns + agentFrom + ` WHERE a.id IN ({ids}) ORDER BY a.name, a.id`}
	agencyIndex = wordIndex{table: "agency_words", col: "agency_id",
		own:   `agency_id = {agency}`,
		order: `SELECT g.id FROM agencies g WHERE g.id IN ({ids}) AND {listed} ORDER BY {seen}, g.id`,
		rows:  `SELECT ` + agencyColumns + ` FROM agencies g WHERE g.id IN ({ids}) ORDER BY {seen}, g.id`}
)

// directoryWords returns the words to look agents and agencies up by: the
// query's name words. A query with a date of birth or a postcode is about a
// client, and one too short to search clients shows nobody, so they look up
// none.
func (db *DB) directoryWords(text string) []string {
	q := match.ParseQuery(text, db.now())
	if q.Date.Known() || q.Postcode != "" || len(q.Other) > 0 || !search.NamesEnough(q.Names) {
		return nil
	}
	words := strings.Fields(match.Fold(strings.Join(q.Names, " ")))
	if len(words) > search.MaxQueryWords {
		words = words[:search.MaxQueryWords]
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
		conds[i] = prefixCond(args, "word", w)
	}
	return conds
}

// dirQuery is one search box query as the phone book reads it: its words
// and, once needed, their corrections, shared by the agent and the agency
// search.
type dirQuery struct {
	db    *DB
	words []string
	near  map[string][]string
}

// correctedConds returns, for each word, the condition that a word is one
// the vocabulary holds close to it: starting with it, one typo away or
// sounding alike, among those sharing its first two letters. ok is false
// when some word has no such neighbour, so nothing can match.
func (dq *dirQuery) correctedConds(ctx context.Context, args *sqlArgs) (conds []string, ok bool, err error) {
	if dq.near == nil {
		dq.near = map[string][]string{}
	}
	for _, w := range dq.words {
		if len(w) < 3 {
			conds = append(conds, prefixCond(args, "word", w))
			continue
		}
		near, seen := dq.near[w]
		if !seen {
			if near, err = dq.db.vocabularyNear(ctx, w); err != nil {
				return nil, false, err
			}
			dq.near[w] = near
		}
		if len(near) == 0 {
			return nil, false, nil
		}
		conds = append(conds, `word IN (`+strings.Join(addAll(args, near), ", ")+`)`)
	}
	return conds, true, nil
}

// vocabularyNear returns the vocabulary words sharing w's first two letters
// that start with w, are one typo from it or sound like it.
func (db *DB) vocabularyNear(ctx context.Context, w string) ([]string, error) {
	bucket, err := db.vocabBucket(ctx, w[:2])
	if err != nil {
		return nil, err
	}
	wk := match.KeysOf(w)
	var out []string
	for i, v := range bucket.words {
		if len(out) == maxCorrectWords {
			break
		}
		if strings.HasPrefix(v, w) || wk.Near(bucket.keys[i]) {
			out = append(out, v)
		}
	}
	return out, nil
}

// vocabCache holds the phone book's vocabulary by first two letters for
// vocabTTL. Correcting a misspelt word reads its whole bucket (up to 1,400
// words at statewide scale) for every search that names no agent, while
// the vocabulary changes only when agents or agencies are added or
// renamed: this instance drops the cache when it commits such a change,
// and another instance's change is seen within vocabTTL (until then only
// corrections to the new words are missed; typed words are looked up in
// the index itself).
type vocabCache struct {
	mu      sync.Mutex
	buckets map[string]vocabEntry
	gen     uint64 // counts clears, so a bucket read before one is not kept
}

type vocabEntry struct {
	words []string
	keys  []match.WordKeys // of each word, computed once for every search
	at    time.Time
}

const vocabTTL = time.Minute

// keysOf returns the keys of words, a bucket's words as read again. A
// word's keys never change, and a bucket seldom does: the words e already
// holds keep their keys, so a bucket read again when it expires costs the
// read, not the keys of its up to 1,400 words again (that had been a tenth
// of the server's CPU under the mix at statewide data, and milliseconds of
// the search that met it).
func (e vocabEntry) keysOf(words []string) []match.WordKeys {
	known := make(map[string]match.WordKeys, len(e.words))
	for i, w := range e.words {
		known[w] = e.keys[i]
	}
	keys := make([]match.WordKeys, len(words))
	for i, w := range words {
		k, ok := known[w]
		if !ok {
			k = match.KeysOf(w)
		}
		keys[i] = k
	}
	return keys
}

func (c *vocabCache) clear() {
	c.mu.Lock()
	c.buckets = nil
	c.gen++
	c.mu.Unlock()
}

// vocabBucket returns the vocabulary words starting with prefix, and their
// keys.
func (db *DB) vocabBucket(ctx context.Context, prefix string) (vocabEntry, error) {
	now := time.Now()
	db.vocab.mu.Lock()
	e, ok := db.vocab.buckets[prefix]
	gen := db.vocab.gen
	db.vocab.mu.Unlock()
	if ok && now.Sub(e.at) < vocabTTL {
		return e, nil
	}
	var args sqlArgs
	words, err := queryColumn[string](ctx, db.read, `SELECT word FROM directory_vocab WHERE `+prefixCond(&args, "word", prefix)+
		` ORDER BY word`, args...)
	if err != nil {
		return vocabEntry{}, err
	}
	// e is the expired entry, or none: the keys of its words are kept.
	e = vocabEntry{words: words, keys: e.keysOf(words), at: now}
	db.vocab.mu.Lock()
	if db.vocab.gen == gen {
		if db.vocab.buckets == nil {
			db.vocab.buckets = map[string]vocabEntry{}
		}
		db.vocab.buckets[prefix] = e
	}
	db.vocab.mu.Unlock()
	return e, nil
}

// searchDirectory finds the agents and the agencies the search box text
// names; see searchAgents and searchAgencies.
func (db *DB) searchDirectory(ctx context.Context, c *patchwork.Agent, text string) ([]*patchwork.Agent, []*patchwork.Agency, error) {
	dq := &dirQuery{db: db, words: db.directoryWords(text)}
	if len(dq.words) == 0 {
		return nil, nil, nil
	}
	agents, err := dq.searchAgents(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	agencies, err := dq.searchAgencies(ctx, c)
	return agents, agencies, err
}

// searchAgents finds active agents of listed agencies by name, role,
// agency, sector and area.
func (dq *dirQuery) searchAgents(ctx context.Context, c *patchwork.Agent) ([]*patchwork.Agent, error) {
	return searchIndex(ctx, dq, c, agentIndex, func(sc interface{ Scan(...any) error }) (*patchwork.Agent, error) {
		a, err := scanAgent(sc)
		if err != nil {
			return nil, err
		}
		return a.AsSeenBy(c), nil
	})
}

// searchAgencies finds listed agencies by name, sector and area. Sensitive
// agencies are found only by their generic label, except by their own staff
// and admins.
func (dq *dirQuery) searchAgencies(ctx context.Context, c *patchwork.Agent) ([]*patchwork.Agency, error) {
	return searchIndex(ctx, dq, c, agencyIndex, func(sc interface{ Scan(...any) error }) (*patchwork.Agency, error) {
		g, err := scanAgency(sc)
		if err != nil {
			return nil, err
		}
		return g.AsSeenBy(c), nil
	})
}

// searchIndex looks the query's words up in ix for caller c, by prefix and,
// when that finds nothing, corrected, and reads the rows to show with scan,
// which returns a row as c may see it.
func searchIndex[T any](ctx context.Context, dq *dirQuery, c *patchwork.Agent, ix wordIndex,
	scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	run := func(corrected bool) ([]T, error) {
		var args sqlArgs
		visible := args.add(b2i(c.Admin)) + ` = 1 OR ` + strings.ReplaceAll(ix.own, "{agency}", args.add(c.AgencyID))
		var conds []string
		if corrected {
			var ok bool
			var err error
			if conds, ok, err = dq.correctedConds(ctx, &args); err != nil || !ok {
				return nil, err
			}
		} else {
			conds = prefixConds(dq.words, &args)
		}
		// The ids first, then the rows: one statement joining the two makes
		// PostgreSQL's generic plan scan every agent.
		ids, err := queryIDs(ctx, dq.db.read, `SELECT `+ix.col+` FROM (`+ix.matchQuery(conds, visible)+`) m`+
			limitClause(maxDirectoryMatches), args...)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		// Ordered ids, then the rows of those shown: a common name matches
		// hundreds, and loading every one to show ten cost 8 ms on SQLite
		// and 19 on PostgreSQL.
		q, qArgs := ix.statement(ix.order, c, ids)
		if ids, err = queryIDs(ctx, dq.db.read, q+limitClause(directoryLimit), qArgs...); err != nil || len(ids) == 0 {
			return nil, err
		}
		q, qArgs = ix.statement(ix.rows, c, ids)
		return scanAll(ctx, dq.db.read, q, scan, qArgs...)
	}
	out, err := run(false)
	if err != nil || len(out) > 0 {
		return out, err
	}
	return run(true)
}
