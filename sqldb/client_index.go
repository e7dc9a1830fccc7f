package sqldb

import (
	"context"
	"database/sql"
	"iter"
	"math"
	"slices"
	"strings"

	"patchwork/match"
	"patchwork/search"
)

// The client search indexes in SQL: clientIndex implements search.Index on
// client_keys, client_key_freq, client_names and the clients' dates of
// birth, with one statement for each lookup the engine makes.

// clientIndex is the store's search.Index.
type clientIndex struct{ db *DB }

// sqliteKeyCandidates is how many clients the key index gives the engine on
// SQLite: pure Go, it reads keys and loads candidates about half as fast as
// PostgreSQL, so it takes fewer (search.Engine.KeyCandidates).
const sqliteKeyCandidates = 200

// SearchEngine returns the client search engine on db's indexes, tuned to
// its dialect. It decides nothing about who may see a client: the services
// (SearchService, ClientService) filter by the caller's scope and load only
// what may be shown; callers outside the store use it for measurement only.
func (db *DB) SearchEngine() *search.Engine {
	e := search.New(clientIndex{db})
	if db.pool == nil {
		e.KeyCandidates = sqliteKeyCandidates
	}
	return e
}

// Bounds of the name lookups.
const (
	nameLookupLimit = 100  // clients per exact or prefix name lookup
	scopedNameScan  = 1000 // names read per lookup within the caller's areas
	idChunk         = 256  // ids one candidate-loading query takes
)

// noAreas reports a restriction to no areas at all, which finds nobody.
func noAreas(areaIDs []int64) bool { return areaIDs != nil && len(areaIDs) == 0 }

// inAreas is the SQL condition that client col is in one of areaIDs, or ""
// when areaIDs is nil (the whole network).
func inAreas(args *sqlArgs, col string, areaIDs []int64, sqlite bool) string {
	if areaIDs == nil {
		return ""
	}
	// On SQLite "+ca.area_id": one read of the client's few rows by the
	// key's client_id prefix, the areas compared there, rather than a seek
	// for each of the caller's areas (an agent with sixteen areas searched
	// their areas at 2.3 times the cost). PostgreSQL plans it well as it is
	// and worse with the plus.
	area := "ca.area_id"
	if sqlite {
		area = "+" + area
	}
	return `EXISTS (SELECT 1 FROM client_areas ca WHERE ca.client_id = ` + col +
		` AND ` + area + ` IN (` + strings.Join(addAll(args, areaIDs), ", ") + `))`
}

// KeyCounts implements search.Index from client_key_freq.
func (ix clientIndex) KeyCounts(ctx context.Context, keys []match.NameKey) ([]search.KeyCount, error) {
	var distinct []string
	for _, k := range keys {
		if !slices.Contains(distinct, k.Key) {
			distinct = append(distinct, k.Key)
		}
	}
	if len(distinct) == 0 {
		return nil, nil
	}
	var args sqlArgs
	ph := addAll(&args, padded(distinct))
	all, err := scanAll(ctx, ix.db.read, `SELECT key, kind, n FROM client_key_freq WHERE key IN (`+strings.Join(ph, ", ")+`)`,
		func(sc interface{ Scan(...any) error }) (f search.KeyCount, err error) {
			err = sc.Scan(&f.Key.Key, &f.Key.Kind, &f.N)
			return f, err
		}, args...)
	return slices.DeleteFunc(all, func(f search.KeyCount) bool { return !slices.Contains(keys, f.Key) }), err
}

// KeyClients implements search.Index from client_keys. Each key's clients
// come back as one comma-separated list: grouping and ordering ten
// thousand rows in SQL cost SQLite's virtual machine most of a name-only
// search, so the engine ranks them in Go. Within areas, the clients are
// checked against the areas' clients kept in memory (areaMembers), read
// after the keys.
func (ix clientIndex) KeyClients(ctx context.Context, keys []match.NameKey, areaIDs []int64, add func(i int, id int64)) error {
	if len(keys) == 0 || noAreas(areaIDs) {
		return nil
	}
	var args sqlArgs
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = `SELECT ` + itoa(i) + `, string_agg(CAST(client_id AS TEXT), ',') FROM client_keys WHERE key = ` +
			args.add(k.Key) + ` AND kind = ` + args.add(k.Kind)
	}
	lists, err := scanAll(ctx, ix.db.read, strings.Join(parts, " UNION ALL "), func(sc interface{ Scan(...any) error }) (l keyList, err error) {
		var list sql.NullString
		err = sc.Scan(&l.i, &list)
		l.ids = list.String
		return l, err
	}, args...)
	if err != nil {
		return err
	}
	var within []*areaSet
	if areaIDs != nil {
		if within, err = ix.db.members.current(ctx, ix.db, areaIDs); err != nil {
			return err
		}
	}
	cursors := make([]areaCursor, len(within))
	for _, l := range lists {
		for i := range cursors {
			cursors[i] = areaCursor{s: within[i], last: math.MinInt64}
		}
		for id := range idsIn(l.ids) {
			if areaIDs == nil || inAny(cursors, id) {
				add(l.i, id)
			}
		}
	}
	return nil
}

// inAny reports whether id is in any of the cursors' areas. Each cursor is
// moved on, even past a hit in an earlier area, so all keep their place.
func inAny(cursors []areaCursor, id int64) bool {
	in := false
	for i := range cursors {
		in = cursors[i].has(id) || in
	}
	return in
}

// keyList is one key's clients, comma-separated.
type keyList struct {
	i   int
	ids string
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

// Find implements search.Index.
func (ix clientIndex) Find(ctx context.Context, l search.Lookup) ([]int64, error) {
	var args sqlArgs
	q := lookupSQL(&args, l, ix.db.pool == nil)
	if q == "" {
		return nil, nil
	}
	return queryIDs(ctx, ix.db.read, q, args...)
}

// Load implements search.Index: the lookup and the loading of what it
// finds are one statement.
func (ix clientIndex) Load(ctx context.Context, l search.Lookup) (map[int64]*match.Candidate, error) {
	out := map[int64]*match.Candidate{}
	var args sqlArgs
	q := lookupSQL(&args, l, ix.db.pool == nil)
	if q == "" {
		return out, nil
	}
	return out, ix.db.loadCandidatesIn(ctx, out, q, args)
}

// Candidates implements search.Index, one statement per chunk of ids.
func (ix clientIndex) Candidates(ctx context.Context, ids []int64) (map[int64]*match.Candidate, error) {
	out := make(map[int64]*match.Candidate, len(ids))
	for chunk := range slices.Chunk(ids, idChunk) {
		ph, args := idList(chunk, 1)
		if err := ix.db.loadCandidatesIn(ctx, out, ph, args); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Areas implements search.Index, one statement per chunk of ids.
func (ix clientIndex) Areas(ctx context.Context, ids []int64) (map[int64][]int64, error) {
	out := make(map[int64][]int64, len(ids))
	for chunk := range slices.Chunk(ids, idChunk) {
		ph, args := idList(chunk, 1)
		rows, err := queryPairs(ctx, ix.db.read, `SELECT client_id, area_id FROM client_areas WHERE client_id IN (`+ph+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if id, area := r[0], r[1]; !slices.Contains(out[id], area) {
				out[id] = append(out[id], area)
			}
		}
	}
	return out, nil
}

// loadCandidatesIn adds to out the candidates whose ids are in the list or
// subquery ids: what match.Score needs, name, date of birth and aliases,
// and the address and postcode the duplicate check compares.
func (db *DB) loadCandidatesIn(ctx context.Context, out map[int64]*match.Candidate, ids string, args []any) error {
	return db.eachCandidateRow(ctx, ids, args, func(id int64, given, family, dob, address, postcode, alias string) {
		c := out[id]
		if c == nil {
			c = &match.Candidate{Given: given, Family: family, DOB: dob, Address: address, Postcode: postcode}
			out[id] = c
		}
		if alias != "" {
			g, f := match.SplitAlias(alias)
			c.Aliases = append(c.Aliases, match.Alias{Given: g, Family: f})
		}
	})
}

// eachCandidateRow calls row for each live client whose id is in the list
// or subquery ids, once per alias (alias "" for none), in order of id and
// then of alias.
func (db *DB) eachCandidateRow(ctx context.Context, ids string, args []any, row func(id int64, given, family, dob, address, postcode, alias string)) error {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.first_name, c.last_name, c.date_of_birth, c.address, c.postcode, COALESCE(n.display, '')
		FROM clients c LEFT JOIN client_names n ON n.client_id = c.id AND n.is_alias = 1
		WHERE c.id IN (`+ids+`) AND c.merged_into IS NULL ORDER BY c.id, n.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var given, family, dob, address, postcode, alias string
		if err := rows.Scan(&id, &given, &family, &dob, &address, &postcode, &alias); err != nil {
			return err
		}
		row(id, given, family, dob, address, postcode, alias)
	}
	return rows.Err()
}

// lookupSQL is the query of the ids of the clients l finds (search.Lookup
// says which), or "" when l gives nothing to look up.
func lookupSQL(args *sqlArgs, l search.Lookup, sqlite bool) string {
	if noAreas(l.AreaIDs) {
		return ""
	}
	var parts []string
	for _, tokens := range l.Names {
		if q := nameLookupSQL(args, tokens, l.AreaIDs, l.Prefixes, sqlite); q != "" {
			parts = append(parts, q)
		}
	}
	for _, s := range l.Slips {
		if q := slipLookupSQL(args, s, l.AreaIDs, sqlite); q != "" {
			parts = append(parts, q)
		}
	}
	if len(l.DOBs) > 0 {
		q := `SELECT c.id FROM clients c WHERE c.date_of_birth IN (` + strings.Join(addAll(args, l.DOBs), ", ") + `)`
		if in := inAreas(args, "c.id", l.AreaIDs, sqlite); in != "" {
			q += ` AND ` + in
		}
		parts = append(parts, q)
	}
	return strings.Join(parts, " UNION ALL ")
}

// nameLookupSQL is the query of one reading's name lookups (search.Lookup),
// or "" when the tokens give nothing to look up.
func nameLookupSQL(args *sqlArgs, tokens []string, areaIDs []int64, prefixes, sqlite bool) string {
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
			` LIMIT `+itoa(scopedNameScan)+`) s WHERE `+inAreas(args, "s.client_id", areaIDs, sqlite)+
			` LIMIT `+itoa(nameLookupLimit)+`) `+p)
	}
	for i, g := range tokens {
		for j, f := range tokens {
			if i == j || len(f) < 2 {
				continue
			}
			sub(`n.family_norm = ` + args.add(f) + ` AND ` + prefixCond(args, "n.given_norm", g))
			if len(g) >= 6 {
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

// slipLookupSQL is the query of one slip's lookups (search.Slip): two
// index range reads, whatever the number of variants, the lists padded so
// that the statement is prepared once.
func slipLookupSQL(args *sqlArgs, s search.Slip, areaIDs []int64, sqlite bool) string {
	if len(s.Variants) == 0 || len(s.Word) < 2 {
		return ""
	}
	conds := []string{
		`n.family_norm IN (` + strings.Join(addAll(args, padded(s.Variants)), ", ") + `) AND ` + prefixCond(args, "n.given_norm", s.Word),
		`n.family_norm = ` + args.add(s.Word) + ` AND n.given_norm IN (` + strings.Join(addAll(args, padded(s.Variants)), ", ") + `)`,
	}
	var parts []string
	for i, cond := range conds {
		p := "s" + itoa(i)
		if areaIDs == nil {
			parts = append(parts, `SELECT client_id FROM (SELECT n.client_id FROM client_names n WHERE `+cond+
				` LIMIT `+itoa(nameLookupLimit)+`) `+p)
			continue
		}
		parts = append(parts, `SELECT client_id FROM (SELECT client_id FROM (SELECT n.client_id FROM client_names n WHERE `+cond+
			` LIMIT `+itoa(scopedNameScan)+`) s WHERE `+inAreas(args, "s.client_id", areaIDs, sqlite)+
			` LIMIT `+itoa(nameLookupLimit)+`) `+p)
	}
	return strings.Join(parts, " UNION ALL ")
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

// idList pads ids to a size from a short ladder so that IN lists of varying
// length reuse a few prepared statements; repeating an id changes nothing.
func idList(ids []int64, start int) (string, []any) {
	ps := padded(ids)
	args := make([]any, len(ps))
	for i, id := range ps {
		args[i] = id
	}
	return placeholders(start, len(args)), args
}
