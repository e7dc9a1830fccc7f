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

// MemIndex is the engine tests' index in memory, exported for the test
// that holds it to the store's index.
type MemIndex = memIndex

// NewMemIndex returns an empty MemIndex.
func NewMemIndex() *MemIndex { return newMemIndex() }

// Add stores a client, as memIndex.add.
func (ix *memIndex) Add(id int64, given, family, dob string, area int64, aliases ...string) {
	ix.add(id, given, family, dob, area, aliases...)
}
