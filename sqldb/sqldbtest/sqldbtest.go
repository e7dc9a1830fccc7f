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
	"os"
	"path/filepath"
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
	switch dialect {
	case "sqlite":
		db, err = sqldb.Open(ctx, filepath.Join(tb.TempDir(), "test.db"))
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
		db, err = sqldb.OpenPostgresSchema(ctx, PostgresDSN(), schema)
	default:
		tb.Fatalf("unknown dialect %q", dialect)
	}
	if err != nil {
		tb.Fatalf("open %s: %v", dialect, err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate %s: %v", dialect, err)
	}
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
