package sqldb

import (
	"context"

	"patchwork/match"
)

// KeyCandidates exposes the key-index stage of FuzzyMatcher to the
// black-box tests: the ids of the limit clients it ranks first for text.
func (db *DB) KeyCandidates(ctx context.Context, text string, limit int) ([]int64, error) {
	return db.KeyCandidatesIn(ctx, text, nil, limit)
}

// KeyCandidatesIn is KeyCandidates within the local areas areaIDs (nil for
// the whole network), as the second look of a local search reads it.
func (db *DB) KeyCandidatesIn(ctx context.Context, text string, areaIDs []int64, limit int) ([]int64, error) {
	return db.keyCandidates(ctx, match.QueryKeys(match.ParseQuery(text, db.now()).Names), areaIDs, limit, keyRowBudget)
}

// IsUniqueViolation exposes isUniqueViolation to the black-box tests.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }
