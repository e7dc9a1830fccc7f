package sqldbtest

import (
	"testing"

	"patchwork/sqldb"
)

// MustCount runs a query that returns one number (a COUNT(*)) and returns
// it, failing tb if the query fails: a count that could not be read must
// never pass for zero.
func MustCount(tb testing.TB, db *sqldb.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.QueryRowForTest(query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}
