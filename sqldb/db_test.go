package sqldb_test

import (
	"testing"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestPostgresRunsNoParallelQueries covers the session setting that keeps
// PostgreSQL from planning Patchwork's small queries as parallel ones,
// whose workers cost more to start than the queries take.
func TestPostgresRunsNoParallelQueries(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if db.Dialect.Name != "postgres" {
			return
		}
		var v string
		if err := db.QueryRowForTest(`SHOW max_parallel_workers_per_gather`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != "0" {
			t.Errorf("max_parallel_workers_per_gather = %s, want 0", v)
		}
	})
}
