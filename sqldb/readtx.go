package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// readTx is a read-only transaction on the read pool, so that the reads of
// one page see one snapshot and, on SQLite, pay for starting a read once:
// each statement outside a transaction starts its own, and the first read
// after another connection's commit (every view writes an audit row) drops
// the connection's page cache. It runs the pool's cached statements on the
// transaction's connection.
type readTx struct {
	tx     *sql.Tx
	pool   *pool
	misses []string
}

// inReadTx runs fn with a querier reading in one read-only transaction.
func (db *DB) inReadTx(ctx context.Context, fn func(q querier) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect.Name == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	sqlTx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("sqldb: begin read: %w", err)
	}
	rt := &readTx{tx: sqlTx, pool: db.read}
	err = fn(rt)
	if err != nil {
		_ = sqlTx.Rollback()
	} else if err = sqlTx.Commit(); err != nil {
		err = fmt.Errorf("sqldb: end read: %w", err)
	}
	// A statement the transaction ran unprepared is prepared for next
	// time once the connection is back in the pool.
	for _, q := range rt.misses {
		db.read.stmt(context.WithoutCancel(ctx), q)
	}
	return err
}

// stmt returns query's cached statement bound to the transaction, or nil.
// It never prepares: with every read connection held by a transaction,
// preparing on the pool would wait for one of them.
func (rt *readTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if !rt.pool.cache {
		return nil
	}
	if s, ok := rt.pool.stmts.Load(query); ok {
		return rt.tx.StmtContext(ctx, s.(*sql.Stmt))
	}
	rt.misses = append(rt.misses, query)
	return nil
}

func (rt *readTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := rt.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return rt.tx.QueryContext(ctx, query, args...)
}

func (rt *readTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := rt.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return rt.tx.QueryRowContext(ctx, query, args...)
}

func (rt *readTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := rt.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return rt.tx.ExecContext(ctx, query, args...)
}
