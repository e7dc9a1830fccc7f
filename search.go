package patchwork

import "context"

// Search scopes widen from the caller's own local areas to the network.
const (
	ScopeLocal    = "local"
	ScopeDistrict = "district"
	ScopeNetwork  = "network"
)

// MaxClientResults caps client results so that search is for finding a
// known person, not browsing.
const MaxClientResults = 20

// SearchQuery is what an agent typed in the one search box.
type SearchQuery struct {
	Text  string
	Scope string
}

// SearchResults groups results by kind.
type SearchResults struct {
	Clients     []*ClientMatch
	MoreClients bool // more than MaxClientResults matched: refine the search
	Agents      []*Agent
	Agencies    []*Agency
	// Counts holds how many clients match at each scope (ScopeLocal,
	// ScopeDistrict, ScopeNetwork), so the page can offer to widen the
	// search with a number; nil when the engine does not count.
	Counts map[string]int
	// TooShort is set when the query does not name anyone well enough to
	// search clients (PRODUCT.md privacy rules).
	TooShort bool
}

// SearchService is the one search box. Any active agent may call it.
type SearchService interface {
	// Search finds clients, agents and agencies. Client results carry only
	// what is needed to recognise the person, best first and those in the
	// caller's own local areas first (q.Scope widens). Every client search
	// is audited, without its text. It returns ETOOMANYREQUEST when the
	// caller has searched too often recently.
	Search(ctx context.Context, q SearchQuery) (*SearchResults, error)
}
