package patchwork

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kinds of a planned contact.
const (
	ContactVisit   = "visit"
	ContactCall    = "call"
	ContactMeeting = "meeting"
)

// ContactKinds lists the kinds of a planned contact, in form order.
var ContactKinds = []Option{
	{ContactVisit, "Visit"},
	{ContactCall, "Call"},
	{ContactMeeting, "Meeting"},
}

// DefaultReviewDays is how often, in days, an agent is asked to confirm
// each membership they have not confirmed or updated (the deployment's
// review_days setting); after twice as long it shows as possibly out of
// date.
const DefaultReviewDays = 90

// ContactUpdate changes the caller's own contact dates on one team. A nil
// field is left as it is; a pointer to "" clears it. Dates are as typed, in
// any form ReadDate reads; Validate turns them to YYYY-MM-DD.
type ContactUpdate struct {
	LastContactOn   *string
	NextContactOn   *string
	NextContactTime *string // HH:MM, or as typed (9am, 14.30)
	NextContactKind *string // a ContactKinds value or ""
}

// Validate checks the update against now, writing each date as
// YYYY-MM-DD and the time as HH:MM, and returns per-field messages. The last
// contact cannot be after today; the next may be any real date up to ten
// years ahead; a time or kind needs a next date.
func (u *ContactUpdate) Validate(now time.Time) error {
	f := fields{}
	if u.LastContactOn != nil {
		if iso, msg := readContactDate(*u.LastContactOn, now, "last contact"); msg != "" {
			f.set("last_contact_on", msg)
		} else {
			*u.LastContactOn = iso
		}
	}
	if u.NextContactOn != nil {
		if iso, msg := readContactDate(*u.NextContactOn, now.AddDate(10, 0, 0), "next contact"); msg != "" {
			f.set("next_contact_on", msg)
		} else {
			*u.NextContactOn = iso
		}
	}
	if u.NextContactTime != nil {
		if hm, ok := ReadTimeOfDay(*u.NextContactTime); !ok {
			f.set("next_contact_time", "Enter the time like 9:30 or 14:00, or leave it empty")
		} else {
			*u.NextContactTime = hm
		}
	}
	if u.NextContactKind != nil && *u.NextContactKind != "" && !hasOption(ContactKinds, *u.NextContactKind) {
		f.set("next_contact_kind", "Select visit, call or meeting")
	}
	return Invalid(f)
}

// readContactDate reads a typed date no later than limit: "" for empty,
// else YYYY-MM-DD, or the message for the field.
func readContactDate(s string, limit time.Time, what string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	d, p := readDate(s, limit)
	switch {
	case p == dateFuture && what == "last contact":
		return "", "The last contact cannot be in the future"
	case p == dateFuture:
		return "", "The next contact must be within ten years"
	case p == dateImpossible:
		return "", "The " + what + " must be a real date"
	case p != dateOK || d.Day == 0:
		return "", "Enter the " + what + " as a date, for example 24/11/2026 or 24 Nov 2026"
	}
	return d.ISO(), ""
}

var reTime = regexp.MustCompile(`^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$`)

// ReadTimeOfDay reads a time as typed (9:30, 09.30, 2pm, 14:00) and returns
// it as HH:MM, "" for empty; ok is false for anything else.
func ReadTimeOfDay(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", true
	}
	p := reTime.FindStringSubmatch(s)
	if p == nil || (p[2] == "" && p[3] == "") {
		return "", false
	}
	h, _ := strconv.Atoi(p[1])
	m := 0
	if p[2] != "" {
		m, _ = strconv.Atoi(p[2])
	}
	switch p[3] {
	case "am", "pm":
		if h < 1 || h > 12 {
			return "", false
		}
		h %= 12
		if p[3] == "pm" {
			h += 12
		}
	}
	if h > 23 || m > 59 {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", h, m), true
}

// PlannedContact is one of the caller's own next contacts, for the
// dashboard: upcoming ones, and past ones to ask about.
type PlannedContact struct {
	ClientID   int64
	ClientName string
	On         string // YYYY-MM-DD
	Time       string // HH:MM or ""
	Kind       string // a ContactKinds value or ""
}

// MembershipReview is one of the caller's memberships due for the
// staleness review: not confirmed or updated for the deployment's N days.
type MembershipReview struct {
	ClientID   int64
	ClientName string
	Since      time.Time // when last confirmed or updated (or joined)
}

// TeamService is what a member does about their own place on a team:
// contact dates, confirming they still work with the client, and the lead
// professional handshake. Every method reads the caller from ctx and
// answers ENOTFOUND unless the caller is a current member of clientID's
// team, as for a client that does not exist.
type TeamService interface {
	// UpdateContact sets the caller's own contact dates on the team (and
	// counts as confirming the membership). EINVALID with per-field
	// messages on bad input, nothing changed.
	UpdateContact(ctx context.Context, clientID int64, u ContactUpdate) error

	// ConfirmMembership records that the caller still works with the
	// client.
	ConfirmMembership(ctx context.Context, clientID int64) error

	// FindMyPlannedContacts returns the caller's next contacts on their
	// current teams, soonest first; nobody else's.
	FindMyPlannedContacts(ctx context.Context) ([]*PlannedContact, error)

	// FindMyReviews returns the caller's memberships not confirmed or
	// updated for the review period, oldest first.
	FindMyReviews(ctx context.Context) ([]*MembershipReview, error)

	// ProposeLead proposes agentID, a current member (the caller included),
	// as the client's lead professional, replacing any pending proposal;
	// one proposed by the caller for themselves is accepted at once.
	// ENOTFOUND if agentID is not on the team.
	ProposeLead(ctx context.Context, clientID, agentID int64) error

	// AnswerLead accepts or declines the pending proposal of the caller as
	// lead. Accepting makes the caller the one lead, in place of any
	// other. ENOTFOUND without a pending proposal of the caller.
	AnswerLead(ctx context.Context, clientID int64, accept bool) error
}
