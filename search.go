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
	// TooShort is set when the query does not name anyone well enough to
	// search clients (PRODUCT.md privacy rules).
	TooShort bool
}

// SearchService is the one search box.
type SearchService interface {
	// Search finds clients, agents and agencies. Client results carry only
	// what is needed to recognise the person. Every client search is audited.
	Search(ctx context.Context, q SearchQuery) (*SearchResults, error)
}
