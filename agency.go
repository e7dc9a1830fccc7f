package patchwork

import "context"

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
	EmailDomain  string
	Areas        []*Area
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
