package patchwork

import (
	"context"
	"time"
)

// AlertAuditVerify is the alert of a failed scheduled audit check.
const AlertAuditVerify = "audit_verify"

// Alert is something admins must look at, such as the audit log failing
// its scheduled check. Its detail names rows and problems, never a
// client's data.
type Alert struct {
	ID     int64
	Kind   string
	Detail string
	At     time.Time
}

// AlertService lists the alerts for admins (ENOTFOUND to anyone else).
type AlertService interface {
	// FindAlerts returns the newest limit alerts, newest first.
	FindAlerts(ctx context.Context, limit int) ([]*Alert, error)
}
