package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"patchwork/match"
)

// IsUniqueViolation exposes isUniqueViolation to the black-box tests.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }

// AuditRead exposes the batched audit append of read-only use cases to the
// black-box tests and benchmarks.
func (db *DB) AuditRead(ctx context.Context, action string, clientID int64, detail string) error {
	return db.auditRead(ctx, action, clientID, detail)
}

// UnkeyedAuditHash is the plain SHA-256 chain hash of rows from before
// keyed hashing: what someone without the key can compute. Tests use it to
// forge rows and to write a database from before migration 011.
func UnkeyedAuditHash(prev string, id, at, actor, client int64, action, detail, ip string) string {
	r := auditRow{ID: id, At: at, Actor: actor, Client: client, Action: action, Detail: detail, IP: ip, PrevHash: prev}
	return r.unkeyedHash()
}

// UnusualAccessQueries are the detection queries, by name, with example
// arguments, for TestUnusualAccessPlans.
var UnusualAccessQueries = map[string]struct {
	SQL  string
	Args []any
}{
	"team churn":    {teamChurnSQL, []any{"team.join", int64(0), int64(1), "team.leave", 1}},
	"outside views": {outsideViewsSQL, []any{"client.view", int64(0), int64(1), 1}},
	"search counts": {searchCountsSQL, []any{"client.search", int64(0), int64(1)}},
	"inactivity": {`SELECT a.id FROM agents a WHERE a.active = 1 AND a.inactivity_warned_at IS NULL
		AND a.created_at < $1 AND COALESCE(a.reactivated_at, 0) < $1
		AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.actor_id = a.id AND e.action = $2 AND e.at >= $1)`,
		[]any{int64(1), "auth.login"}},
}

// ExplainForTest returns the plan of query as text: SQLite's EXPLAIN QUERY
// PLAN, or PostgreSQL's EXPLAIN with sequential scans priced out, so that
// a test database of a few rows shows which index the query can use, as a
// table of millions would.
func (db *DB) ExplainForTest(query string, args ...any) (string, error) {
	ctx := context.Background()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect.Name == "postgres" {
		if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return "", err
		}
		prefix = "EXPLAIN "
	}
	rows, err := tx.QueryContext(ctx, prefix+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		out = append(out, fmt.Sprint(vals...))
	}
	return strings.Join(out, "\n"), rows.Err()
}

// HouseholdHintsSQL is the household-hint query, for TestHouseholdHintPlan.
const HouseholdHintsSQL = householdHintsSQL

// BackfillHouseholdKeysForTest runs the household-key migration's step, which sets every
// client's household key, in a transaction of its own.
func (db *DB) BackfillHouseholdKeysForTest(ctx context.Context) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := backfillHouseholdKeys(ctx, tx, db.Dialect); err != nil {
		return err
	}
	return tx.Commit()
}

// WithScanBatches makes s's duplicate scan write batches of n pairs and
// call written, with the pairs added so far, after each.
func (s *MergeService) WithScanBatches(n int, written func(added int)) *MergeService {
	s.writeBatch, s.batchWritten = n, written
	return s
}

// KeyClientsForTest runs the key index's KeyClients: each key's clients
// within areaIDs, sorted.
func (db *DB) KeyClientsForTest(ctx context.Context, keys []match.NameKey, areaIDs []int64) ([][]int64, error) {
	out := make([][]int64, len(keys))
	err := clientIndex{db}.KeyClients(ctx, keys, areaIDs, func(i int, id int64) { out[i] = append(out[i], id) })
	for _, l := range out {
		slices.Sort(l)
	}
	return out, err
}

// KeyClientsInSQLForTest answers as KeyClients does from SQL alone, each
// key row checked against client_areas: the check the kept areas' clients
// (areaMembers) stand in for.
func (db *DB) KeyClientsInSQLForTest(ctx context.Context, keys []match.NameKey, areaIDs []int64) ([][]int64, error) {
	out := make([][]int64, len(keys))
	for i, k := range keys {
		var args sqlArgs
		q := `SELECT k.client_id FROM client_keys k WHERE k.key = ` + args.add(k.Key) + ` AND k.kind = ` + args.add(k.Kind) +
			` AND ` + inAreas(&args, "k.client_id", areaIDs, db.pool == nil) + ` ORDER BY k.client_id`
		ids, err := queryIDs(ctx, db.read, q, args...)
		if err != nil {
			return nil, err
		}
		out[i] = ids
	}
	return out, nil
}
