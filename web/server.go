// Package web serves Patchwork's server-rendered HTML: handlers, middleware,
// sessions and rendering. Handlers never decide who may see a client; they
// pass the caller in the context to the services, which do.
package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
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
	AreaAdmin  patchwork.AreaAdminService
	Clients    patchwork.ClientService
	Search     patchwork.SearchService
	Attentions patchwork.AttentionService
	Circles    patchwork.CircleService
	Team       patchwork.TeamService
	Prefs      patchwork.NotificationPrefsService
	Jobs       patchwork.JobService
	Imports    patchwork.ImportService
	Passwords  patchwork.PasswordService
	Sessions   patchwork.SessionService
	Erasure    patchwork.ErasureService
	Admin      patchwork.AdminService
	Merges     patchwork.MergeService

	// Invitations invites colleagues onto client teams.
	Invitations patchwork.InvitationService
	// Signups lets staff of approved agencies sign up, and others ask for
	// access.
	Signups patchwork.SignupService
	// AgencyAdmin creates, approves, edits and suspends agencies.
	AgencyAdmin patchwork.AgencyAdminService

	// ImportAreas checks an uploaded area list (name is the file's name)
	// and, unless dryRun, adds what it lacks as an import job (the importer
	// of `patchwork import --kind areas`); a file that cannot be read at
	// all is EINVALID for the field "file".
	ImportAreas func(ctx context.Context, r io.ReadSeeker, name string, dryRun bool) (*patchwork.AreaImportResult, error)

	Audit      patchwork.AuditViewerService
	Stats      patchwork.StatsService
	Alerts     patchwork.AlertService
	Retention  patchwork.RetentionService
	Inactivity patchwork.InactivityService
	TwoFactor  patchwork.TwoFactorService
	Terms      patchwork.TermsService
	Guidance   patchwork.GuidanceService
	// Outbox lists the local outbox messages the caller may see (their own;
	// all for admins); demo mode shows it at /dev/mail.
	Outbox func(ctx context.Context, limit int) ([]*mail.Message, error)
	// SignupOutbox lists the local outbox messages to addresses with no
	// account (sign-up links); demo mode shows them, to anyone, at
	// /dev/signup-mail.
	SignupOutbox func(ctx context.Context, limit int) ([]*mail.Message, error)
}

// Config holds what the web layer needs to know about the deployment.
type Config struct {
	// Demo shows the demo banner and the demo sign-ins.
	Demo bool
	// SecureCookies marks cookies Secure; off only for plain-HTTP localhost.
	SecureCookies bool
	// Ready says whether this instance can serve (/readyz): the database
	// answers, its migrations are current, the worker runs. Nil is ready.
	Ready func(ctx context.Context) error
	// DatabaseUp says whether the database answers; a failed request then
	// shows "unavailable for a moment" (503) rather than a fault (500).
	DatabaseUp func(ctx context.Context) error
	// StorageFull says whether an error is a write the database refused
	// for lack of space; such a failure shows "cannot save anything just
	// now" (503) rather than a fault (500).
	StorageFull func(err error) bool
	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed (its last entry only); empty trusts none (see clientIP).
	TrustedProxies []netip.Prefix
	// Observer receives the figures /metrics shows; nil records nothing.
	Observer Observer
	// SessionIdle signs out a session unused for this long
	// (PATCHWORK_SESSION_IDLE); zero means DefaultSessionIdle.
	SessionIdle time.Duration
	// SessionLifetime signs out every session this long after sign-in,
	// used or not (PATCHWORK_SESSION_LIFETIME); zero means
	// DefaultSessionLifetime.
	SessionLifetime time.Duration
	// TwoFactor says whom the deployment requires to sign in with a
	// second factor: patchwork.TwoFactorEveryone, TwoFactorAdmins or
	// TwoFactorNobody (PATCHWORK_TWO_FACTOR); empty means nobody.
	TwoFactor string
	// Terms are the terms of use every agent must accept (again when
	// their version changes) before anything else; nil asks for none.
	Terms *patchwork.Terms
	// Secret is the deployment secret, from which the key that seals a
	// form kept over a sign-in is derived (keptform.go); every instance
	// must share it. Empty means a random key for this process only.
	Secret []byte
}

// Observer is told, per request, what the operations metrics count (see
// package metrics). The route is the pattern of routes.go, never a path.
type Observer interface {
	ObserveRequest(route string, code int, d time.Duration)
	ObserveSearch(d time.Duration)
	SignInFailed()
}

type noObserver struct{}

func (noObserver) ObserveRequest(string, int, time.Duration) {}
func (noObserver) ObserveSearch(time.Duration)               {}
func (noObserver) SignInFailed()                             {}

// Default session timeouts.
const (
	DefaultSessionIdle     = 30 * time.Minute
	DefaultSessionLifetime = 12 * time.Hour
)

// SessionStore keeps sessions (in the database, so that any instance can
// serve any request) and records whose each one is.
type SessionStore interface {
	scs.CtxStore
	// Bind ties the session with token to the agent who has just signed
	// in; only bound sessions are ever loaded.
	Bind(ctx context.Context, token string, info patchwork.SessionInfo, expiry time.Time) error
}

// Server holds the web layer's dependencies.
type Server struct {
	cfg      Config
	svc      Services
	sessions *scs.SessionManager
	store    SessionStore
	views    *views
	log      *slog.Logger
	now      func() time.Time
	keptKey  []byte // seals forms kept over a sign-in
}

// NewServer builds a Server. store keeps sessions (in the database, so that
// any instance can serve any request).
func NewServer(cfg Config, svc Services, store SessionStore, log *slog.Logger, now func() time.Time) (*Server, error) {
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = DefaultSessionIdle
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = DefaultSessionLifetime
	}
	if cfg.Observer == nil {
		cfg.Observer = noObserver{}
	}
	v, err := newViews(cfg.Demo, now)
	if err != nil {
		return nil, err
	}
	sm := scs.New()
	sm.Store = store
	sm.Codec = sessionCodec{}
	// The absolute lifetime is scs's; the idle timeout is ours (see
	// loadCaller), because scs's rewrites the session on every request.
	sm.Lifetime = cfg.SessionLifetime
	sm.Cookie.Name = "patchwork_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies
	sm.Cookie.Path = "/"
	srv := &Server{cfg: cfg, svc: svc, sessions: sm, store: store, views: v, log: log, now: now}
	// A session that cannot be loaded or saved (the database is down) gets
	// the same page as any other failure.
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		srv.serverError(w, r, fmt.Errorf("session: %w", err))
		if g, ok := w.(*sessionGuard); ok {
			g.closed = true
		}
	}
	secret := cfg.Secret
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
	}
	srv.keptKey = keptKey(secret)
	return srv, nil
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
	h = s.checkInput(h)
	h = s.loadCaller(h)
	h = guardSessions(s.sessions.LoadAndSave(h))
	h = csrf.Handler(h)
	h = s.securityHeaders(h)
	h = s.logRequests(h)
	h = s.recoverPanics(h)
	return h
}

// healthz answers while the process is alive and serving HTTP. It asks
// nothing of the database: an orchestrator restarts an instance whose
// liveness fails, and restarting every instance because PostgreSQL is down
// helps nobody. Readiness is /readyz.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 when this instance can do its work — the database
// answers, its migrations are current and (where it runs one) the worker is
// claiming jobs — and 503 otherwise, so a load balancer sends requests
// elsewhere. The reason goes to the log, not to the anonymous caller.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.Error("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready\n"))
			return
		}
	}
	w.Write([]byte("ready\n"))
}
