package sqldb

import "testing"

// TestAdvisoryLocksAreDistinct: advisory locks are held per PostgreSQL
// database across features, so two uses sharing a key wait for each other
// (see locks.go); each is scoped to the schema.
func TestAdvisoryLocksAreDistinct(t *testing.T) {
	if len(advisoryKeys) != 4 {
		t.Fatalf("advisoryKeys lists %d keys; list every key of locks.go", len(advisoryKeys))
	}
	seen := map[int32]string{}
	for name, key := range advisoryKeys {
		if other, ok := seen[key]; ok {
			t.Errorf("advisory locks %s and %s share key %d", name, other, key)
		}
		seen[key] = name
	}
	if want := "SELECT pg_advisory_xact_lock(7210001, hashtext(current_schema()))"; postgresDialect.LockAudit != want {
		t.Errorf("audit lock statement = %q, want %q", postgresDialect.LockAudit, want)
	}
}
