package patchwork

import (
	"context"
	"strings"
	"time"
)

// Client is a person receiving support. Only current members of the
// client's team may see a Client.
type Client struct {
	ID          int64
	FirstName   string
	LastName    string
	Aliases     []string
	DateOfBirth string // YYYY-MM-DD, empty when unknown
	Address     string
	Postcode    string
	Phone       string
	Areas       []*Area
	AreaIDs     []int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Name is the client's full name.
func (c *Client) Name() string { return strings.TrimSpace(c.FirstName + " " + c.LastName) }

// Age returns the client's age in whole years at now, or -1 when the date of
// birth is unknown.
func (c *Client) Age(now time.Time) int { return AgeAt(c.DateOfBirth, now) }

// AgeAt returns the age in whole years at now of someone born on dob
// (YYYY-MM-DD), or -1 when dob is empty or malformed.
func AgeAt(dob string, now time.Time) int {
	b, err := time.Parse(time.DateOnly, dob)
	if err != nil {
		return -1
	}
	age := now.Year() - b.Year()
	if now.Month() < b.Month() || (now.Month() == b.Month() && now.Day() < b.Day()) {
		age--
	}
	return age
}

// ClientSummary is a client as shown on a member's dashboard card.
type ClientSummary struct {
	ID           int64
	Name         string
	DateOfBirth  string
	TeamSize     int
	AgencyCount  int
	LastActivity time.Time
	// Area is the client's local area ("" when none is set; the first by
	// name when there are several).
	Area string
	// OpenAttentions counts the client's attentions not yet resolved.
	OpenAttentions int
}

// TeamMember is one current member of a client's team as the viewer may see
// them.
type TeamMember struct {
	Agent      *Agent
	Membership *Membership
}

// ClientProfile is everything a team member sees on a client's page.
type ClientProfile struct {
	Client   *Client
	Team     []*TeamMember
	Agencies []*Agency
	Activity []*Activity
	IsMember bool
	// LeadProposal is the pending proposal of a lead professional, if any.
	LeadProposal *LeadProposal
}

// ClientPage is everything the client's page shows a team member.
type ClientPage struct {
	Profile     *ClientProfile
	Attentions  []*Attention // open ones first, newest first
	Circle      *Circle
	Invitations []*Invitation // pending ones
}

// LeadProposal is a member proposed as lead professional, waiting for their
// answer.
type LeadProposal struct {
	AgentID, ProposedByID     int64
	AgentName, ProposedByName string
	At                        time.Time
}

// ClientMatch is a possible existing record shown before creating a client
// or as a search result. It holds only what is needed to recognise the
// person (docs/security.md, rule 2).
type ClientMatch struct {
	ID           int64
	Name         string
	MatchedAlias string
	DateOfBirth  string
	LocalArea    string
	TeamSize     int
	AgencyCount  int
	IsMember     bool
	Score        float64
	Reasons      []string
	Level        string // "likely" or "possible" in duplicate checks
	// JoinTicket lets the caller open the join page for this client, which
	// shows the same details as this result; it expires after a while.
	JoinTicket string
}

// ClientService is the client and team part of Patchwork. Every method reads
// the caller from ctx; any active agent may call each one, and what they
// may see is decided by team membership (docs/security.md).
type ClientService interface {
	// FindClientProfile returns the client with team, agencies and activity.
	// It returns ENOTFOUND if the client does not exist or the caller is not a
	// current member of its team. Every successful view is audited.
	FindClientProfile(ctx context.Context, id int64) (*ClientProfile, error)

	// FindClientPage returns what the client's page shows: the profile, the
	// attentions, the circle and the pending invitations, read together in
	// one snapshot. It returns ENOTFOUND as FindClientProfile does, and
	// audits the view once.
	FindClientPage(ctx context.Context, id int64) (*ClientPage, error)

	// FindMyClients returns the clients whose teams the caller is on, most
	// recently active first; nobody else's.
	FindMyClients(ctx context.Context) ([]*ClientSummary, error)

	// FindMyActivity returns recent activity on the clients whose teams the
	// caller is currently on; nobody else's.
	FindMyActivity(ctx context.Context, limit int) ([]*Activity, error)

	// FindPossibleDuplicates returns the existing clients, at most
	// MaxDuplicateMatches and most alike first, that may be the person
	// described by c, each with its Level ("likely" or "possible") and
	// Reasons: names agreeing with the same or a near date of birth, the
	// same or a near name with a conflicting date, the same first name and
	// date of birth with another surname, the same date of birth and
	// postcode or address with a first name alike; c's other names count
	// as its names. c.DateOfBirth may be as typed. Any active agent may
	// call it; the check is audited as a search and counts against the
	// search rate limit (ETOOMANYREQUEST).
	FindPossibleDuplicates(ctx context.Context, c *Client) ([]*ClientMatch, error)

	// CreateClient validates and adds c; the caller becomes the first member
	// of its team. Returns EINVALID with per-field messages on bad input.
	CreateClient(ctx context.Context, c *Client) error

	// UpdateClient changes a client's details (DateOfBirth as typed) and
	// returns the names of the fields that changed. Only team members may
	// call it; anyone else gets ENOTFOUND. The team is told which fields
	// changed, never the values.
	UpdateClient(ctx context.Context, id int64, upd *Client) ([]string, error)

	// JoinTeam adds the caller to the client's team on a declared lawful
	// basis. It needs req.Ticket, a live join ticket issued to the caller
	// for this client that has not been used to join before: without one
	// the answer is ENOTFOUND, exactly as for a client that does not
	// exist. ECONFLICT if already a member (also when two joins race);
	// ETOOMANYREQUEST once the caller has reached the deployment's join
	// limit for the last hour; EINVALID without the declaration or basis.
	JoinTeam(ctx context.Context, clientID int64, req JoinRequest) error

	// FindJoinCard returns the details a search result showed for the join
	// page, given the ticket that came with that result; ENOTFOUND without a
	// live ticket, or once the ticket has been used to join (unless the
	// caller is a member: then IsMember is set).
	FindJoinCard(ctx context.Context, clientID int64, ticket string) (*ClientMatch, error)

	// FindMergedClient returns the client that client id was merged into
	// (following later merges) when the caller is on that client's team,
	// so that B's address leads A's members to A. ENOTFOUND otherwise —
	// for a non-member, and for a client never merged — so the answer
	// tells nobody else anything.
	FindMergedClient(ctx context.Context, id int64) (int64, error)

	// LeaveTeam ends the caller's membership with a reason. ENOTFOUND if the
	// client does not exist or the caller is not a member, even when the
	// reason is missing (EINVALID only for members).
	LeaveTeam(ctx context.Context, clientID int64, req LeaveRequest) error
}
