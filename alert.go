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
	// An unusual-access alert names the agent, the day (UTC) the pattern
	// was seen on and how many rows of it there were: the audit rows
	// behind it are the agent's rows of that day.
	AgentID   int64
	AgentName string
	Day       time.Time
	Count     int
}

// AlertService lists the alerts for admins (ENOTFOUND to anyone else).
// A system admin sees every alert; an area admin only the unusual-access
// alerts about agents of their districts, never one about themselves.
type AlertService interface {
	// FindAlerts returns a page (counting from 1) of the alerts in the
	// caller's reach, newest first, and how many there are.
	FindAlerts(ctx context.Context, page int) ([]*Alert, int, error)

	// ExportAlerts calls fn with every alert in the caller's reach, in
	// FindAlerts' order. The export is audited before the first row.
	ExportAlerts(ctx context.Context, fn func(*Alert) error) error
}

// Kinds of unusual-access alert: the patterns a curious insider leaves in
// the audit log, each counted per agent over one day (UTC).
const (
	// AlertTeamChurn: the agent joined and then left many client teams.
	AlertTeamChurn = "team_churn"
	// AlertOutsideViews: the agent viewed many clients none of whose
	// areas is in a district of the agent's (or their agency's) areas.
	AlertOutsideViews = "outside_views"
	// AlertSearchVolume: the agent searched far more than the other
	// agents who searched that day.
	AlertSearchVolume = "search_volume"
)

// Unusual-access thresholds by default (serve --alert-team-churn,
// --alert-outside-views, --alert-search-factor, --alert-search-min).
const (
	DefaultAlertTeamChurn     = 5
	DefaultAlertOutsideViews  = 20
	DefaultAlertSearchFactor  = 5
	DefaultAlertSearchMinimum = 50
)

// AlertThresholds are a deployment's unusual-access thresholds, each
// counted per agent and day. Zero means the default, a negative value
// turns the pattern off. An agent is alerted on when, in one day, they
// joined and then left at least TeamChurn client teams; viewed at least
// OutsideViews different clients outside their districts; or made at
// least SearchMinimum searches and more than SearchFactor times the
// median of the agents who searched that day.
type AlertThresholds struct {
	TeamChurn     int
	OutsideViews  int
	SearchFactor  int
	SearchMinimum int
}

// WithDefaults returns t with every zero field set to its default.
func (t AlertThresholds) WithDefaults() AlertThresholds {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&t.TeamChurn, DefaultAlertTeamChurn)
	def(&t.OutsideViews, DefaultAlertOutsideViews)
	def(&t.SearchFactor, DefaultAlertSearchFactor)
	def(&t.SearchMinimum, DefaultAlertSearchMinimum)
	return t
}

// AuditUnusualAccess records that the system opened an unusual-access
// alert (detail: the alert, its kind and the agent, by number).
const AuditUnusualAccess = "system.unusual_access"

// AuditAlertExport records that an admin exported the alerts as CSV.
const AuditAlertExport = "admin.alert_export"
