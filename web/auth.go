package web

import (
	"net/http"
	"net/url"

	"patchwork"
)

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if patchwork.CanUse(patchwork.CallerFromContext(r.Context())) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", &page{Data: loginData{Next: safeNextOrEmpty(r.URL.Query().Get("next"))}})
}

// loginData is the sign-in page: the page to go to afterwards, and a form
// kept over the sign-in, sealed (keptform.go).
type loginData struct {
	Next string
	Kept string
}

func safeNextOrEmpty(next string) string {
	if next == "" {
		return ""
	}
	return safeNext(next)
}

// login signs an agent in. A wrong email, a wrong password and a deactivated
// account get the same answer, and no session is created. An agent with a
// second factor is only half signed in: the code page comes next.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	email, pw := r.PostFormValue("email"), r.PostFormValue("password")
	next := safeNextOrEmpty(r.PostFormValue("next"))
	kept := r.PostFormValue("kept")
	a, err := s.svc.Agents.Authenticate(r.Context(), email, pw)
	if err != nil {
		code := patchwork.ErrorCode(err)
		if code != patchwork.EUNAUTHORIZED && code != patchwork.ETOOMANYREQUEST {
			s.serverError(w, r, err)
			return
		}
		s.cfg.Observer.SignInFailed()
		status := http.StatusUnauthorized
		if code == patchwork.ETOOMANYREQUEST {
			status = http.StatusTooManyRequests
		}
		s.render(w, r, status, "login", &page{
			Form:   url.Values{"email": {email}},
			Errors: map[string]string{"email": patchwork.ErrorMessage(err)},
			Data:   loginData{Next: next, Kept: kept},
		})
		return
	}
	if a.TwoFactor {
		s.startSecondStep(w, r, a, next)
		return
	}
	if err := s.completeSignIn(r, a, false); err != nil {
		s.serverError(w, r, err)
		return
	}
	// A form kept over the sign-in comes back (keptform.go); with a second
	// factor it is not carried through the code page, and is lost.
	if s.refillKept(w, r, a, kept) {
		return
	}
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
