package searcheval

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// The baselines the search evaluation compares with: PostgreSQL pg_trgm
// and SQLite FTS5 trigram.

// buildBaseline reports whether the baseline's structures exist, and
// creates them when they are missing and create allows it; otherwise
// missing structures are an error.
func (ev *evaluation) buildBaseline(ctx context.Context, create bool) (bool, error) {
	var exists bool
	if ev.postgres {
		if err := ev.write.QueryRowContext(ctx, `SELECT to_regclass('eval_trgm_dob') IS NOT NULL`).Scan(&exists); err != nil {
			return false, err
		}
	} else {
		var n int
		if err := ev.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'eval_fts'`).Scan(&n); err != nil {
			return false, err
		}
		if exists = n > 0; exists {
			// A table left empty by an interrupted build is filled again.
			if err := ev.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM eval_fts LIMIT 1)`).Scan(&n); err != nil {
				return false, err
			}
			exists = n > 0
		}
	}
	if exists {
		return true, nil
	}
	if !create {
		return false, errMissingBaseline
	}
	stmts := []string{
		`CREATE EXTENSION IF NOT EXISTS pg_trgm`,
		`DROP TABLE IF EXISTS eval_trgm`,
		`CREATE TABLE eval_trgm (client_id BIGINT NOT NULL, name TEXT NOT NULL, date_of_birth TEXT NOT NULL)`,
		`INSERT INTO eval_trgm (client_id, name, date_of_birth) SELECT n.client_id, n.given_norm || ' ' || n.family_norm, c.date_of_birth
			FROM client_names n JOIN clients c ON c.id = n.client_id`,
		`CREATE INDEX eval_trgm_name ON eval_trgm USING gin (name gin_trgm_ops)`,
		`CREATE INDEX eval_trgm_dob ON eval_trgm (date_of_birth)`,
		`ANALYZE eval_trgm`,
	}
	if !ev.postgres {
		stmts = []string{
			`CREATE VIRTUAL TABLE IF NOT EXISTS eval_fts USING fts5(name, tokenize='trigram')`,
			`INSERT INTO eval_fts (rowid, name) SELECT id, given_norm || ' ' || family_norm FROM client_names`,
		}
	}
	for _, s := range stmts {
		if _, err := ev.write.ExecContext(ctx, s); err != nil {
			return false, err
		}
	}
	return false, nil
}

// errMissingBaseline refuses to build the baseline unasked.
var errMissingBaseline = errors.New("its tables are missing; allow them to be created (search-eval --create-baseline) only in a database loaded for evaluation")

// Trigram similarity thresholds of the pg_trgm baseline: generous, so that
// a misspelt name is still among the candidates. A candidate with the
// query's date of birth needs less, since the date already vouches for it.
const (
	trgmThreshold = 0.2
	trgmDOBFloor  = "0.1" // in trgmSQL
)

// trgmSQL is the pg_trgm baseline's query ($1 the folded name typed, $2
// the date of birth typed as YYYY-MM-DD or ”): first the names with the
// typed date of birth, most similar first, then every name above the
// session's pg_trgm.similarity_threshold (found through the GIN index),
// most similar first.
const trgmSQL = `SELECT client_id FROM (
	(SELECT client_id, 0 AS dob_first, similarity(name, $1) AS sim FROM eval_trgm
		WHERE date_of_birth = $2 AND similarity(name, $1) >= ` + trgmDOBFloor + `
		ORDER BY sim DESC LIMIT 30)
	UNION ALL
	(SELECT client_id, 1, similarity(name, $1) AS sim FROM eval_trgm WHERE name % $1
		ORDER BY sim DESC LIMIT 30)) r
	ORDER BY dob_first, sim DESC, client_id LIMIT 30`

// baselineSearch runs the baseline. On PostgreSQL it is the strong pg_trgm
// search of trgmSQL; on SQLite the clients whose normalised names are most
// similar to the query's (FTS5 bm25 over the query's trigrams), those with
// the query's date of birth first among equals.
func (ev *evaluation) baselineSearch(ctx context.Context, t *target) ([]int64, error) {
	var ids []int64
	var err error
	if ev.postgres {
		ids, err = ev.trgmIDs(ctx, t.baselineName, t.bDOB)
	} else {
		var grams []string
		for _, w := range strings.Fields(t.baselineName) {
			for i := 0; i+3 <= len(w); i++ {
				g := `"` + w[i:i+3] + `"`
				if !slices.Contains(grams, g) {
					grams = append(grams, g)
				}
			}
		}
		if len(grams) == 0 {
			return nil, nil
		}
		ids, err = ev.ids(ctx, ev.read, `SELECT n.client_id FROM
			(SELECT rowid AS id, bm25(eval_fts) AS rank FROM eval_fts WHERE eval_fts MATCH $1) f
			JOIN client_names n ON n.id = f.id JOIN clients c ON c.id = n.client_id
			ORDER BY f.rank, c.date_of_birth = $2 DESC, n.client_id LIMIT 30`, strings.Join(grams, " OR "), t.bDOB)
	}
	if err != nil {
		return nil, err
	}
	out := ids[:0]
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// trgmIDs runs trgmSQL on a connection of its own, on which the
// similarity threshold is set once.
func (ev *evaluation) trgmIDs(ctx context.Context, name, dob string) ([]int64, error) {
	if ev.trgmConn == nil {
		conn, err := ev.read.Conn(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, `SET pg_trgm.similarity_threshold = `+strconv.FormatFloat(trgmThreshold, 'f', -1, 64)); err != nil {
			conn.Close()
			return nil, err
		}
		ev.trgmConn = conn
	}
	return ev.ids(ctx, ev.trgmConn, trgmSQL, name, dob)
}

// querier is a database or one of its connections.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ids runs a query of one column of ids.
func (ev *evaluation) ids(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
