package sqldb

import (
	"context"
	"fmt"
)

// Advisory lock keys on PostgreSQL, all in one place. An advisory lock is
// held per database, so every use needs a key of its own: with a shared
// key, unrelated transactions wait for each other, and the
// phone-book rebuild (which holds its lock while it rewrites agent_words)
// and a profile change (which writes agent_words, then takes the audit lock
// to append its audit row) deadlocked on one key. TestAdvisoryLocksAreDistinct
// keeps them apart; TestDirectoryRebuildDuringAuditAppends shows the two
// now pass each other.
//
// Every lock is also scoped to the schema (see advisory): Patchwork's tables
// live in one schema, and a database holding several (the tests make one per
// test) must not make them queue on each other's migrations and audit
// appends. Instances of one deployment share the schema, hence the lock.
const (
	// advisoryMigrate is a session lock: instances starting together take
	// turns to migrate.
	advisoryMigrate int32 = 7210000
	// advisoryAudit is a transaction lock: one append to the audit hash
	// chain at a time.
	advisoryAudit int32 = 7210001
	// advisoryDirectory is a transaction lock: one rebuild of the phone
	// book's search index at a time.
	advisoryDirectory int32 = 7210002
	// advisoryPasswordReset is a transaction lock: one password reset
	// request counted at a time, so parallel ones cannot all pass a limit.
	advisoryPasswordReset int32 = 7210003
	// advisorySeed is a session lock: instances started together with
	// --demo seed the demo network once (see WithSeedLock).
	advisorySeed int32 = 7210004
	// advisorySignup is a transaction lock: one sign-up request counted at
	// a time, so parallel ones cannot all pass a limit.
	advisorySignup int32 = 7210011
	// advisoryDuplicateScan is a transaction lock: one request for a scan
	// of the duplicates queue at a time, so parallel ones queue one scan.
	advisoryDuplicateScan int32 = 7210020
)

// advisoryKeys lists every key above, for the test that they are distinct.
var advisoryKeys = map[string]int32{"migrate": advisoryMigrate, "audit": advisoryAudit, "directory": advisoryDirectory,
	"password reset": advisoryPasswordReset, "seed": advisorySeed,
	"signup": advisorySignup, "duplicate scan": advisoryDuplicateScan}

// advisory returns the statement that takes (or releases) an advisory lock
// with fn — pg_advisory_lock, pg_advisory_xact_lock,
// pg_advisory_xact_lock_shared, pg_advisory_unlock — on the key bound to $1
// within the current schema. The two-key form's key space does not overlap
// the one-key form's.
func advisory(fn string) string {
	return "SELECT " + fn + "($1, hashtext(current_schema()))"
}

// WithSeedLock runs fn while holding the seeding lock, so instances started
// together on one PostgreSQL database take turns: the first seeds, the
// others then find the data there. On SQLite one process serves a file, and
// the write pool's single connection already serialises writers.
func (db *DB) WithSeedLock(ctx context.Context, fn func() error) error {
	if db.Dialect.Name != "postgres" {
		return fn()
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, advisory("pg_advisory_lock"), advisorySeed); err != nil {
		return fmt.Errorf("sqldb: seed lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), advisory("pg_advisory_unlock"), advisorySeed)
	return fn()
}
