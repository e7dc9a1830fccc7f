package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// Planner statistics taken when a table was small are refreshed once it
// has grown tenfold, without sqlite_stat4 samples (which make SQLite plan
// hot statements again at every run). PostgreSQL analyses on its own: the
// call does nothing there and must not fail.
func TestRefreshStatistics(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if db.Dialect.Name != "sqlite" {
			if err := db.RefreshStatistics(ctx); err != nil {
				t.Fatal(err)
			}
			return
		}
		_, w := db.SQL()
		exec := func(q string) {
			t.Helper()
			if _, err := w.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`CREATE TABLE grows (x INTEGER NOT NULL)`)
		exec(`CREATE INDEX grows_x ON grows(x)`)
		exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) INSERT INTO grows SELECT i FROM n`)
		exec(`ANALYZE grows`)
		stat := func() string {
			var s string
			if err := w.QueryRowContext(ctx, `SELECT stat FROM sqlite_stat1 WHERE idx = 'grows_x'`).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		if s := stat(); !strings.HasPrefix(s, "10 ") {
			t.Fatalf("statistics after the first ANALYZE: %q", s)
		}
		exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO grows SELECT i FROM n`)
		if err := db.RefreshStatistics(ctx); err != nil {
			t.Fatal(err)
		}
		if s := stat(); !strings.HasPrefix(s, "5010 ") {
			t.Fatalf("statistics after growing 500-fold and a refresh: %q, want 5010 rows", s)
		}
		var samples int
		if err := w.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'`).Scan(&samples); err != nil {
			t.Fatal(err)
		}
		if samples > 0 {
			if err := w.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_stat4`).Scan(&samples); err != nil {
				t.Fatal(err)
			}
		}
		if samples != 0 {
			t.Fatalf("%d sqlite_stat4 samples after the refresh, want none", samples)
		}
	})
}
