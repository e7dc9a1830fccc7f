// Package sqldb implements Patchwork's services on SQLite and PostgreSQL with
// hand-written SQL on database/sql. Both drivers bind $1, $2 … by number, so
// one SQL text serves both; what differs lives in Dialect and in the two
// migration folders.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"patchwork"
)

// Dialect holds the little SQL that differs between the two databases.
type Dialect struct {
	Name string // "sqlite" or "postgres"
	// LockAudit serialises appends to the audit hash chain inside a
	// transaction. SQLite's single writer already does that.
	LockAudit string
	// SkipLocked is appended to job-claiming SELECTs.
	SkipLocked string
	// LockRow is appended to a SELECT of one row that must stay locked
	// until the transaction ends. SQLite's single writer already holds
	// every row a write transaction reads.
	LockRow string
}

var (
	sqliteDialect   = Dialect{Name: "sqlite"}
	postgresDialect = Dialect{
		Name:       "postgres",
		LockAudit:  strings.Replace(advisory("pg_advisory_xact_lock"), "$1", fmt.Sprint(advisoryAudit), 1),
		SkipLocked: " FOR UPDATE SKIP LOCKED",
		LockRow:    " FOR NO KEY UPDATE",
	}
)

// DB is a connection to Patchwork's database. On SQLite it keeps two pools:
// one connection for writes (SQLite has a single writer; queueing in Go is
// far faster than SQLite's busy-wait) and several read-only connections.
type DB struct {
	read    *pool
	write   *pool
	pool    *pgxpool.Pool
	Dialect Dialect
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// ReviewDays is how often, in days, agents are asked to confirm each
	// membership (serve --review-days); 0 means patchwork.DefaultReviewDays.
	ReviewDays int
	// RetentionDays and RetentionGraceDays are the retention rule's periods
	// (serve --retention-days, --retention-grace-days); 0 means
	// patchwork.DefaultRetentionDays and DefaultRetentionGraceDays.
	RetentionDays, RetentionGraceDays int
	// InactivityDays and InactivityGraceDays are the inactivity rule's
	// periods (serve --inactivity-days, --inactivity-grace-days); 0 means
	// patchwork.DefaultInactivityDays and DefaultInactivityGraceDays.
	InactivityDays, InactivityGraceDays int
	// Alerts are the unusual-access thresholds (serve --alert-…); zero
	// fields mean the defaults.
	Alerts patchwork.AlertThresholds

	secretMu  sync.Mutex
	secretKey []byte

	auditOnce  sync.Once
	auditQueue chan auditRequest
	auditStop  chan struct{}
	auditDone  chan struct{}
	chain      auditChain

	vocab   vocabCache
	members areaMembers // the searched areas' clients (area_members.go)

	path string      // the SQLite file; "" on PostgreSQL
	full atomic.Bool // the last write transaction failed for lack of space (StorageFull)
}

// Open connects to dsn: a postgres:// or postgresql:// URL, or else the path
// of a SQLite file (created if missing). It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn, nil)
	}
	return openSQLite(ctx, dsn)
}

// sqliteWriteCache is the write connection's page cache: 8 MB, against
// 32 MB for each reader. A reader's cache is emptied whenever another
// connection has committed since its last read (SQLite's WAL mode), so
// under the audit row every view writes it only ever holds one
// transaction's pages; the writer's is never emptied and grew to its
// bound, which at statewide data took the instance to the 300 MB asked.
// At 8 MB the mix's peak resident memory fell from 298-309 to 256-267 MB
// with the same throughput (docs/performance.md).
const sqliteWriteCache = "&_pragma=cache_size(" + sqliteWriteCacheSize + ")"

// sqliteWriteCacheSize is sqliteWriteCache's PRAGMA cache_size: negative
// for kibibytes.
const sqliteWriteCacheSize = "-8000"

func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	if path == "" {
		return nil, errors.New("sqldb: empty database path")
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)" +
		"&_pragma=foreign_keys(1)&_time_format=sqlite"
	// secure_delete zeroes what a write frees, so a value changed or erased
	// leaves no copy in the file's free space (docs/security.md, Erasure).
	write, err := sql.Open("sqlite", base+sqliteWriteCache+"&_txlock=immediate&_pragma=secure_delete(1)")
	if err != nil {
		return nil, fmt.Errorf("sqldb: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqldb: open %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", base+"&_pragma=cache_size(-32000)&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	n := 2 * runtime.NumCPU()
	if n < 4 {
		n = 4
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)
	return &DB{read: newPool(read, true), write: newPool(write, true), Dialect: sqliteDialect, Now: time.Now, path: path,
		auditStop: make(chan struct{}), chain: auditChain{cfg: DefaultAuditKeyConfig(path)}}, nil
}

// openPostgres connects through pgxpool; runtime parameters (such as a test's
// search_path) are applied to every connection.
func openPostgres(ctx context.Context, dsn string, params map[string]string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqldb: parse postgres dsn: %w", err)
	}
	for k, v := range params {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	// Patchwork's queries are many and small. PostgreSQL plans a search's
	// key lookup (a few thousand index rows) as a parallel query, and
	// starting its workers took 40-50 ms of a 60 ms query on two cores.
	// The DSN may still ask for them.
	if _, set := cfg.ConnConfig.RuntimeParams["max_parallel_workers_per_gather"]; !set {
		cfg.ConnConfig.RuntimeParams["max_parallel_workers_per_gather"] = "0"
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sqldb: connect postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("sqldb: connect postgres: %w", err)
	}
	p := newPool(stdlib.OpenDBFromPool(pool), false)
	return &DB{read: p, write: p, pool: pool, Dialect: postgresDialect, Now: time.Now, auditStop: make(chan struct{})}, nil
}

// Close closes every pool.
func (db *DB) Close() error {
	db.auditOnce.Do(func() {}) // no batcher may start after this
	db.stopAuditBatcher()
	err := db.closeAudit()
	err = errors.Join(err, db.read.Close())
	if db.write != db.read {
		err = errors.Join(err, db.write.Close())
	}
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// now returns the current time truncated to microseconds, the resolution
// times are stored at.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// Tx is a write transaction with the time at which it started, so that every
// row written by one use case carries the same timestamp.
type Tx struct {
	*sql.Tx
	db     *DB
	now    time.Time
	misses []string // statements to prepare once the connection is free
	// committed runs once the transaction has committed (see afterCommit).
	committed []func()
	auditHead *txAuditHead // set once the transaction appends to the audit chain
}

// afterCommit runs fn once tx has committed, and not at all if it rolls
// back: for what must follow the change only once others can see it, such
// as dropping a cache of what it changed.
func (tx *Tx) afterCommit(fn func()) { tx.committed = append(tx.committed, fn) }

// inTx runs fn in one write transaction and commits it if fn returns nil.
// This is the one-transaction-per-use-case rule: the change, its activity,
// its audit row and its notifications commit or roll back together.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqldb: begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, db: db, now: db.now()}
	defer tx.prepareMisses(context.WithoutCancel(ctx))
	err = fn(tx)
	if err == nil {
		err = tx.sealAudit(ctx)
	}
	if err != nil {
		_ = sqlTx.Rollback()
		db.noteWrite(err)
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		db.noteWrite(err)
		return fmt.Errorf("sqldb: commit: %w", err)
	}
	db.noteWrite(nil)
	for _, fn := range tx.committed {
		fn()
	}
	return nil
}

// querier is what read helpers need: a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// micros converts a time to stored unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts stored unix microseconds to a UTC time; 0 is zero.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// nullMicros converts a nullable stored time.
func nullMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
}

// b2i stores a bool as 0 or 1 (both dialects use integer flags).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// placeholders returns "$start, $start+1, …" for n arguments.
func placeholders(start, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", start+i)
	}
	return b.String()
}

// Setting returns a deployment setting, or "" if unset.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting stores a deployment setting.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

// OpenPostgresSchema connects to PostgreSQL with every connection's
// search_path set to schema (plus public, where extensions live). Tests use it
// to give each test its own schema.
func OpenPostgresSchema(ctx context.Context, dsn, schema string) (*DB, error) {
	return openPostgres(ctx, dsn, map[string]string{"search_path": schema + ",public"})
}

// QueryRowForTest runs a read query outside any service; tests use it to
// check side effects.
func (db *DB) QueryRowForTest(query string, args ...any) *sql.Row {
	return db.write.QueryRowContext(context.Background(), query, args...)
}

// QueryForTest runs a read query of many rows outside any service; tests
// use it to compare databases.
func (db *DB) QueryForTest(query string, args ...any) (*sql.Rows, error) {
	return db.write.QueryContext(context.Background(), query, args...)
}

// ExecForTest runs a statement outside any service; tests use it to set up
// states (such as tampering with the audit log) no service would produce.
func (db *DB) ExecForTest(query string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(context.Background(), query, args...)
}

// CountAgents returns how many agents exist; the CLI uses it to tell an
// empty database from a seeded one.
func (db *DB) CountAgents(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents`).Scan(&n)
	return n, err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }
