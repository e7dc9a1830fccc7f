package sqldb

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxCachedStmts bounds the statement cache; queries built with a varying
// number of placeholders beyond it simply run unprepared.
const maxCachedStmts = 512

// pool is a *sql.DB that reuses prepared statements. On SQLite, parsing and
// planning a statement costs more than running most of Patchwork's queries,
// so each SQL text is prepared once per connection and kept. (pgx caches
// prepared statements itself, so PostgreSQL pools leave cache off.)
type pool struct {
	*sql.DB
	cache bool
	stmts sync.Map // SQL text → *sql.Stmt
	n     atomic.Int32
}

func newPool(db *sql.DB, cache bool) *pool { return &pool{DB: db, cache: cache} }

// stmt returns the cached statement for query, or nil when caching is off
// or full.
func (p *pool) stmt(ctx context.Context, query string) *sql.Stmt {
	if !p.cache {
		return nil
	}
	if s, ok := p.stmts.Load(query); ok {
		return s.(*sql.Stmt)
	}
	if p.n.Load() >= maxCachedStmts {
		return nil
	}
	s, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil // the caller's own run will report the error
	}
	if prev, loaded := p.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt)
	}
	p.n.Add(1)
	return s
}

// QueryContext runs a query through the statement cache.
func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := p.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query through the statement cache.
func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := p.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement through the statement cache.
func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := p.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// Close closes the cached statements and the pool.
func (p *pool) Close() error {
	p.stmts.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
	return p.DB.Close()
}

// txStmt returns query's cached statement bound to tx, or nil. It never
// prepares: on SQLite the write pool has a single connection, which tx holds,
// so preparing would wait for tx itself. A miss is prepared after the
// transaction ends instead (see prepareMisses).
func (tx *Tx) txStmt(ctx context.Context, query string) *sql.Stmt {
	if !tx.db.write.cache {
		return nil
	}
	if s, ok := tx.db.write.stmts.Load(query); ok {
		return tx.Tx.StmtContext(ctx, s.(*sql.Stmt))
	}
	tx.misses = append(tx.misses, query)
	return nil
}

// prepareMisses caches the statements a finished transaction ran unprepared.
func (tx *Tx) prepareMisses(ctx context.Context) {
	for _, q := range tx.misses {
		tx.db.write.stmt(ctx, q)
	}
}

// QueryContext runs a query in the transaction through the statement cache.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := tx.txStmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query in the transaction through the cache.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := tx.txStmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement in the transaction through the cache.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := tx.txStmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}
