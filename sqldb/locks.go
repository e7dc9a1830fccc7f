package sqldb

// Advisory lock keys on PostgreSQL, all in one place. An advisory lock is
// held per database, not per schema, so every use needs a key of its own:
// with a shared key, unrelated transactions wait for each other, and the
// phone-book rebuild (which holds its lock while it rewrites agent_words)
// and a profile change (which writes agent_words, then takes the audit lock
// to append its audit row) deadlocked on one key. TestAdvisoryLocksAreDistinct
// keeps them apart; TestDirectoryRebuildDuringAuditAppends shows the two
// now pass each other.
const (
	// advisoryMigrate is a session lock: instances starting together take
	// turns to migrate.
	advisoryMigrate int64 = 7210000
	// advisoryAudit is a transaction lock: one append to the audit hash
	// chain at a time.
	advisoryAudit int64 = 7210001
	// advisoryDirectory is a transaction lock: one rebuild of the phone
	// book's search index at a time.
	advisoryDirectory int64 = 7210002
	// advisoryPasswordReset is a transaction lock: one password reset
	// request counted at a time, so parallel ones cannot all pass a limit.
	advisoryPasswordReset int64 = 7210003
)

// advisoryKeys lists every key above, for the test that they are distinct.
var advisoryKeys = map[string]int64{"migrate": advisoryMigrate, "audit": advisoryAudit, "directory": advisoryDirectory,
	"password reset": advisoryPasswordReset}
