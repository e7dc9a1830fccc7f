// Package sqldbtest opens fresh, migrated test databases on SQLite and on
// PostgreSQL, so that every store test runs against both.
//
// PostgreSQL is reached through PATCHWORK_TEST_POSTGRES (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). Each test gets
// its own schema, dropped at the end. When PostgreSQL cannot be reached the
// PostgreSQL half of a test is skipped with a clear message — unless
// CI=true, where it fails: CI must never pass without running it.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for schema admin

	"patchwork/sqldb"
)

// Dialects lists the databases every store test runs against.
var Dialects = []string{"sqlite", "postgres"}

// PostgresDSN returns the DSN of the PostgreSQL server used by tests.
func PostgresDSN() string {
	if v := os.Getenv("PATCHWORK_TEST_POSTGRES"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var (
	pgOnce sync.Once
	pgErr  error
)

// RequirePostgres skips tb (or fails it when CI=true) if PostgreSQL is not
// reachable.
func RequirePostgres(tb testing.TB) {
	tb.Helper()
	pgOnce.Do(func() {
		db, err := sql.Open("pgx", PostgresDSN())
		if err == nil {
			err = db.PingContext(context.Background())
			if err == nil {
				sharedExtensions(db)
			}
			db.Close()
		}
		pgErr = err
	})
	if pgErr == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("PostgreSQL is required in CI but unreachable at %s: %v", PostgresDSN(), pgErr)
	}
	tb.Skipf("skipping PostgreSQL test: no server at %s (%v); set PATCHWORK_TEST_POSTGRES or start PostgreSQL", PostgresDSN(), pgErr)
}

// extensions are the PostgreSQL extensions tests use (the search
// evaluation's pg_trgm baseline, the Double Metaphone cross-check).
var extensions = []string{"pg_trgm", "fuzzystrmatch"}

// sharedExtensions puts the extensions tests use in the public schema,
// which every test schema's search_path ends with. An extension belongs to
// one schema of the whole database: created from a test without a schema,
// it would land in that test's own schema and vanish with it when the test
// drops it, while another test, finding it "already exists", fails to use
// it. Failures are left to the tests that need the extension to report.
func sharedExtensions(db *sql.DB) {
	ctx := context.Background()
	for _, ext := range extensions {
		var schema string
		err := db.QueryRowContext(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
			WHERE e.extname = $1`, ext).Scan(&schema)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// Another test process may be creating it at the same moment;
			// then this one fails and the other's stands.
			_, _ = db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS `+ext+` SCHEMA public`)
		case err == nil && schema != "public":
			_, _ = db.ExecContext(ctx, `ALTER EXTENSION `+ext+` SET SCHEMA public`)
		}
	}
}

// Each runs fn as a subtest once per dialect, each with a fresh migrated
// database.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) { fn(t, MustOpen(t, d)) })
	}
}

// MustOpen returns a fresh, migrated database of the given dialect that is
// closed (and, on PostgreSQL, dropped) when tb ends.
func MustOpen(tb testing.TB, dialect string) *sqldb.DB {
	tb.Helper()
	ctx := context.Background()
	var db *sqldb.DB
	var err error
	t := target{dialect: dialect}
	switch dialect {
	case "sqlite":
		t.path = filepath.Join(tb.TempDir(), "test.db")
		t.audit = sqldb.DefaultAuditKeyConfig(t.path)
		db, err = sqldb.Open(ctx, t.path)
	case "postgres":
		RequirePostgres(tb)
		schema := "t_" + randomHex(8)
		admin, aerr := sql.Open("pgx", PostgresDSN())
		if aerr != nil {
			tb.Fatal(aerr)
		}
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			tb.Fatalf("create schema: %v", err)
		}
		tb.Cleanup(func() {
			admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
			admin.Close()
		})
		t.schema = schema
		dir := tb.TempDir()
		t.audit = sqldb.AuditKeyConfig{KeyFile: filepath.Join(dir, "audit-key"), CheckpointFile: filepath.Join(dir, "audit-checkpoint")}
		db, err = sqldb.OpenPostgresSchema(ctx, PostgresDSN(), schema)
	default:
		tb.Fatalf("unknown dialect %q", dialect)
	}
	if err != nil {
		tb.Fatalf("open %s: %v", dialect, err)
	}
	tb.Cleanup(func() { db.Close() })
	db.SetAuditKeyConfig(t.audit)
	targets.Store(db, t)
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate %s: %v", dialect, err)
	}
	return db
}

// target is where MustOpen put a database, so a test can open it again.
type target struct {
	dialect, path, schema string
	audit                 sqldb.AuditKeyConfig
}

var targets sync.Map // *sqldb.DB → target

func targetOf(tb testing.TB, db *sqldb.DB) target {
	tb.Helper()
	t, ok := targets.Load(db)
	if !ok {
		tb.Fatal("sqldbtest: database not opened by MustOpen")
	}
	return t.(target)
}

// AuditConfig returns where the audit key and checkpoint file of a
// database MustOpen made are (in the test's temporary directory).
func AuditConfig(tb testing.TB, db *sqldb.DB) sqldb.AuditKeyConfig {
	tb.Helper()
	return targetOf(tb, db).audit
}

// Reopen opens the database of db again — another instance, or the same
// one restarted — with the audit key and checkpoint file of cfg, and
// migrates it. It returns Migrate's error, so that a test can see a start
// refused; the handle is closed when tb ends.
func Reopen(tb testing.TB, db *sqldb.DB, cfg sqldb.AuditKeyConfig) (*sqldb.DB, error) {
	tb.Helper()
	t := targetOf(tb, db)
	ctx := context.Background()
	var other *sqldb.DB
	var err error
	if t.dialect == "sqlite" {
		other, err = sqldb.Open(ctx, t.path)
	} else {
		other, err = sqldb.OpenPostgresSchema(ctx, PostgresDSN(), t.schema)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { other.Close() })
	other.SetAuditKeyConfig(cfg)
	targets.Store(other, target{dialect: t.dialect, path: t.path, schema: t.schema, audit: cfg})
	return other, other.Migrate(ctx)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// DSN returns what opens the database of db from outside the test, as the
// CLI's --db flag takes it: the SQLite file, or a PostgreSQL URL whose
// search_path is the test's schema.
func DSN(tb testing.TB, db *sqldb.DB) string {
	tb.Helper()
	t := targetOf(tb, db)
	if t.dialect == "sqlite" {
		return t.path
	}
	sep := "?"
	if strings.Contains(PostgresDSN(), "?") {
		sep = "&"
	}
	return PostgresDSN() + sep + "search_path=" + url.QueryEscape(t.schema+",public")
}
