package patchwork

import (
	"context"
	"time"
)

// Inactivity defaults (serve --inactivity-days, --inactivity-grace-days):
// an agent who has not signed in for DefaultInactivityDays (about six
// months) is warned by email, and deactivated DefaultInactivityGraceDays
// later unless they sign in meanwhile. An account nobody uses is one
// nobody would notice being used by someone else.
const (
	DefaultInactivityDays      = 182
	DefaultInactivityGraceDays = 30
)

// Audit actions of the inactivity rule, written by the system.
const (
	// AuditInactivityWarn: an agent was warned (detail agent=N); their
	// deactivation is audited as AuditAgentDeact with the rule as reason.
	AuditInactivityWarn = "system.inactivity_warning"
	// AuditInactiveExport: an admin exported the warned agents as CSV.
	AuditInactiveExport = "admin.inactive_agent_export"
)

// InactiveAgent is an agent warned for not signing in: when they last
// did (zero: never), when they were warned and when they will be
// deactivated unless they sign in.
type InactiveAgent struct {
	AgentID      int64
	Name         string
	Agency       string
	LastSignIn   time.Time
	WarnedAt     time.Time
	DeactivateOn time.Time
}

// InactivityService lists the agents warned under the inactivity rule,
// for system admins (ENOTFOUND to anyone else).
type InactivityService interface {
	// FindInactiveAgents returns a page (counting from 1) of the warned
	// agents, the soonest deactivated first, and how many there are.
	FindInactiveAgents(ctx context.Context, page int) ([]*InactiveAgent, int, error)

	// ExportInactiveAgents calls fn with every warned agent, in
	// FindInactiveAgents' order. The export is audited before the first
	// row.
	ExportInactiveAgents(ctx context.Context, fn func(*InactiveAgent) error) error
}
