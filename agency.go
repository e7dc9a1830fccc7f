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
}

// Validate checks a new agency, cleaning it in place, and returns per-field
// messages: the name is required, every text field has a length limit (see
// input.go), emails are plain addresses (see ValidEmail), and a sensitive
// agency's generic mailbox is not at its own domain, which would give it
// away.
func (a *Agency) Validate() error {
	f := fields{}
	if f.name("name", &a.Name, MaxNameLength, "Name") && a.Name == "" {
		f.set("name", "Enter the agency's name")
	}
	f.line("sector", &a.Sector, MaxNameLength, "Sector")
	f.line("generic_label", &a.GenericLabel, MaxLabelLength, "Generic label")
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
		if strings.ContainsAny(a.EmailDomain, "@ ") || (a.EmailDomain != "" && !ValidEmail("x@"+a.EmailDomain)) {
			f.set("email_domain", "Enter a domain, like example.org")
		}
	}
	return Invalid(f)
}

// PublicName is the name other agents see on a client's team.
func (a *Agency) PublicName() string {
	if a.Sensitive && a.GenericLabel != "" {
		return a.GenericLabel
	}
	return a.Name
}

// AgencyService is the agencies part of the phone book.
type AgencyService interface {
	// FindAgencyByID returns an agency for the phone book. Any active agent
	// may call it; a sensitive agency is returned under its generic label
	// unless the caller is an admin or works for it. ENOTFOUND only if no
	// agency has the id; a failing database is an error, never ENOTFOUND.
	FindAgencyByID(ctx context.Context, id int64) (*Agency, error)

	// FindAgencies returns every agency ordered by name, each as the caller
	// may see it (a sensitive agency under its generic label unless the
	// caller is an admin or works for it). Any active agent may call it; it
	// never returns ENOTFOUND.
	FindAgencies(ctx context.Context) ([]*Agency, error)

	// CreateAgency adds an agency. Only admins and the system caller (the
	// CLI, the demo loader) may call it; other agents get ENOTFOUND.
	CreateAgency(ctx context.Context, a *Agency) error
}
