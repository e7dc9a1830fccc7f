package patchwork

import (
	"context"
	"strings"
	"time"
)

// Preferred contact methods.
const (
	ContactMobile   = "mobile"
	ContactLandline = "landline"
	ContactEmail    = "email"
)

// ContactMethods lists the preferred contact methods in display order.
var ContactMethods = []string{ContactMobile, ContactLandline, ContactEmail}

// Agent is a frontline practitioner; every user is an agent. A sensitive role
// is shown to others as the agent's chosen generic role.
type Agent struct {
	ID               int64
	Email            string // sign-in address
	Name             string
	Role             string
	SensitiveRole    bool
	GenericRole      string
	AgencyID         int64
	Agency           *Agency
	Mobile           string
	Landline         string
	ContactEmail     string // where colleagues should write; sign-in email if empty
	PreferredContact string
	WorkingHours     string
	Admin            bool
	Active           bool
	Areas            []*Area
	CreatedAt        time.Time
}

// ReachEmail is the address colleagues should write to.
func (a *Agent) ReachEmail() string {
	if a.ContactEmail != "" {
		return a.ContactEmail
	}
	return a.Email
}

// AsSeenBy returns a copy of a as viewer may see it: a sensitive role becomes
// the generic role and a sensitive agency its generic label, unless the viewer
// is the agent, an admin, or (for the agency) works for the same agency.
func (a *Agent) AsSeenBy(viewer *Agent) *Agent {
	c := *a
	if viewer != nil && (viewer.ID == a.ID || viewer.Admin) {
		return &c
	}
	if c.SensitiveRole {
		c.Role = c.GenericRole
		if c.Role == "" {
			c.Role = "Practitioner"
		}
	}
	if c.Agency != nil {
		c.Agency = c.Agency.AsSeenBy(viewer)
	}
	return &c
}

// AsSeenBy returns a copy of the agency as viewer may see it: a sensitive
// agency shows only its generic label and contact route to outsiders.
func (a *Agency) AsSeenBy(viewer *Agent) *Agency {
	c := *a
	if !a.Sensitive || (viewer != nil && (viewer.Admin || viewer.AgencyID == a.ID)) {
		return &c
	}
	c.Name = a.PublicName()
	c.Phone, c.Email, c.Address, c.EmailDomain = "", "", "", ""
	return &c
}

// AgentUpdate holds the profile fields an agent may change about themselves.
type AgentUpdate struct {
	Name             string
	Role             string
	SensitiveRole    bool
	GenericRole      string
	Mobile           string
	Landline         string
	ContactEmail     string
	PreferredContact string
	WorkingHours     string
	AreaIDs          []int64
}

// AgentService covers sign-in, the agents part of the phone book and profiles.
type AgentService interface {
	// Authenticate checks an email and password. It returns EUNAUTHORIZED for
	// unknown emails, wrong passwords and deactivated agents alike, and
	// ETOOMANYREQUEST when the account or the address in ctx is throttled.
	Authenticate(ctx context.Context, email, password string) (*Agent, error)

	// FindAgentByID returns an agent for the phone book as the caller may see
	// them (see Agent.AsSeenBy). Any active agent may call it. ENOTFOUND if
	// no agent has the id, or the agent is deactivated and the caller is not
	// an admin.
	FindAgentByID(ctx context.Context, id int64) (*Agent, error)

	// FindCaller loads the active agent with the given id for a session; it
	// returns ENOTFOUND for a deactivated or missing agent. It needs no
	// caller: it is how the session's caller is found.
	FindCaller(ctx context.Context, id int64) (*Agent, error)

	// CreateAgent adds an agent with a password. Only admins and the system
	// caller may call it; other agents get ENOTFOUND. EINVALID with
	// per-field messages on bad input, ECONFLICT if the email is taken.
	CreateAgent(ctx context.Context, a *Agent, password string) error

	// UpdateProfile changes the caller's own profile; any active agent may
	// call it, for themselves only. EINVALID with per-field messages.
	UpdateProfile(ctx context.Context, upd AgentUpdate) (*Agent, error)

	// DeactivateAgent ends an agent's access and their team memberships;
	// each team is told. Only admins and the system caller may call it;
	// other agents get ENOTFOUND. ENOTFOUND also if no active agent has the
	// id.
	DeactivateAgent(ctx context.Context, id int64) error

	// FindSharedClients returns the clients whose teams both the caller and
	// the agent with the given id are currently on — and nothing else. Any
	// active agent may call it; an unknown id simply shares nothing.
	FindSharedClients(ctx context.Context, agentID int64) ([]*ClientSummary, error)
}

// Validate checks a profile update and returns per-field messages.
func (u *AgentUpdate) Validate() error {
	f := map[string]string{}
	u.Name = strings.Join(strings.Fields(u.Name), " ")
	u.Role = strings.TrimSpace(u.Role)
	u.GenericRole = strings.TrimSpace(u.GenericRole)
	u.Mobile = strings.TrimSpace(u.Mobile)
	u.Landline = strings.TrimSpace(u.Landline)
	u.ContactEmail = strings.TrimSpace(u.ContactEmail)
	u.WorkingHours = strings.TrimSpace(u.WorkingHours)
	if u.Name == "" {
		f["name"] = "Enter your name"
	} else if len(u.Name) > 100 {
		f["name"] = "Name must be 100 characters or fewer"
	}
	if u.Role == "" {
		f["role"] = "Enter your role"
	} else if len(u.Role) > 100 {
		f["role"] = "Role must be 100 characters or fewer"
	}
	if u.SensitiveRole && u.GenericRole == "" {
		f["generic_role"] = "Enter the role others should see, like Support worker"
	}
	if u.Mobile != "" && !phoneChars.MatchString(u.Mobile) {
		f["mobile"] = "Enter a mobile number, like 07700 900 982"
	}
	if u.Landline != "" && !phoneChars.MatchString(u.Landline) {
		f["landline"] = "Enter a landline number, like 020 7946 0000"
	}
	if u.ContactEmail != "" && (!strings.Contains(u.ContactEmail, "@") || len(u.ContactEmail) > 200) {
		f["contact_email"] = "Enter an email address in the correct format, like name@example.org"
	}
	if len(u.WorkingHours) > 200 {
		f["working_hours"] = "Working days and hours must be 200 characters or fewer"
	}
	switch u.PreferredContact {
	case ContactMobile:
		if u.Mobile == "" {
			f["mobile"] = "Enter a mobile number, or choose another way to be contacted"
		}
	case ContactLandline:
		if u.Landline == "" {
			f["landline"] = "Enter a landline number, or choose another way to be contacted"
		}
	case ContactEmail:
	default:
		f["preferred_contact"] = "Select how colleagues should contact you"
	}
	return Invalid(f)
}
