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
	Admin            bool // a system admin
	// AdminDistricts are the districts an area admin administers (see
	// admin.go); loaded for the signed-in caller only.
	AdminDistricts []int64
	Active         bool
	Areas          []*Area
	CreatedAt      time.Time
	// TwoFactor says the agent signs in with a second factor. Only
	// AgentService.Authenticate fills it in.
	TwoFactor bool
}

// ReachEmail is the address colleagues should write to.
func (a *Agent) ReachEmail() string {
	if a.ContactEmail != "" {
		return a.ContactEmail
	}
	return a.Email
}

// AsSeenBy returns a copy of a as viewer may see it in the phone book (see
// docs/security.md): a sensitive role becomes the generic role, unless the
// viewer is the agent or an admin; and a member of a sensitive agency
// appears to anyone outside that agency (admins aside) under the agency's
// generic label with its chosen contact route — the agency's generic
// mailbox and phone in place of the agent's own email addresses and phone
// numbers.
func (a *Agent) AsSeenBy(viewer *Agent) *Agent { return a.seenBy(viewer, false) }

// AsTeammateSeenBy is AsSeenBy for a viewer who is on a client's team with
// a: it differs only when a's sensitive agency has chosen to publish its
// staff's direct contacts to team members (Agency.PublishDirect), and then
// shows them. The caller must know that the two share a team.
func (a *Agent) AsTeammateSeenBy(viewer *Agent) *Agent { return a.seenBy(viewer, true) }

func (a *Agent) seenBy(viewer *Agent, teammate bool) *Agent {
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
	if g := a.Agency; g != nil && g.Sensitive && (viewer == nil || viewer.AgencyID != g.ID) && !(teammate && g.PublishDirect) {
		c.maskContacts(g)
	}
	if c.Agency != nil {
		c.Agency = c.Agency.AsSeenBy(viewer)
	}
	return &c
}

// maskContacts replaces the agent's own contacts by the sensitive agency
// g's chosen route. An address at the agency's domain is never shown, even
// if one was stored as the generic mailbox before that was refused.
func (a *Agent) maskContacts(g *Agency) {
	a.Email, a.ContactEmail, a.Mobile, a.Landline = "", "", "", g.GenericPhone
	if !AtDomain(g.GenericEmail, g.EmailDomain) {
		a.ContactEmail = g.GenericEmail
	}
	switch {
	case a.PreferredContact == ContactEmail && a.ContactEmail != "":
	case a.Landline != "":
		a.PreferredContact = ContactLandline
	case a.ContactEmail != "":
		a.PreferredContact = ContactEmail
	default:
		a.PreferredContact = ""
	}
}

// AsSeenBy returns a copy of the agency as viewer may see it: to anyone but
// admins and its own staff, a sensitive agency shows only its generic label
// and contact route (its generic mailbox and phone), never its name, its
// own email, phone, address or domain.
func (a *Agency) AsSeenBy(viewer *Agent) *Agency {
	c := *a
	if !a.Sensitive || (viewer != nil && (viewer.Admin || viewer.AgencyID == a.ID)) {
		return &c
	}
	c.Name = a.PublicName()
	c.Phone, c.Email, c.Address, c.EmailDomain = a.GenericPhone, "", "", ""
	if !AtDomain(a.GenericEmail, a.EmailDomain) {
		c.Email = a.GenericEmail
	}
	c.GenericEmail, c.GenericPhone = c.Email, c.Phone
	return &c
}

// PhoneBookFilter narrows the phone book's list of people. Zero values filter
// nothing.
type PhoneBookFilter struct {
	Name     string // every word must be in the agent's name
	AgencyID int64
	Sector   string // the agency's sector
	AreaID   int64  // a local area, or a district or network: the areas under it
	Offset   int
	Limit    int // 0 means 20
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
	// an admin, or the agent's agency is not listed to the caller (see
	// AgencyService.FindAgencies) and the agent is not the caller.
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

	// DeactivateAgent ends an agent's access, their sessions (at once, in
	// the same transaction) and their team memberships; each team is told.
	// A deactivated agent can neither sign in nor be sent a reset link. Only admins and the system caller may call it;
	// other agents get ENOTFOUND. ENOTFOUND also if no active agent has the
	// id.
	DeactivateAgent(ctx context.Context, id int64) error

	// FindAgents returns a page of the phone book's people, active agents
	// of agencies listed to the caller only (see
	// AgencyService.FindAgencies), ordered by name, each as the caller may see them
	// (Agent.AsSeenBy: the phone book shows nobody's direct contacts that a
	// sensitive agency keeps for team members), and how many match in all.
	// Any active agent may call it. The name filter matches the agent's
	// name only, never a sensitive role or a sensitive agency's name.
	FindAgents(ctx context.Context, f PhoneBookFilter) ([]*Agent, int, error)

	// FindSharedClients returns the clients whose teams both the caller and
	// the agent with the given id are currently on — and nothing else. Any
	// active agent may call it; an unknown id simply shares nothing.
	FindSharedClients(ctx context.Context, agentID int64) ([]*ClientSummary, error)
}

// Validate checks a profile update, cleaning it in place, and returns
// per-field messages: bytes that cannot be stored, lengths (see input.go),
// phone numbers and the contact email as an address (see ValidEmail).
func (u *AgentUpdate) Validate() error {
	f := fields{}
	if f.name("name", &u.Name, MaxNameLength, "Name") && u.Name == "" {
		f.set("name", "Enter your name")
	}
	if f.line("role", &u.Role, MaxRoleLength, "Role") && u.Role == "" {
		f.set("role", "Enter your role")
	}
	if f.line("generic_role", &u.GenericRole, MaxRoleLength, "The role others see") && u.SensitiveRole && u.GenericRole == "" {
		f.set("generic_role", "Enter the role others should see, like Support worker")
	}
	if f.line("mobile", &u.Mobile, MaxPhoneLength, "Mobile number") && u.Mobile != "" && !phoneChars.MatchString(u.Mobile) {
		f.set("mobile", "Enter a mobile number, like 07700 900 982")
	}
	if f.line("landline", &u.Landline, MaxPhoneLength, "Landline number") && u.Landline != "" && !phoneChars.MatchString(u.Landline) {
		f.set("landline", "Enter a landline number, like 020 7946 0000")
	}
	f.email("contact_email", &u.ContactEmail)
	f.line("working_hours", &u.WorkingHours, MaxWorkingHoursLength, "Working days and hours")
	switch u.PreferredContact {
	case ContactMobile:
		if u.Mobile == "" {
			f.set("mobile", "Enter a mobile number, or choose another way to be contacted")
		}
	case ContactLandline:
		if u.Landline == "" {
			f.set("landline", "Enter a landline number, or choose another way to be contacted")
		}
	case ContactEmail:
	default:
		f.set("preferred_contact", "Select how colleagues should contact you")
	}
	return Invalid(f)
}

// Validate checks a new agent before it is created (by an admin or the
// create-agent command), cleaning it in place: the sign-in email must be a
// plain address (see ValidEmail), the name is required, and every text
// field is checked as in AgentUpdate.Validate. The password is checked by
// the store, which knows the deployment's rules.
func (a *Agent) Validate() error {
	f := fields{}
	if f.email("email", &a.Email) {
		a.Email = strings.ToLower(a.Email)
		if a.Email == "" {
			f.set("email", badEmailMessage)
		}
	}
	if f.name("name", &a.Name, MaxNameLength, "Name") && a.Name == "" {
		f.set("name", "Enter the agent's name")
	}
	f.line("role", &a.Role, MaxRoleLength, "Role")
	f.line("generic_role", &a.GenericRole, MaxRoleLength, "The role others see")
	for key, p := range map[string]*string{"mobile": &a.Mobile, "landline": &a.Landline} {
		if f.line(key, p, MaxPhoneLength, "Phone number") && *p != "" && !phoneChars.MatchString(*p) {
			f.set(key, "Enter a phone number, like 020 7946 0000")
		}
	}
	f.email("contact_email", &a.ContactEmail)
	f.line("working_hours", &a.WorkingHours, MaxWorkingHoursLength, "Working days and hours")
	return Invalid(f)
}
