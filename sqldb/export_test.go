package sqldb

import (
	"context"

	"patchwork/match"
)

// KeyCandidates exposes the key-index stage of FuzzyMatcher to the
// black-box tests: the ids of the limit clients it ranks first for text.
func (db *DB) KeyCandidates(ctx context.Context, text string, limit int) ([]int64, error) {
	return db.keyCandidates(ctx, match.QueryKeys(match.ParseQuery(text, db.now()).Names), nil, limit, keyRowBudget)
}
