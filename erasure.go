package patchwork

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// ActivityClientRemoved is the activity that tells a team its client was
// erased from Patchwork. It is the last activity the client ever gets.
const ActivityClientRemoved = "client.removed"

// LeaveClientErased is the leave reason of every membership an erasure
// ends.
const LeaveClientErased = "client_erased"

// MaxErasureReasonLength bounds the reason an admin gives for an erasure.
const MaxErasureReasonLength = 500

// ErasureCard is what an admin sees before erasing a client, to be sure it
// is the right person: the details that will be erased and how many people
// will be told.
type ErasureCard struct {
	Client      *Client
	TeamSize    int
	AgencyCount int
}

// ErasureRequest is an admin's request to erase a client.
type ErasureRequest struct {
	// Reason is why, as the audit keeps it for good: for example "the
	// client asked to be removed". It must not identify the client.
	Reason string
	// Confirm is the admin's confirmation that the erasure cannot be undone.
	Confirm bool
}

// Validate checks an erasure request for client c, cleaning its reason in
// place, and returns per-field messages. The reason outlives the client in
// the audit log, so it may not hold the client's names, date of birth,
// postcode, phone or address.
func (r *ErasureRequest) Validate(c *Client) error {
	f := fields{}
	if f.text("reason", &r.Reason, MaxErasureReasonLength, "Reason") {
		switch {
		case r.Reason == "":
			f.set("reason", "Enter why the client is being erased")
		case c != nil && identifies(r.Reason, c):
			f.set("reason", "The reason must not identify the client: leave out their names, date of birth, address, postcode and phone")
		}
	}
	if !r.Confirm {
		f.set("confirm", "Confirm that you understand the erasure cannot be undone")
	}
	return Invalid(f)
}

// identifies reports whether text holds one of c's identifiers: a word of
// a name (three letters or more), the date of birth as stored, the
// postcode, the phone's digits or the first line of the address.
func identifies(text string, c *Client) bool {
	lower := strings.ToLower(text)
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		words[w] = true
	}
	names := append([]string{c.FirstName, c.LastName}, c.Aliases...)
	for _, n := range names {
		for _, w := range strings.FieldsFunc(strings.ToLower(n), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			if len([]rune(w)) >= 3 && words[w] {
				return true
			}
		}
	}
	contains := func(s string) bool {
		s = strings.ToLower(strings.TrimSpace(s))
		return s != "" && strings.Contains(lower, s)
	}
	digits := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, s)
	}
	first, _, _ := strings.Cut(c.Address, "\n")
	first, _, _ = strings.Cut(first, ",")
	if contains(c.DateOfBirth) || contains(c.Postcode) || contains(first) {
		return true
	}
	if p := digits(c.Phone); len(p) >= 6 && strings.Contains(digits(text), p) {
		return true
	}
	if t, err := time.Parse(time.DateOnly, c.DateOfBirth); err == nil {
		for _, layout := range []string{"2/1/2006", "02/01/2006", "2 January 2006", "2 Jan 2006"} {
			if contains(t.Format(layout)) {
				return true
			}
		}
	}
	return false
}

// ErasureService erases clients on request (docs/security.md, "Erasure").
// Only admins may call it; anyone else gets ENOTFOUND, as for a missing
// page.
type ErasureService interface {
	// FindClientForErasure returns the client an admin is about to erase,
	// with the size of its team. ENOTFOUND for a client that does not
	// exist or was already erased. Audited as an admin view.
	FindClientForErasure(ctx context.Context, id int64) (*ErasureCard, error)

	// EraseClient erases the client's identifying data for good: names,
	// other names, date of birth, address, postcode, phone, the search keys
	// and names derived from them, attention texts and membership notes.
	// Memberships end and the team is told "client removed from
	// Patchwork". Activity, memberships, attentions and areas stay as
	// de-identified rows for statistics; the audit records the erasure,
	// when, by whom and why (req.Reason), never who the client was.
	// EINVALID with per-field messages on a bad request, ENOTFOUND for a
	// missing or already erased client.
	EraseClient(ctx context.Context, id int64, req ErasureRequest) error
}
