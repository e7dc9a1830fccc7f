package patchwork

import (
	"context"
	"time"
)

// Agency statuses. An agency an admin sets up may wait as pending until it
// is approved; a pending or suspended agency takes no sign-ups, and a
// suspended agency's agents cannot sign in.
const (
	AgencyPending   = "pending"
	AgencyActive    = "active"
	AgencySuspended = "suspended"
)

// Leave reasons of the memberships an agent's deactivation ends: their own
// (an admin deactivated them) or their agency's suspension.
const (
	LeaveDeactivated     = "deactivated"
	LeaveAgencySuspended = "agency_suspended"
)

// JoinedAgencyRestored is the detail of the join activity of an agent put
// back on a team when their agency's suspension is lifted.
const JoinedAgencyRestored = "agency_restored"

// AgencyFilter selects agencies in the admin's agency list. Zero values do
// not filter; Page counts from 1.
type AgencyFilter struct {
	Query   string // part of the name
	Sector  string
	AreaID  int64 // a local area or a district
	Status  string
	Page    int
	PerPage int // 0 means AdminPageSize; -1 means every match (an export)
}

// AdminAgency is an agency as an admin sees it: under its own name, with
// its sign-up domains (Agency.Domains), its areas and its staff.
type AdminAgency struct {
	Agency *Agency
	// Agents counts its active agents; Suspended the agents its suspension
	// deactivated, whom lifting it lets in again.
	Agents, Suspended int
	CreatedAt         time.Time
}

// AgencyAdminService holds the admin functions over agencies. Every method
// returns ENOTFOUND to an agent who is neither a system admin nor an area
// admin, and for an agency outside an area admin's districts (one with no
// local area in them), exactly as for one that does not exist; every call
// is audited, and every change is one transaction with its audit row.
type AgencyAdminService interface {
	// FindAgencyList returns the agencies in the caller's reach that f
	// selects, one page of them, and how many match in all. With
	// f.PerPage == -1 it returns every match and is audited as an export.
	FindAgencyList(ctx context.Context, f AgencyFilter) ([]*AdminAgency, int, error)

	// FindAdminAgency returns one agency in the caller's reach, whatever
	// its status, with its areas and domains.
	FindAdminAgency(ctx context.Context, id int64) (*AdminAgency, error)

	// CreateAdminAgency adds an agency, active or (a.Status ==
	// AgencyPending) waiting for approval. EINVALID with a message per
	// field (Agency.Validate; field areas for an area that is no local
	// area in reach: an area admin must give one of their districts').
	// Its own domain (EmailDomain) is also a sign-up domain.
	CreateAdminAgency(ctx context.Context, a *Agency) error

	// UpdateAgency changes an agency in reach: every field of a but its
	// status; a.Domains replaces its sign-up domains, and a.Areas its
	// areas in the caller's reach (an area admin's change leaves the
	// areas of other districts as they were). EINVALID as for
	// CreateAdminAgency.
	UpdateAgency(ctx context.Context, id int64, a *Agency) error

	// ApproveAgency makes a pending agency active: it takes sign-ups from
	// its domains. ECONFLICT unless it is pending.
	ApproveAgency(ctx context.Context, id int64) error

	// SuspendAgency suspends an active agency: each of its active agents
	// is deactivated as AdminService.DeactivateAgent does (signed out,
	// taken off every team, each team told by the usual notifications),
	// and remembered as deactivated by the suspension. It returns how many
	// agents it deactivated. ECONFLICT unless the agency is active.
	SuspendAgency(ctx context.Context, id int64) (int, error)

	// UnsuspendAgency lifts a suspension: the agency is active again and
	// exactly the agents its suspension deactivated (and who still work
	// for it) may sign in again, not one deactivated on their own before
	// it. Each is put back on the teams the suspension took them off, as
	// they were (not a client merged or erased meanwhile; not as the lead
	// if the team has another now), and each team is told. It returns how
	// many agents it reactivated. ECONFLICT unless the agency is suspended.
	UnsuspendAgency(ctx context.Context, id int64) (int, error)
}

// Audit actions of the agency admin functions.
const (
	AuditAgencyList      = "admin.agency_list"
	AuditAgencyView      = "admin.agency_view"
	AuditAgencyExport    = "admin.agency_export"
	AuditAgencyUpdate    = "admin.agency_update"
	AuditAgencyApprove   = "admin.agency_approve"
	AuditAgencySuspend   = "admin.agency_suspend"
	AuditAgencyUnsuspend = "admin.agency_unsuspend"
)
