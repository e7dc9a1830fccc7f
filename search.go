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

// MaxDuplicateMatches caps the existing clients the duplicate check of a
// new client shows: few enough to read before deciding, most alike first.
const MaxDuplicateMatches = 5

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
	// search clients (docs/security.md, rule 2).
	TooShort bool
	// AddClient is what the query says about a client to add, for the
	// add-client form it links to: the name words as typed and a full date
	// of birth. It is the caller's own text, never stored.
	AddClient NewClientDetails
	// NoAreas is set when the caller has chosen no local areas: the local
	// scope is then their agency's district, until they choose some.
	NoAreas bool
}

// NewClientDetails are the details a search carries into the add-client
// form: first name, last name, and the date of birth as YYYY-MM-DD (""
// unless the query gave a full date).
type NewClientDetails struct {
	FirstName, LastName, DateOfBirth string
}

// SearchService is the one search box. Any active agent may call it.
type SearchService interface {
	// Search finds clients, agents and agencies. Client results carry only
	// what is needed to recognise the person, best first and those in the
	// caller's own local areas first (q.Scope widens; a caller with no
	// areas starts from the district of their agency's areas). Every client search
	// is audited, without its text. It returns ETOOMANYREQUEST when the
	// caller has searched too often recently.
	Search(ctx context.Context, q SearchQuery) (*SearchResults, error)
}
