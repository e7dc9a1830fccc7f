package web

import (
	"net/http"
	"net/url"
	"time"

	"patchwork"
)

// sessionTermsKey caches, in the session, the version of the terms the
// agent has accepted, so that the gate asks the database only when the
// deployment's version differs from it.
const sessionTermsKey = "terms_version"

type termsData struct {
	Terms    *patchwork.Terms
	Accepted time.Time
	Next     string
}

// termsPage shows the deployment's terms of use, with the form to accept
// them if the caller has not yet.
func (s *Server) termsPage(w http.ResponseWriter, r *http.Request) {
	s.renderTerms(w, r, http.StatusOK, nil, safeNextOrEmpty(r.URL.Query().Get("next")))
}

func (s *Server) renderTerms(w http.ResponseWriter, r *http.Request, status int, errs map[string]string, next string) {
	if s.cfg.Terms == nil {
		s.notFound(w, r)
		return
	}
	at, err := s.svc.Terms.FindTermsAcceptance(r.Context(), s.cfg.Terms.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "terms", &page{Errors: errs, Data: termsData{Terms: s.cfg.Terms, Accepted: at, Next: next}})
}

// acceptTerms records that the caller accepts the current terms, then goes
// on where the agent was going; a new agent going nowhere in particular
// goes on to the first-run walkthrough.
func (s *Server) acceptTerms(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Terms == nil {
		s.notFound(w, r)
		return
	}
	next := safeNextOrEmpty(r.PostFormValue("next"))
	if r.PostFormValue("accept") != "yes" {
		s.renderTerms(w, r, http.StatusUnprocessableEntity,
			map[string]string{"accept": "Select that you accept the terms of use to continue"}, next)
		return
	}
	first, err := s.svc.Terms.AcceptTerms(r.Context(), s.cfg.Terms.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessionTermsKey, s.cfg.Terms.Version)
	// A new agent who was on the way somewhere (an invitation's link, a
	// page they were sent) goes there; otherwise to the walkthrough.
	switch {
	case next == "" && first:
		next = "/welcome"
	case next == "":
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// termsGate sends an agent who has not accepted the deployment's current
// terms of use to accept them; until then only the terms page, the
// two-factor set-up and signing out (which is public) are reachable.
func (s *Server) termsGate(w http.ResponseWriter, r *http.Request, pattern string) bool {
	t := s.cfg.Terms
	// The two-factor set-up comes first when the deployment requires it
	// (twoFactorGate sends the agent there), so its pages pass here.
	if t == nil || termsRoutes[pattern] || securityRoutes[pattern] || s.sessions.GetString(r.Context(), sessionTermsKey) == t.Version {
		return true
	}
	at, err := s.svc.Terms.FindTermsAcceptance(r.Context(), t.Version)
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	if !at.IsZero() {
		s.sessions.Put(r.Context(), sessionTermsKey, t.Version)
		return true
	}
	target := "/terms"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.Path)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return false
}

// termsRoutes are the routes an agent who has not accepted the terms may
// reach.
var termsRoutes = map[string]bool{
	"GET /terms":  true,
	"POST /terms": true,
}
