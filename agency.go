package patchwork

import (
	"context"
	"strings"
)

// Sectors an agency can belong to.
var Sectors = []string{
	"Children's social care",
	"Adult social care",
	"Education",
	"Health",
	"Police",
	"Housing",
	"Youth services",
	"Charity",
	"Other",
}

// Agency is an organisation agents work for. A sensitive agency (a domestic
// violence or drug and alcohol service, say) is shown to other team members
// under its generic label and contact route, never by name.
type Agency struct {
	ID           int64
	Name         string
	Sector       string
	Phone        string
	Email        string
	Address      string
	ContactRoute string // how to reach the agency when it is shown generically
	Sensitive    bool
	GenericLabel string // e.g. "Health service"
	// GenericEmail and GenericPhone are a sensitive agency's chosen contact
	// route: the mailbox and phone shown to outsiders in place of its
	// staff's own. GenericEmail is never at EmailDomain.
	GenericEmail string
	GenericPhone string
	// PublishDirect is a sensitive agency's choice to show its staff's
	// direct contacts to the agents who share a client's team with them
	// (off by default). Nobody else outside the agency sees them.
	PublishDirect bool
	EmailDomain   string
	Areas         []*Area
	// Status is AgencyPending, AgencyActive or AgencySuspended (see
	// admin_agencies.go); empty means active to CreateAgency.
	Status string
	// Domains are the email domains the agency takes sign-ups from
	// (agency_domains). Only the admin functions fill it in.
	Domains []string
}

// Validate checks an agency, cleaning it in place, and returns per-field
// messages: the name is required, the sector is one of Sectors (in any
// case; it is set to the list's spelling), every text field has a length
// limit (see input.go), emails are plain addresses (see ValidEmail),
// domains are domains (ValidDomain), and a sensitive agency has the generic
// label it is shown under, and a generic mailbox that is not at its own
// domain, which would give it away. The admin pages, the bulk import and
// the CLI all check agencies here.
func (a *Agency) Validate() error {
	f := fields{}
	if f.name("name", &a.Name, MaxNameLength, "Name") && a.Name == "" {
		f.set("name", "Enter the agency's name")
	}
	if f.line("sector", &a.Sector, MaxNameLength, "Sector") {
		if s, ok := CanonicalSector(a.Sector); ok {
			a.Sector = s
		} else {
			f.set("sector", "Choose the agency's sector: one of "+strings.Join(Sectors, ", "))
		}
	}
	if f.line("generic_label", &a.GenericLabel, MaxLabelLength, "Generic label") && a.Sensitive && a.GenericLabel == "" {
		f.set("generic_label", "Enter the label a sensitive agency is shown under, like Support service")
	}
	f.text("address", &a.Address, MaxAddressLength, "Address")
	f.text("contact_route", &a.ContactRoute, MaxContactRouteLength, "How to make contact")
	for key, p := range map[string]*string{"phone": &a.Phone, "generic_phone": &a.GenericPhone} {
		if f.line(key, p, MaxPhoneLength, "Phone number") && *p != "" && !phoneChars.MatchString(*p) {
			f.set(key, "Enter a phone number, like 020 7946 0000")
		}
	}
	f.email("email", &a.Email)
	if f.email("generic_email", &a.GenericEmail) && AtDomain(a.GenericEmail, a.EmailDomain) {
		f.set("generic_email", "Enter a mailbox that is not at the agency's own domain, so it does not give the agency away")
	}
	if f.line("email_domain", &a.EmailDomain, MaxEmailLength, "Email domain") {
		a.EmailDomain = strings.ToLower(a.EmailDomain)
		if a.EmailDomain != "" && !ValidDomain(a.EmailDomain) {
			f.set("email_domain", "Enter a domain, like example.org")
		}
	}
	seen := map[string]bool{}
	var domains []string
	for _, d := range a.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" || seen[d] {
			continue
		}
		if len(d) > MaxEmailLength || !ValidDomain(d) {
			f.set("domains", "Enter each domain on its own line, like example.org")
		}
		seen[d] = true
		domains = append(domains, d)
	}
	a.Domains = domains
	return Invalid(f)
}

// ValidDomain reports whether d (lower case) is an email domain, like
// example.org: what follows the @ of a plain address, with a dot in it.
func ValidDomain(d string) bool {
	return strings.Contains(d, ".") && !strings.ContainsAny(d, "@ ") && ValidEmail("x@"+d)
}

// CanonicalSector returns the entry of Sectors that s names, in any case.
func CanonicalSector(s string) (string, bool) {
	for _, v := range Sectors {
		if strings.EqualFold(v, strings.TrimSpace(s)) {
			return v, true
		}
	}
	return "", false
}

// PublicName is the name other agents see on a client's team.
func (a *Agency) PublicName() string {
	if a.Sensitive && a.GenericLabel != "" {
		return a.GenericLabel
	}
	return a.Name
}

// AgencyListFilter narrows the phone book's list of agencies. Zero values
// filter nothing.
type AgencyListFilter struct {
	Name   string // part of the name the caller sees
	Sector string
	Offset int
	Limit  int // 0 means AgencyListSize
}

// AgencyListSize is how many agencies the phone book lists at once.
const AgencyListSize = 50

// AgencyService is the agencies part of the phone book.
type AgencyService interface {
	// FindAgencyByID returns an agency for the phone book. Any active agent
	// may call it; a sensitive agency is returned under its generic label
	// unless the caller is an admin or works for it. ENOTFOUND if no agency
	// has the id or it is not listed to the caller (see FindAgencies); a
	// failing database is an error, never ENOTFOUND.
	FindAgencyByID(ctx context.Context, id int64) (*Agency, error)

	// FindAgencies returns the agencies listed to the caller ordered by
	// name, each as the caller may see it (a sensitive agency under its
	// generic label unless the caller is an admin or works for it). The
	// phone book lists approved, active agencies only — one waiting for
	// approval or suspended is as missing, its staff too — except to system
	// admins, who are listed every agency (area admins see theirs at
	// /admin/agencies). Any active agent may call it; it never returns
	// ENOTFOUND.
	FindAgencies(ctx context.Context) ([]*Agency, error)

	// FindListedAgencies returns a page of the agencies FindAgencies lists
	// that f selects, each as the caller may see it, ordered by the name
	// the caller sees, and how many match in all. A sensitive agency is
	// matched and ordered by its generic label unless the caller may see
	// its name, so neither its place in the list nor a name filter tells
	// its name. Any active agent may call it; it never returns ENOTFOUND.
	FindListedAgencies(ctx context.Context, f AgencyListFilter) ([]*Agency, int, error)

	// CreateAgency adds an agency. Only admins and the system caller (the
	// CLI, the demo loader) may call it; other agents get ENOTFOUND.
	CreateAgency(ctx context.Context, a *Agency) error
}
