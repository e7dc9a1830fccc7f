package web

import (
	"net/http"
	"strings"

	"patchwork"
)

// searchData is what the search page shows.
type searchData struct {
	Scope   string
	Results *patchwork.SearchResults
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	scope := r.URL.Query().Get("scope")
	switch scope {
	case patchwork.ScopeDistrict, patchwork.ScopeNetwork:
	default:
		scope = patchwork.ScopeLocal
	}
	if len(q) > 200 {
		q = q[:200]
	}
	d := searchData{Scope: scope, Results: &patchwork.SearchResults{}}
	if q != "" {
		res, err := s.svc.Search.Search(r.Context(), patchwork.SearchQuery{Text: q, Scope: scope})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Results = res
	}
	s.render(w, r, http.StatusOK, "search", &page{Query: q, Data: d})
}
