package searcheval

import (
	"context"

	"patchwork"
	"patchwork/sqldb"
)

// RunDuplicatesWith is RunDuplicates with check in place of the store's
// duplicate check.
func RunDuplicatesWith(ctx context.Context, db *sqldb.DB, opt Options,
	check func(context.Context, *patchwork.Client) ([]*patchwork.ClientMatch, error)) (*DupReport, error) {
	return runDuplicates(ctx, db, opt, check)
}
