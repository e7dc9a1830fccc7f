package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// RowSource yields the rows of a bulk load one at a time; ok false ends it.
// The returned slice may be reused by the next call.
type RowSource func() (row []any, ok bool)

// sqliteMaxParams is how many parameters one SQLite statement may take,
// sqliteBatchRows the most rows one prepared multi-row INSERT writes, and
// sqliteTxRows how many rows one transaction holds.
const (
	sqliteMaxParams = 32766
	sqliteBatchRows = 1000
	sqliteTxRows    = 1_000_000
)

// BulkInsert loads rows into table as fast as the database allows: COPY on
// PostgreSQL, prepared multi-row INSERTs in large transactions on SQLite,
// with the rows made by next in a goroutine of their own while the previous
// batch is written. next is called from that one goroutine only, and never
// after BulkInsert returns. It is for loading demo and evaluation data into
// a fresh database: it bypasses the services, so nothing is audited and no
// rule is checked. Rows given explicit ids must be followed by FinishBulk.
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
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = `+sqliteWriteCacheSize)

	batchRows := min(sqliteBatchRows, sqliteMaxParams/len(cols))
	insert := func(rows int) string {
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		row := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
		for r := range rows {
			if r > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		return b.String()
	}

	// The producer fills batches of arguments; the loop below writes them.
	type batch struct {
		args []any
		rows int
	}
	batches := make(chan batch, 4)
	free := make(chan []any, 6)
	stop := make(chan struct{})
	go func() {
		defer close(batches)
		for {
			var args []any
			select {
			case args = <-free:
				args = args[:0]
			default:
				args = make([]any, 0, batchRows*len(cols))
			}
			rows := 0
			for rows < batchRows {
				row, ok := next()
				if !ok {
					break
				}
				args = append(args, row...)
				rows++
			}
			if rows > 0 {
				select {
				case batches <- batch{args, rows}:
				case <-stop:
					return
				}
			}
			if rows < batchRows {
				return
			}
		}
	}()
	fail := func(err error) error {
		close(stop)
		for range batches { // let the producer finish before returning
		}
		return err
	}

	var total int64
	var tx *sql.Tx
	var stmt *sql.Stmt
	inTx := 0
	for b := range batches {
		if tx == nil {
			if tx, err = conn.BeginTx(ctx, nil); err != nil {
				return total, fail(err)
			}
			if stmt, err = tx.PrepareContext(ctx, insert(batchRows)); err != nil {
				tx.Rollback()
				return total, fail(err)
			}
		}
		if b.rows == batchRows {
			_, err = stmt.ExecContext(ctx, b.args...)
		} else {
			_, err = tx.ExecContext(ctx, insert(b.rows), b.args...)
		}
		if err != nil {
			stmt.Close()
			tx.Rollback()
			return total, fail(fmt.Errorf("sqldb: bulk insert into %s: %w", table, err))
		}
		clear(b.args)
		select {
		case free <- b.args:
		default:
		}
		inTx += b.rows
		total += int64(b.rows)
		if inTx >= sqliteTxRows {
			stmt.Close()
			err := tx.Commit()
			tx, stmt, inTx = nil, nil, 0
			if err != nil {
				return total, fail(err)
			}
		}
	}
	if tx != nil {
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return total, err
		}
	}
	return total, nil
}

// DeferIndexes drops the secondary indexes of tables before a bulk load and
// returns a function that creates them again, which is much faster than
// keeping them up to date row by row. Primary keys and indexes behind
// constraints stay. Call the function even when the load fails.
func (db *DB) DeferIndexes(ctx context.Context, tables ...string) (func(context.Context) error, error) {
	var q string
	var args []any
	if db.pool != nil {
		q = `SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema()
			AND i.tablename = ANY($1) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`
		args = []any{tables}
	} else {
		q = `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
			AND tbl_name IN (` + placeholders(1, len(tables)) + `)`
		for _, t := range tables {
			args = append(args, t)
		}
	}
	type index struct{ name, def string }
	indexes, err := scanAll(ctx, db.write, q, func(sc interface{ Scan(...any) error }) (i index, err error) {
		return i, sc.Scan(&i.name, &i.def)
	}, args...)
	if err != nil {
		return nil, err
	}
	restore := func(ctx context.Context) error {
		for _, ix := range indexes {
			def := strings.Replace(ix.def, "CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
			def = strings.Replace(def, "CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1)
			if _, err := db.write.ExecContext(ctx, def); err != nil {
				return fmt.Errorf("sqldb: recreate index: %w", err)
			}
		}
		return nil
	}
	for _, ix := range indexes {
		if _, err := db.write.ExecContext(ctx, `DROP INDEX `+ix.name); err != nil {
			restore(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("sqldb: drop index %s: %w", ix.name, err)
		}
	}
	return restore, nil
}

// FinishBulk moves PostgreSQL's id sequences past ids loaded explicitly by
// BulkInsert and refreshes the planner's statistics on both databases (and,
// on PostgreSQL, vacuums).
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
		// VACUUM also sets the visibility map, without which index-only
		// scans (client_keys lookups) visit the heap for every row: ten
		// times slower on freshly copied tables.
		// Only this schema's tables: tests share one database.
		var list string
		if err := db.write.QueryRowContext(ctx, `SELECT string_agg(quote_ident(tablename), ', ')
			FROM pg_tables WHERE schemaname = current_schema()`).Scan(&list); err != nil {
			return err
		}
		_, err := db.write.ExecContext(ctx, `VACUUM (ANALYZE) `+list)
		return err
	}
	if _, err := db.write.ExecContext(ctx, `ANALYZE`); err != nil {
		return err
	}
	return dropStat4(ctx, db.write)
}

// statsRowLimit bounds the rows of each index that refreshing the
// statistics reads (PRAGMA analysis_limit): enough for the row counts the
// planner needs, and with a limit SQLite writes no sqlite_stat4 samples.
const statsRowLimit = 1000

// RefreshStatistics brings SQLite's planner statistics up to date where a
// table has grown or shrunk tenfold since they were taken (PRAGMA optimize
// over every table), reading at most statsRowLimit rows of an index. The
// audit log grows from nothing to millions of rows: planned with the
// statistics of a small log, finding its newest row scanned an index of
// all of them. PostgreSQL's autovacuum analyses on its own.
func (db *DB) RefreshStatistics(ctx context.Context) error {
	if db.pool != nil {
		return nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA analysis_limit = `+itoa(statsRowLimit)); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `PRAGMA optimize = 0x10002`)
	return err
}

// dropStat4 empties SQLite's sqlite_stat4 samples, keeping sqlite_stat1's
// row counts. With samples, every statement whose plan could depend on a
// bound value (an indexed column compared with a parameter: most of
// Patchwork's) is parsed and planned again at every run, which made the
// client page of a million-client database spend a third of its time in
// SQLite's parser (docs/performance.md, "Client page").
func dropStat4(ctx context.Context, q querier) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM sqlite_stat4`); err != nil {
		return err
	}
	// Open connections keep the samples they loaded until they read the
	// statistics again.
	_, err := q.ExecContext(ctx, `ANALYZE sqlite_schema`)
	return err
}

// SQL returns the handles the store reads and writes through, for a tool
// that measures the store on a database loaded for it (the search
// evaluation, package searcheval), as BulkInsert is for the loader. What
// it runs there passes neither the store's access rules nor its audit; the
// store and the server never call it.
func (db *DB) SQL() (read, write *sql.DB) { return db.read.DB, db.write.DB }
