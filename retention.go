package patchwork

import (
	"context"
	"time"
)

// Retention defaults (serve --retention-days, --retention-grace-days): a
// client with no team member for DefaultRetentionDays is listed for
// review, and erased DefaultRetentionGraceDays later unless someone joins.
const (
	DefaultRetentionDays      = 365
	DefaultRetentionGraceDays = 30
)

// AuditRetentionExport records that an admin exported the clients listed
// for erasure as CSV.
const AuditRetentionExport = "admin.retention_export"

// RetentionItem is a client listed for review: by reference only, with
// when it was listed and when it will be erased.
type RetentionItem struct {
	ClientID  int64
	FlaggedAt time.Time
	EraseOn   time.Time
}

// RetentionService lists the clients due for erasure under the retention
// rule, for admins (ENOTFOUND to anyone else).
type RetentionService interface {
	// FindRetentionReview returns a page (counting from 1) of the listed
	// clients, the soonest erased first, and how many there are.
	FindRetentionReview(ctx context.Context, page int) ([]*RetentionItem, int, error)

	// ExportRetentionReview calls fn with every listed client, in
	// FindRetentionReview's order. The export is audited before the
	// first row.
	ExportRetentionReview(ctx context.Context, fn func(*RetentionItem) error) error
}
