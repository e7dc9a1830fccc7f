package patchwork

import "context"

// First-run guidance an agent can dismiss: the walkthrough, and the banners
// with next steps on the dashboard, search and client pages.
const (
	GuidanceWalkthrough = "walkthrough"
	GuidanceNoPhone     = "no_phone"
	GuidanceNoTeams     = "no_teams"
)

// GuidanceItems lists every item DismissGuidance accepts.
var GuidanceItems = []string{GuidanceWalkthrough, GuidanceNoPhone, GuidanceNoTeams}

// Guidance says which first-run guidance the caller should still see: each
// is true while it applies and has not been dismissed.
type Guidance struct {
	Walkthrough bool // the walkthrough was neither finished nor skipped
	NoPhone     bool // the profile has no phone number
	NoTeams     bool // the agent is on no client's team
}

// GuidanceService is the caller's first-run guidance.
type GuidanceService interface {
	// FindGuidance returns the guidance the caller should still see.
	FindGuidance(ctx context.Context) (*Guidance, error)

	// DismissGuidance remembers that the caller dismissed item (one of
	// GuidanceItems; EINVALID otherwise), for good.
	DismissGuidance(ctx context.Context, item string) error
}
