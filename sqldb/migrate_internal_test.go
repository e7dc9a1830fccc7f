package sqldb

import "testing"

// TestMigrationStepsHaveTheirFiles: each Go step of a migration names a
// migration file of both dialects; a file renamed without its step would
// otherwise migrate without it, silently.
func TestMigrationStepsHaveTheirFiles(t *testing.T) {
	for _, d := range []Dialect{sqliteDialect, postgresDialect} {
		ms, err := (&DB{Dialect: d}).migrations()
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, m := range ms {
			names[stepName(m.Name)] = true
		}
		for name := range migrationSteps {
			if !names[name] {
				t.Errorf("%s: no migration file for the step %q", d.Name, name)
			}
		}
	}
}
