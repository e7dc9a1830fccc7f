package sqldb

import (
	"context"
	"slices"
	"strings"
)

// The baselines the search evaluation compares with: PostgreSQL pg_trgm
// and SQLite FTS5 trigram.

// buildBaseline creates the baseline's structures if they are missing and
// reports whether they existed.
func (db *DB) buildBaseline(ctx context.Context) (bool, error) {
	if db.pool != nil {
		var exists bool
		if err := db.write.QueryRowContext(ctx, `SELECT to_regclass('eval_trgm_name') IS NOT NULL`).Scan(&exists); err != nil {
			return false, err
		}
		if exists {
			return true, nil
		}
		for _, s := range []string{
			`CREATE EXTENSION IF NOT EXISTS pg_trgm`,
			`DROP TABLE IF EXISTS eval_trgm`,
			`CREATE TABLE eval_trgm (client_id BIGINT NOT NULL, name TEXT NOT NULL)`,
			`INSERT INTO eval_trgm (client_id, name) SELECT client_id, given_norm || ' ' || family_norm FROM client_names`,
			`CREATE INDEX eval_trgm_name ON eval_trgm USING gin (name gin_trgm_ops)`,
			`ANALYZE eval_trgm`,
		} {
			if _, err := db.write.ExecContext(ctx, s); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	if _, err := db.write.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS eval_fts USING fts5(name, tokenize='trigram')`); err != nil {
		return false, err
	}
	var n int
	if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM eval_fts LIMIT 1)`).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return true, nil
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO eval_fts (rowid, name) SELECT id, given_norm || ' ' || family_norm FROM client_names`)
	return false, err
}

// baselineSearch runs the baseline: the clients whose normalised names are
// most similar to the query's (pg_trgm similarity, or FTS5 bm25 over the
// query's trigrams), those with the query's date of birth first among
// equals.
func (db *DB) baselineSearch(ctx context.Context, t *evalTarget) ([]int64, error) {
	var ids []int64
	var err error
	if db.pool != nil {
		ids, err = queryIDs(ctx, db.read, `SELECT t.client_id FROM eval_trgm t JOIN clients c ON c.id = t.client_id
			WHERE t.name % $1 ORDER BY similarity(t.name, $1) DESC, c.date_of_birth = $2 DESC, t.client_id LIMIT 30`,
			t.baselineName, t.bDOB)
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
		ids, err = queryIDs(ctx, db.read, `SELECT n.client_id FROM
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
