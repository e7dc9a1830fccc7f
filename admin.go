package patchwork

import (
	"context"
	"time"
)

// Admins run the network. A system admin (Agent.Admin) reaches everything;
// an area admin (Agent.AdminDistricts) reaches the agencies, agents and
// clients of the districts they were given, and to them everything else
// does not exist. Admins reach client data only through the audited
// functions of AdminService, never by browsing teams.

// Agent statuses an admin filters by.
const (
	AgentStatusActive      = "active"
	AgentStatusDeactivated = "deactivated"
)

// AgentFilter selects agents in the admin's people list. Zero values do
// not filter; Page counts from 1.
type AgentFilter struct {
	Query    string // part of the name or sign-in email
	AgencyID int64
	AreaID   int64 // a local area or a district
	Status   string
	Page     int
	PerPage  int // 0 means AdminPageSize; -1 means every match (an export)
}

// AdminPageSize is how many rows an admin list shows at once.
const AdminPageSize = 25

// AdminAgent is an agent as an admin sees them in the people list.
type AdminAgent struct {
	Agent         *Agent
	LastSignIn    time.Time // zero if they never signed in
	DeactivatedAt time.Time // zero while active
}

// AdminService holds the admin functions over agents. Every method
// returns ENOTFOUND to an agent who is neither a system admin nor an area
// admin, and for a record outside an area admin's districts, exactly as
// for one that does not exist; every call is audited.
type AdminService interface {
	// FindAdminAgents returns the agents in the caller's reach that f
	// selects, one page of them, and how many match in all. With
	// f.PerPage == -1 it returns every match and is audited as an export.
	FindAdminAgents(ctx context.Context, f AgentFilter) ([]*AdminAgent, int, error)

	// FindAdminAgent returns one agent in the caller's reach, active or
	// not, with their areas.
	FindAdminAgent(ctx context.Context, id int64) (*AdminAgent, error)

	// DeactivateAgent ends an agent's access (see
	// AgentService.DeactivateAgent) for an agent in the caller's reach.
	DeactivateAgent(ctx context.Context, id int64) error

	// ReactivateAgent lets a deactivated agent in the caller's reach sign
	// in again; the memberships that ended stay ended. ENOTFOUND if no
	// deactivated agent in reach has the id.
	ReactivateAgent(ctx context.Context, id int64) error

	// MoveAgent moves an agent to another agency; both must be in the
	// caller's reach. EINVALID (field agency_id) for an unknown agency.
	MoveAgent(ctx context.Context, id, agencyID int64) error

	// SetAdminDistricts makes an agent the area admin of the given
	// districts (none: no longer an area admin). Only system admins and the
	// system caller may call it. EINVALID for an id that is no district.
	SetAdminDistricts(ctx context.Context, agentID int64, districtIDs []int64) error

	// FindAdminAgencies returns the agencies in the caller's reach, by name.
	FindAdminAgencies(ctx context.Context) ([]*Agency, error)
}

// CanReachAdmin reports whether the caller may open the admin pages at all:
// system admins and area admins. What each may touch there is decided by
// the store, record by record.
func CanReachAdmin(caller *Agent) bool {
	return CanUse(caller) && (caller.Admin || len(caller.AdminDistricts) > 0)
}

// Audit actions of the admin functions.
const (
	AuditAgentList      = "admin.agent_list"
	AuditAgentView      = "admin.agent_view"
	AuditAgentExport    = "admin.agent_export"
	AuditAgentReact     = "admin.agent_reactivate"
	AuditAgentMove      = "admin.agent_move"
	AuditAdminDistricts = "admin.area_admin"
	AuditAdminHome      = "admin.home"
)

// AuditClientImport records a bulk import of clients (how many, never who),
// as imports before import jobs wrote it.
const AuditClientImport = "admin.client_import"

// Audit actions of bulk imports (patchwork import): each run of an import
// job, started or resumed, and its end, with counts (never who).
const (
	AuditImportRun    = "admin.import_run"
	AuditImportDone   = "admin.import_done"
	AuditImportExport = "admin.import_export" // the imports page's CSV
)
