package sqldb

import (
	"os"
	"regexp"
	"testing"
)

// TestAdvisoryLocksAreDistinct: advisory locks are held per PostgreSQL
// database across features, so two uses sharing a key wait for each other
// (see locks.go); each is scoped to the schema.
func TestAdvisoryLocksAreDistinct(t *testing.T) {
	// Every key declared in locks.go must be in advisoryKeys, or this test
	// would not see it collide.
	src, err := os.ReadFile("locks.go")
	if err != nil {
		t.Fatal(err)
	}
	if declared := len(regexp.MustCompile(`(?m)^\s+advisory\w+\s+int32\s*=`).FindAll(src, -1)); len(advisoryKeys) != declared {
		t.Fatalf("advisoryKeys lists %d keys, locks.go declares %d; list every key", len(advisoryKeys), declared)
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
