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
	// FindRetentionReview returns the listed clients, the soonest erased first.
	FindRetentionReview(ctx context.Context) ([]*RetentionItem, error)
}
