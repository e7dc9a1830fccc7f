package patchwork

import "time"

// Lawful bases for joining a client's team.
const (
	BasisConsent       = "consent"
	BasisSafeguarding  = "safeguarding"
	BasisStatutoryDuty = "statutory_duty"
	BasisOther         = "other"
)

// LawfulBases lists the lawful bases with their labels, in display order.
var LawfulBases = []Option{
	{BasisConsent, "Consent"},
	{BasisSafeguarding, "Safeguarding"},
	{BasisStatutoryDuty, "Statutory duty"},
	{BasisOther, "Other"},
}

// Reasons for leaving a client's team.
var LeaveReasons = []Option{
	{"case_closed", "Case closed"},
	{"transferred", "Transferred to a colleague"},
	{"no_longer_involved", "No longer involved"},
	{"joined_by_mistake", "Joined by mistake"},
	{"other", "Other"},
}

// How an agent came to be on a team.
const (
	JoinedAsCreator = "created"
	JoinedDirectly  = "joined"
	JoinedByImport  = "imported" // put on the team by a bulk import
)

// Option is a value with a human label, for form choices.
type Option struct {
	Value string
	Label string
}

// OptionLabel returns the label of value in opts, or value itself.
func OptionLabel(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func hasOption(opts []Option, value string) bool {
	for _, o := range opts {
		if o.Value == value {
			return true
		}
	}
	return false
}

// Membership is an agent's (current or past) place on a client's team.
type Membership struct {
	ID          int64
	ClientID    int64
	AgentID     int64
	JoinedAt    time.Time
	LeftAt      time.Time // zero while current
	LeaveReason string
	HowJoined   string
	Basis       string
	BasisNote   string
	// The member's own contact dates (YYYY-MM-DD, "" when not set), the
	// next contact's time (HH:MM or "") and kind (ContactKinds or "").
	LastContactOn   string
	NextContactOn   string
	NextContactTime string
	NextContactKind string
	// ReviewedAt is when the member last confirmed or updated the
	// membership (JoinedAt until then); MayBeOutOfDate is set once that is
	// twice the deployment's review period ago.
	ReviewedAt     time.Time
	MayBeOutOfDate bool
	// IsLead marks the client's lead professional.
	IsLead bool
}

// Current reports whether the membership has not ended.
func (m *Membership) Current() bool { return m.LeftAt.IsZero() }

// JoinRequest is what an agent declares to join a client's team.
type JoinRequest struct {
	// Ticket is the join ticket of the search result or duplicate prompt
	// the agent was shown (the join form's hidden field t).
	Ticket      string
	Declaration bool
	Basis       string
	BasisNote   string
	// The member's own contact dates (YYYY-MM-DD, "" when not set), the
	// next contact's time (HH:MM or "") and kind (ContactKinds or "").
	LastContactOn   string
	NextContactOn   string
	NextContactTime string
	NextContactKind string
	// ReviewedAt is when the member last confirmed or updated the
	// membership (JoinedAt until then); MayBeOutOfDate is set once that is
	// twice the deployment's review period ago.
	ReviewedAt     time.Time
	MayBeOutOfDate bool
	// IsLead marks the client's lead professional.
	IsLead bool
}

// Validate checks a join request, cleaning its note in place, and returns
// per-field messages.
func (r *JoinRequest) Validate() error {
	f := fields{}
	if !r.Declaration {
		f.set("declaration", "Confirm that you are working with this client")
	}
	noteOK := f.text("basis_note", &r.BasisNote, MaxNoteLength, "Explanation")
	switch {
	case !hasOption(LawfulBases, r.Basis):
		f.set("basis", "Select the lawful basis for joining")
	case noteOK && r.Basis == BasisOther && r.BasisNote == "":
		f.set("basis_note", "Explain the lawful basis")
	}
	return Invalid(f)
}

// LeaveRequest is why an agent leaves a client's team.
type LeaveRequest struct {
	Reason string
	Note   string
}

// Validate checks a leave request, cleaning its note in place, and returns
// per-field messages.
func (r *LeaveRequest) Validate() error {
	f := fields{}
	if !hasOption(LeaveReasons, r.Reason) {
		f.set("reason", "Select why you are leaving the team")
	}
	f.text("note", &r.Note, MaxNoteLength, "Note")
	return Invalid(f)
}
