// Package web serves Patchwork's server-rendered HTML: handlers, middleware,
// sessions and rendering. Handlers never decide who may see a client; they
// pass the caller in the context to the services, which do.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"patchwork"
	"patchwork/mail"
)

// Services are the domain services the web layer uses.
type Services struct {
	Agents     patchwork.AgentService
	Agencies   patchwork.AgencyService
	Areas      patchwork.AreaService
	Clients    patchwork.ClientService
	Search     patchwork.SearchService
	Attentions patchwork.AttentionService
	Prefs      patchwork.NotificationPrefsService
	Jobs       patchwork.JobService
	// Outbox lists the local outbox; demo mode shows it at /dev/mail.
	Outbox func(ctx context.Context, limit int) ([]*mail.Message, error)
}

// Config holds what the web layer needs to know about the deployment.
type Config struct {
	// Demo shows the demo banner and the demo sign-ins.
	Demo bool
	// SecureCookies marks cookies Secure; off only for plain-HTTP localhost.
	SecureCookies bool
	// Ping checks the database for /healthz.
	Ping func(ctx context.Context) error
}

// Server holds the web layer's dependencies.
type Server struct {
	cfg      Config
	svc      Services
	sessions *scs.SessionManager
	views    *views
	log      *slog.Logger
	now      func() time.Time
}

// NewServer builds a Server. store keeps sessions (in the database, so that
// any instance can serve any request).
func NewServer(cfg Config, svc Services, store scs.CtxStore, log *slog.Logger, now func() time.Time) (*Server, error) {
	v, err := newViews(cfg.Demo, now)
	if err != nil {
		return nil, err
	}
	sm := scs.New()
	sm.Store = store
	sm.Codec = sessionCodec{}
	// The absolute lifetime is scs's; the idle timeout is ours (see
	// loadCaller), because scs's rewrites the session on every request.
	sm.Lifetime = 12 * time.Hour
	sm.Cookie.Name = "patchwork_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies
	sm.Cookie.Path = "/"
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		log.Error("session error", "err", err)
		http.Error(w, "Something went wrong. Please try again.", http.StatusInternalServerError)
	}
	return &Server{cfg: cfg, svc: svc, sessions: sm, views: v, log: log, now: now}, nil
}

// Handler returns the complete HTTP handler with every middleware applied.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	csrf := http.NewCrossOriginProtection()
	// One-click unsubscribe (RFC 8058) is posted by mail providers; the
	// signed token in the request is its only credential.
	csrf.AddInsecureBypassPattern("POST /unsubscribe")
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusForbidden, "Request refused", "This form was sent from another site, so it was refused.")
	}))
	var h http.Handler = mux
	h = s.loadCaller(h)
	h = s.sessions.LoadAndSave(h)
	h = csrf.Handler(h)
	h = s.securityHeaders(h)
	h = s.logRequests(h)
	h = s.recoverPanics(h)
	return h
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Ping != nil {
		if err := s.cfg.Ping(r.Context()); err != nil {
			s.log.Error("health check failed", "err", err)
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}
