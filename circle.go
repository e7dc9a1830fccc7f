package patchwork

import (
	"context"
	"strings"
	"time"
)

// Relationships in a circle: what the related client is to this one. Each
// has a reciprocal, read from the other client's side.
const (
	RelParent    = "parent"
	RelChild     = "child"
	RelSibling   = "sibling"
	RelPartner   = "partner"
	RelHousehold = "household"
	RelCarer     = "carer"
	RelCaredFor  = "cared_for"
	RelOther     = "other"
)

// Relationships lists the relationships with their labels, in form order:
// "<related client> is this client's …".
var Relationships = []Option{
	{RelParent, "Parent"},
	{RelChild, "Child"},
	{RelSibling, "Sibling"},
	{RelPartner, "Partner"},
	{RelHousehold, "Household member"},
	{RelCarer, "Carer"},
	{RelCaredFor, "Cared for by this client"},
	{RelOther, "Other"},
}

var reciprocal = map[string]string{
	RelParent: RelChild, RelChild: RelParent, RelCarer: RelCaredFor, RelCaredFor: RelCarer,
	RelSibling: RelSibling, RelPartner: RelPartner, RelHousehold: RelHousehold, RelOther: RelOther,
}

// ReciprocalRelationship returns what this client is to the related client
// when the related client is rel to this one: a parent's reciprocal is a
// child, a sibling's a sibling.
func ReciprocalRelationship(rel string) string { return reciprocal[rel] }

// RelationshipLabel returns how a relationship reads on a page ("Parent"),
// or the note of an "other" relationship when there is one.
func RelationshipLabel(rel, note string) string {
	if rel == RelOther && note != "" {
		return note
	}
	if rel == RelCaredFor {
		return "Cared for"
	}
	return OptionLabel(Relationships, rel)
}

// CircleRequest links a related client into a client's circle.
type CircleRequest struct {
	RelatedClientID int64
	Relationship    string // what the related client is to this one
	Note            string // the words of an "other" relationship
}

// Validate checks a circle request, cleaning its note in place, and returns
// per-field messages.
func (r *CircleRequest) Validate() error {
	f := fields{}
	if r.RelatedClientID <= 0 {
		f.set("related_client_id", "Select the client to add to the circle")
	}
	noteOK := f.line("relationship_note", &r.Note, MaxLabelLength, "Relationship")
	switch {
	case !hasOption(Relationships, r.Relationship):
		f.set("relationship", "Select how they are related")
	case noteOK && r.Relationship == RelOther && r.Note == "":
		f.set("relationship_note", "Say how they are related")
	case r.Relationship != RelOther:
		r.Note = ""
	}
	return Invalid(f)
}

// RelatedClient is another client in a client's circle as a member of this
// client's team may see them: who they are, how they are related, the size
// of their team and the agencies on it — never their contact details,
// activity or attentions unless the viewer is on their team too.
type RelatedClient struct {
	ID           int64
	Name         string
	DateOfBirth  string // for the age only
	Relationship string // what they are to this client
	Note         string
	TeamSize     int
	// Agencies are the agencies on their team as the viewer may see them:
	// a sensitive agency under its generic label (Agency.AsSeenBy).
	Agencies []*Agency
	// Agents are their team's members, only when the viewer is on it.
	Agents   []*Agent
	IsMember bool
	// JoinTicket opens the join page for a viewer not on their team.
	JoinTicket string
	AddedAt    time.Time
}

// Label is how the relationship reads on this client's page.
func (r *RelatedClient) Label() string { return RelationshipLabel(r.Relationship, r.Note) }

// HouseholdHint is one of the caller's own clients living at the same
// address as this one and not yet in the circle.
type HouseholdHint struct {
	ID          int64
	Name        string
	DateOfBirth string
}

// Circle is a client's circle as a member of its team sees it.
type Circle struct {
	Related []*RelatedClient
	// Hints are the caller's own clients at the same address, not linked.
	Hints []*HouseholdHint
}

// CircleService builds and reads clients' circles. Every method reads the
// caller from ctx and answers ENOTFOUND unless the caller is a current
// member of clientID's team, exactly as for a client that does not exist.
type CircleService interface {
	// FindCircle returns the client's circle and the household hints (the
	// caller's own clients at the same normalised address and postcode,
	// never anyone else's).
	FindCircle(ctx context.Context, clientID int64) (*Circle, error)

	// AddToCircle links req.RelatedClientID into clientID's circle; the
	// caller must be on both teams (ENOTFOUND otherwise, for either).
	// ECONFLICT if the two are already linked; EINVALID for a bad request
	// or a client linked to itself. Both clients get an activity row and
	// both teams are told (ActivityCircleChanged).
	AddToCircle(ctx context.Context, clientID int64, req CircleRequest) error

	// RemoveFromCircle removes the link between clientID and relatedID. A
	// member of either team may: clientID is the one whose team the caller
	// is on. ENOTFOUND if there is no such link. Both clients get an
	// activity row and both teams are told.
	RemoveFromCircle(ctx context.Context, clientID, relatedID int64) error

	// FindLinkableClients returns the caller's own clients (filtered by
	// name words) that could be added to clientID's circle: not clientID
	// and not already linked.
	FindLinkableClients(ctx context.Context, clientID int64, filter string) ([]*ClientSummary, error)
}

// NormalizeAddress folds an address or postcode for comparison: lower case,
// letters and digits only, one space between words.
func NormalizeAddress(s string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}
