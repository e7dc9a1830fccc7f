package search

import (
	"context"
	"time"

	"patchwork/match"
)

// KeyStage exposes the key-index stage of the engine to the tests
// outside the package: the ids of the limit clients it ranks first for
// text, within the local areas areaIDs (nil for the whole network), as the
// first look of a name-only search (or the second, within areas) reads it.
func (e *Engine) KeyStage(ctx context.Context, text string, areaIDs []int64, limit int) ([]int64, error) {
	return e.keyCandidates(ctx, match.QueryKeys(match.ParseQuery(text, time.Now()).Names), areaIDs, limit, keyRowBudget)
}
