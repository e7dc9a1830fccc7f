package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"patchwork"
)

// searchData is what the search page shows.
type searchData struct {
	Scope   string
	Results *patchwork.SearchResults
	// AddURL opens the add-client form with what was typed (names, a full
	// date of birth) filled in. The request log leaves query strings out.
	AddURL string
	// Widen are the links to the wider scopes, each with how many more
	// clients it would show.
	Widen []widenLink
}

// widenLink offers a wider scope of the same search.
type widenLink struct {
	Text string
	URL  string
	More int  // clients beyond those found at the current scope
	Know bool // More is known (the engine counted)
}

// widenLinks are the scopes wider than scope, each with the number of
// clients it adds to those found at scope. Without areas of their own a
// caller's local scope is already their district, so only the network is
// wider.
func widenLinks(q, scope string, res *patchwork.SearchResults) []widenLink {
	var out []widenLink
	add := func(to, text string) {
		l := widenLink{Text: text, URL: "/search?" + url.Values{"q": {q}, "scope": {to}}.Encode()}
		if res.Counts != nil {
			l.More, l.Know = max(0, res.Counts[to]-res.Counts[scope]), true
		}
		out = append(out, l)
	}
	if scope == patchwork.ScopeLocal && !res.NoAreas {
		add(patchwork.ScopeDistrict, "Show results from the district")
	}
	if scope != patchwork.ScopeNetwork {
		add(patchwork.ScopeNetwork, "Show results from the whole network")
	}
	return out
}

// addClientURL is the add-client form filled with nc.
func addClientURL(nc patchwork.NewClientDetails) string {
	v := url.Values{}
	for k, s := range map[string]string{"first_name": nc.FirstName, "last_name": nc.LastName,
		"date_of_birth": typedDOB(nc.DateOfBirth)} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if len(v) == 0 {
		return "/clients/new"
	}
	return "/clients/new?" + v.Encode()
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if !patchwork.ValidText(q) {
		// Bytes no database can hold: say so beside the box, search nothing.
		s.render(w, r, http.StatusUnprocessableEntity, "search", &page{Query: strings.ToValidUTF8(strings.ReplaceAll(q, "\x00", ""), "\uFFFD"),
			Errors: map[string]string{"q": "The search has characters that cannot be read. Delete it and type it again"},
			Data:   searchData{Scope: patchwork.ScopeLocal, Results: &patchwork.SearchResults{}}})
		return
	}
	q = patchwork.CleanLine(q)
	scope := r.URL.Query().Get("scope")
	switch scope {
	case patchwork.ScopeDistrict, patchwork.ScopeNetwork:
	default:
		scope = patchwork.ScopeLocal
	}
	if rs := []rune(q); len(rs) > patchwork.MaxSearchLength {
		// Cut at a character, never inside one: half a character is
		// invalid UTF-8.
		q = string(rs[:patchwork.MaxSearchLength])
	}
	d := searchData{Scope: scope, Results: &patchwork.SearchResults{}}
	if q != "" {
		start := time.Now()
		res, err := s.svc.Search.Search(r.Context(), patchwork.SearchQuery{Text: q, Scope: scope})
		s.cfg.Observer.ObserveSearch(time.Since(start))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Results = res
		if !res.TooShort {
			d.Widen = widenLinks(q, scope, res)
		}
	}
	d.AddURL = addClientURL(d.Results.AddClient)
	s.render(w, r, http.StatusOK, "search", s.guided(r, &page{Query: q, Data: d}, onSearch))
}
