package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationsFS embed.FS

// migration is one numbered SQL file.
type migration struct {
	Version int
	Name    string
	SQL     string
}

func (db *DB) migrations() ([]migration, error) {
	dir := "migrations/" + db.Dialect.Name
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("sqldb: badly named migration %s", e.Name())
		}
		b, err := fs.ReadFile(migrationsFS, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	// Two files with one number would run only the first: the second is
	// taken for applied and its changes silently never made.
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("sqldb: migrations %s and %s share a number", ms[i-1].Name, ms[i].Name)
		}
	}
	return ms, nil
}

// migrationSteps are the parts of migrations written in Go, by the name of
// their file without its number (so that renumbering a migration keeps its
// step): each runs right after its file's SQL, in the same transaction and,
// on PostgreSQL, under the same lock, so it runs exactly once and a crash
// part-way leaves the migration to run again whole.
var migrationSteps = map[string]func(ctx context.Context, tx *sql.Tx, d Dialect) error{
	"household_key": backfillHouseholdKeys,
}

// stepName is a migration file's name without its number and extension:
// "household_key" for 030_household_key.sql.
func stepName(file string) string {
	_, name, _ := strings.Cut(file, "_")
	return strings.TrimSuffix(name, ".sql")
}

// Migrate applies every pending migration, each in its own transaction. On
// PostgreSQL an advisory lock makes instances that start together take turns,
// so each migration runs exactly once. It then loads the audit key (creating
// it for a database whose audit log was never keyed) and checks the chain's
// head against the checkpoint file (see SetAuditKeyConfig); it fails rather
// than start on a missing or wrong key or a log cut short since.
func (db *DB) Migrate(ctx context.Context) error {
	if err := db.migrate(ctx); err != nil {
		return err
	}
	if db.pool == nil {
		// A database analysed before samples were dropped (dropStat4).
		if err := dropStat4(ctx, db.write); err != nil {
			return err
		}
		if err := db.RefreshStatistics(ctx); err != nil {
			return err
		}
	}
	// After migrate has given its connection back: on SQLite the write pool
	// has only the one.
	if err := db.openAudit(ctx); err != nil {
		return err
	}
	if err := db.ensureSearchIndex(ctx); err != nil {
		return err
	}
	return db.ensureDirectoryIndex(ctx)
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if db.Dialect.Name == "postgres" {
		if _, err := conn.ExecContext(ctx, advisory("pg_advisory_lock"), advisoryMigrate); err != nil {
			return fmt.Errorf("sqldb: migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), advisory("pg_advisory_unlock"), advisoryMigrate)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("sqldb: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
			tx.Rollback()
			return err
		}
		if n > 0 {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("sqldb: migration %s: %w", m.Name, err)
		}
		if step := migrationSteps[stepName(m.Name)]; step != nil {
			if err := step(ctx, tx, db.Dialect); err != nil {
				tx.Rollback()
				return fmt.Errorf("sqldb: migration %s: %w", m.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.Version, m.Name, micros(db.now())); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqldb: migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// ensureSearchIndex builds the search keys of clients added before the
// search index existed (migration 002). It runs once per database; clients
// added since carry their keys from the start.
func (db *DB) ensureSearchIndex(ctx context.Context) error {
	if v, err := db.Setting(ctx, "client_keys_indexed"); err != nil || v == "1" {
		return err
	}
	if _, err := db.ReindexClientKeys(ctx); err != nil {
		return fmt.Errorf("sqldb: build search index: %w", err)
	}
	return db.SetSetting(ctx, "client_keys_indexed", "1")
}

// MigrationsCurrent returns an error unless every migration this binary
// knows has been applied: an instance whose database another, older or
// newer, binary migrated differently is not ready to serve (/readyz).
func (db *DB) MigrationsCurrent(ctx context.Context) error {
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	applied := make(map[int]bool, len(ms))
	rows, err := db.read.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("sqldb: read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return err
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range ms {
		if !applied[m.Version] {
			return fmt.Errorf("sqldb: migration %s not applied", m.Name)
		}
	}
	return nil
}
