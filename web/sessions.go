package web

import (
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
