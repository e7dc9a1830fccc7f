package patchwork

import (
	"context"
	"strings"
	"time"
)

// Audit actions of sign-up and access requests.
const (
	AuditSignupRequest  = "auth.signup_request"
	AuditSignup         = "auth.signup"
	AuditAccessRequest  = "auth.access_request"
	AuditAccessApprove  = "admin.access_approve"
	AuditAccessRefuse   = "admin.access_refuse"
	AuditAccessExport   = "admin.access_request_export"
	AuditAgencyDomain   = "admin.agency_domain"
	MaxReasonLength     = 1000 // an access request's reason
	maxAgencyNameLength = MaxNameLength
)

// Access request statuses.
const (
	AccessPending  = "pending"
	AccessApproved = "approved"
	AccessRefused  = "refused"
)

// Signup is a sign-up whose emailed link has been followed: the address it
// proved, and what the person may do next.
type Signup struct {
	Email string
	// Agencies are the agencies the address may join, by name: those that
	// take sign-ups from its domain, or the one agency an admin approved
	// its access request for. Empty means the domain is unknown and the
	// person may only ask for access.
	Agencies []*Agency
	// Areas are the local areas the new agent may choose to work in.
	Areas []*Area
	// Next is where the new agent goes once signed in (an invitation's
	// page), or "".
	Next    string
	Expires time.Time
}

// Agency returns the agency with the given id among s.Agencies, or nil.
func (s *Signup) Agency(id int64) *Agency {
	for _, g := range s.Agencies {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// AccessRequestFilter selects a page (counting from 1) of the access
// requests: the pending ones, or with Decided those approved or refused.
type AccessRequestFilter struct {
	Decided bool
	Page    int
}

// AccessRequest is what a person at an unknown domain asks an admin for.
type AccessRequest struct {
	ID           int64
	Email        string
	AgencyName   string
	ManagerName  string
	ManagerEmail string
	Reason       string
	Status       string
	AgencyID     int64 // the agency it was approved for
	CreatedAt    time.Time
	DecidedAt    time.Time
}

// Validate checks an access request's fields, cleaning them in place.
func (r *AccessRequest) Validate() error {
	f := fields{}
	if f.name("agency_name", &r.AgencyName, maxAgencyNameLength, "Organisation") && r.AgencyName == "" {
		f.set("agency_name", "Enter the name of the organisation you work for")
	}
	if f.name("manager_name", &r.ManagerName, MaxNameLength, "Manager's name") && r.ManagerName == "" {
		f.set("manager_name", "Enter your manager's name")
	}
	if f.email("manager_email", &r.ManagerEmail) {
		r.ManagerEmail = strings.ToLower(r.ManagerEmail)
		if r.ManagerEmail == "" {
			f.set("manager_email", "Enter your manager's email address")
		}
	}
	if f.text("request_reason", &r.Reason, MaxReasonLength, "Why you need Patchwork") && r.Reason == "" {
		f.set("request_reason", "Say why you need to use Patchwork")
	}
	return Invalid(f)
}

// SignupService lets staff of approved agencies create their own account,
// and people at other domains ask for access. Every method but the admin
// ones runs before sign-in: the emailed token stands in for a caller.
type SignupService interface {
	// RequestSignup emails a sign-up link to the address. It answers nil
	// whatever the address — with an account (then the email says so and
	// links to sign-in and reset instead), at an approved domain or at an
	// unknown one — so that nobody can learn who has an account or which
	// domains are approved. An address asked for too often is sent nothing
	// more. It returns ETOOMANYREQUEST only when the requesting IP (in
	// ctx) has asked too often.
	RequestSignup(ctx context.Context, email string) error

	// FindSignup returns the live sign-up a token stands for; ENOTFOUND
	// for a token that is used, expired or was never issued.
	FindSignup(ctx context.Context, token string) (*Signup, error)

	// CompleteSignup creates the agent: in agencyID (one of the sign-up's
	// agencies), with the profile and the password (the policy of
	// docs/security.md). EINVALID with per-field messages ("agency",
	// the profile's fields, "password"); ENOTFOUND for a token that is not
	// live. The token is used up and the new agent is returned.
	CompleteSignup(ctx context.Context, token string, agencyID int64, profile AgentUpdate, password string) (*Agent, error)

	// RequestAccess turns a sign-up at an unknown domain into an access
	// request for the admins, using the token up. EINVALID with per-field
	// messages; ENOTFOUND for a token that is not live, and ECONFLICT when
	// the address's domain has become approved meanwhile.
	RequestAccess(ctx context.Context, token string, req *AccessRequest) error

	// FindAccessRequests returns a page of the access requests f selects
	// (the pending ones oldest first, or the decided ones most recently
	// decided first) and how many there are. Admins only; others
	// ENOTFOUND.
	FindAccessRequests(ctx context.Context, f AccessRequestFilter) ([]*AccessRequest, int, error)

	// ExportAccessRequests calls fn with every access request, the
	// pending ones then the decided ones, each in FindAccessRequests'
	// order. The export is audited before the first row. Admins only;
	// others ENOTFOUND.
	ExportAccessRequests(ctx context.Context, fn func(*AccessRequest) error) error

	// ApproveAccessRequest approves a pending request for agencyID and
	// emails the requester a link to finish signing up into that agency;
	// with addDomain the agency also takes every sign-up from the
	// requester's domain from then on. Admins only; ENOTFOUND for others,
	// for a request that is not pending and for a missing agency.
	ApproveAccessRequest(ctx context.Context, id, agencyID int64, addDomain bool) error

	// RefuseAccessRequest refuses a pending request and emails the
	// requester. Admins only; ENOTFOUND for others and for a request that
	// is not pending.
	RefuseAccessRequest(ctx context.Context, id int64) error
}
