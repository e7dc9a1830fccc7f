package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"patchwork"
)

// sessionsPage lists the caller's live sessions ("Your sessions").
func (s *Server) sessionsPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.Sessions.FindSessions(r.Context(), s.sessions.Token(r.Context()), s.cfg.SessionIdle)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "sessions", &page{Data: sessionsData{Sessions: list,
		Idle: humanDuration(s.cfg.SessionIdle), Lifetime: humanDuration(s.cfg.SessionLifetime)}})
}

type sessionsData struct {
	Sessions       []*patchwork.Session
	Idle, Lifetime string
}

// humanDuration says a timeout in words: "30 minutes", "12 hours",
// "1 hour 30 minutes".
func humanDuration(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	unit := func(n int, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case h == 0:
		return unit(max(m, 1), "minute")
	case m == 0:
		return unit(h, "hour")
	}
	return unit(h, "hour") + " " + unit(m, "minute")
}

// endOtherSessions signs the caller out everywhere but here.
func (s *Server) endOtherSessions(w http.ResponseWriter, r *http.Request) {
	n, err := s.svc.Sessions.EndOtherSessions(r.Context(), s.sessions.Token(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "You were signed in nowhere else."
	switch {
	case n == 1:
		msg = "You have been signed out of 1 other session."
	case n > 1:
		msg = fmt.Sprintf("You have been signed out of %d other sessions.", n)
	}
	s.sessions.Put(r.Context(), "flash", msg)
	http.Redirect(w, r, "/settings/sessions", http.StatusSeeOther)
}

// bindSession records the new session of an agent who has just signed in:
// whose it is, and the device, browser and network it came from.
func (s *Server) bindSession(r *http.Request, a *patchwork.Agent) error {
	device, browser := describeUserAgent(r.UserAgent())
	info := patchwork.SessionInfo{AgentID: a.ID, Device: device, Browser: browser, Area: ipArea(s.clientIP(r))}
	return s.store.Bind(r.Context(), s.sessions.Token(r.Context()), info, s.now().Add(s.cfg.SessionLifetime))
}

// sessionGuard is the writer the session middleware answers through. A
// session is saved as the handler starts its answer; when that save fails
// (the database refused the write: the disk is full, the database is
// down), the middleware writes the error page and then passes the
// handler's own status and body on all the same. The guard drops them once
// the error page is out, so a page whose session could not be saved — a
// client's details, say — never follows the error page.
type sessionGuard struct {
	http.ResponseWriter
	closed bool
}

// errAnswered is what a handler's write gets after the error page went out.
var errAnswered = errors.New("web: the request was answered with an error page")

func (g *sessionGuard) WriteHeader(code int) {
	if !g.closed {
		g.ResponseWriter.WriteHeader(code)
	}
}

func (g *sessionGuard) Write(b []byte) (int, error) {
	if g.closed {
		return 0, errAnswered
	}
	return g.ResponseWriter.Write(b)
}

func (g *sessionGuard) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// guardSessions hands next (the session middleware) a sessionGuard.
func guardSessions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&sessionGuard{ResponseWriter: w}, r)
	})
}
