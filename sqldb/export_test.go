package sqldb

import "context"

// IsUniqueViolation exposes isUniqueViolation to the black-box tests.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }

// AuditRead exposes the batched audit append of read-only use cases to the
// black-box tests and benchmarks.
func (db *DB) AuditRead(ctx context.Context, action string, clientID int64, detail string) error {
	return db.auditRead(ctx, action, clientID, detail)
}

// UnkeyedAuditHash is the plain SHA-256 chain hash of rows from before
// keyed hashing: what someone without the key can compute. Tests use it to
// forge rows and to write a database from before migration 011.
func UnkeyedAuditHash(prev string, id, at, actor, client int64, action, detail, ip string) string {
	r := auditRow{ID: id, At: at, Actor: actor, Client: client, Action: action, Detail: detail, IP: ip, PrevHash: prev}
	return r.unkeyedHash()
}
