package sqldb

import "context"

// IsUniqueViolation exposes isUniqueViolation to the black-box tests.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }

// AuditRead exposes the batched audit append of read-only use cases to the
// black-box tests and benchmarks.
func (db *DB) AuditRead(ctx context.Context, action string, clientID int64, detail string) error {
	return db.auditRead(ctx, action, clientID, detail)
}
