package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// RowSource yields the rows of a bulk load one at a time; ok false ends it.
// The returned slice may be reused by the next call.
type RowSource func() (row []any, ok bool)

// sqliteBatchRows is how many rows one prepared multi-row INSERT writes, and
// sqliteTxRows how many rows one transaction holds.
const (
	sqliteBatchRows = 256
	sqliteTxRows    = 500_000
)

// BulkInsert loads rows into table as fast as the database allows: COPY on
// PostgreSQL, prepared multi-row INSERTs in large transactions on SQLite. It
// is for loading demo and evaluation data into a fresh database: it bypasses
// the services, so nothing is audited and no rule is checked. Rows given
// explicit ids must be followed by FinishBulk.
func (db *DB) BulkInsert(ctx context.Context, table string, cols []string, next RowSource) (int64, error) {
	if db.pool != nil {
		var err error
		n, cerr := db.pool.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
			row, ok := next()
			if !ok {
				return nil, err
			}
			return row, nil
		}))
		return n, cerr
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	// Durability does not matter while loading a fresh database.
	for _, p := range []string{`PRAGMA synchronous = OFF`, `PRAGMA cache_size = -1000000`, `PRAGMA foreign_keys = OFF`} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return 0, err
		}
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = NORMAL`)
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -32000`)

	insert := func(rows int) string {
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		k := 1
		for r := range rows {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for c := range cols {
				if c > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", k)
				k++
			}
			b.WriteByte(')')
		}
		return b.String()
	}
	var total int64
	args := make([]any, 0, sqliteBatchRows*len(cols))
	done := false
	for !done {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return total, err
		}
		stmt, err := tx.PrepareContext(ctx, insert(sqliteBatchRows))
		if err != nil {
			tx.Rollback()
			return total, err
		}
		inTx := 0
		for inTx < sqliteTxRows {
			args = args[:0]
			rows := 0
			for rows < sqliteBatchRows {
				row, ok := next()
				if !ok {
					done = true
					break
				}
				args = append(args, row...)
				rows++
			}
			if rows == sqliteBatchRows {
				_, err = stmt.ExecContext(ctx, args...)
			} else if rows > 0 {
				_, err = tx.ExecContext(ctx, insert(rows), args...)
			}
			if err != nil {
				stmt.Close()
				tx.Rollback()
				return total, fmt.Errorf("sqldb: bulk insert into %s: %w", table, err)
			}
			inTx += rows
			total += int64(rows)
			if done {
				break
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return total, err
		}
	}
	return total, nil
}

// FinishBulk moves PostgreSQL's id sequences past ids loaded explicitly by
// BulkInsert and refreshes the planner's statistics on both databases.
func (db *DB) FinishBulk(ctx context.Context, tables ...string) error {
	for _, t := range tables {
		if db.pool != nil {
			if _, err := db.write.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'),
				COALESCE((SELECT MAX(id) FROM `+t+`), 0) + 1, false)`); err != nil {
				return fmt.Errorf("sqldb: reset %s ids: %w", t, err)
			}
		}
	}
	if db.pool != nil {
		_, err := db.write.ExecContext(ctx, `ANALYZE`)
		return err
	}
	_, err := db.write.ExecContext(ctx, `ANALYZE`)
	return err
}

// FoldName folds a name as client_names stores it (given_norm, family_norm),
// for bulk loaders.
func FoldName(s string) string { return foldText(s) }
