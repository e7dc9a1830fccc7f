// Package app wires the store, the web layer and the worker into one running
// Patchwork. The CLI and the end-to-end tests both build it here, so tests
// run exactly what production runs.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"time"

	"patchwork"
	"patchwork/mail"
	"patchwork/metrics"
	"patchwork/sqldb"
	"patchwork/web"
	"patchwork/worker"
)

// Options configure an App.
type Options struct {
	Demo          bool
	SecureCookies bool
	Log           *slog.Logger
	Now           func() time.Time
	// Secret signs links (join tickets, unsubscribe tokens). Empty means
	// the deployment secret kept in the database, shared by every instance.
	Secret []byte

	// Mail settings (see docs/mail.md).
	SMTPURL    string // empty: emails go to the local outbox
	MailFrom   string
	BaseURL    string // e.g. https://patchwork.example.org
	DigestHour int
	TimeZone   string // IANA name; empty for UTC

	// SearchRateLimit is how many client searches (the search box and the
	// add-client duplicate check alike) an agent may make in
	// five minutes: 0 means sqldb.DefaultSearchRateLimit, a negative
	// number no limit (for load tests on a copy of the data only).
	SearchRateLimit int
	// JoinLimit is how many teams an agent may join in an hour: 0 means
	// sqldb.DefaultJoinLimit, a negative number no limit (for load tests
	// on a copy of the data only).
	JoinLimit int

	// SessionIdle and SessionLifetime are the session timeouts (see
	// web.Config); zero means the defaults, 30 minutes and 12 hours.
	SessionIdle     time.Duration
	SessionLifetime time.Duration

	// WorkerReady, when set, is asked by /readyz as well as the database:
	// serve sets it to the worker's Ready where this process runs one.
	WorkerReady func() error

	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed (web.Config.TrustedProxies).
	TrustedProxies []netip.Prefix

	// WorkerBatch is how many jobs a worker claims at once (0: the
	// worker's default, 10). A smaller batch means a shorter lease, so
	// another instance takes over a killed one's emails sooner.
	WorkerBatch int

	// Metrics, when set, receives the figures /metrics shows (serve sets
	// it with --metrics-addr).
	Metrics *metrics.Metrics
	// TwoFactor says whom sign-in requires a second factor of (see
	// web.Config.TwoFactor).
	TwoFactor string
	// Terms are the terms of use agents must accept (see web.Config.Terms);
	// nil asks for none. serve always sets them: the deployment's file, or
	// the shipped ui.DefaultTerms.
	Terms *patchwork.Terms
}

func (o *Options) defaults(ctx context.Context, db *sqldb.DB) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MailFrom == "" {
		o.MailFrom = "Patchwork <no-reply@patchwork.invalid>"
	}
	if len(o.Secret) == 0 {
		s, err := db.Secret(ctx)
		if err != nil {
			return err
		}
		o.Secret = s
	}
	return nil
}

// NewServer returns the web server on db with every service wired.
func NewServer(db *sqldb.DB, o Options) (*web.Server, error) {
	if err := o.defaults(context.Background(), db); err != nil {
		return nil, err
	}
	agents := sqldb.NewAgentService(db)
	agents.DemoMode = o.Demo
	search, clients := sqldb.NewSearchService(db), sqldb.NewClientService(db)
	if o.SearchRateLimit != 0 {
		search.RateLimit, clients.RateLimit = o.SearchRateLimit, o.SearchRateLimit
	}
	if o.JoinLimit != 0 {
		clients.JoinLimit = o.JoinLimit
	}
	svc := web.Services{
		Agents:    agents,
		Agencies:  sqldb.NewAgencyService(db),
		Areas:     sqldb.NewAreaService(db),
		AreaAdmin: sqldb.NewAreaService(db),
		ImportAreas: func(ctx context.Context, r io.ReadSeeker, name string, dryRun bool) (*patchwork.AreaImportResult, error) {
			return importAreas(ctx, db, r, name, dryRun)
		},
		Clients:    clients,
		Search:     search,
		Attentions: sqldb.NewAttentionService(db),
		Circles:    sqldb.NewCircleService(db),
		Team:       sqldb.NewTeamService(db),
		Prefs:      sqldb.NewNotificationPrefsService(db, o.Secret),
		Jobs:       sqldb.NewJobService(db),
		Imports:    sqldb.NewImportService(db),
		Passwords:  sqldb.NewPasswordService(db, o.Secret),
		Sessions:   sqldb.NewSessionService(db),
		Erasure:    sqldb.NewErasureService(db),
		Admin:      sqldb.NewAdminService(db),
		Audit:      sqldb.NewAuditViewerService(db),
		Stats:      sqldb.NewStatsService(db),
		Alerts:     sqldb.NewAlertService(db),
		Retention:  sqldb.NewRetentionService(db),
		Inactivity: sqldb.NewInactivityService(db),
		TwoFactor:  sqldb.NewTwoFactorService(db),
		Terms:      sqldb.NewTermsService(db),
		Guidance:   sqldb.NewGuidanceService(db),
		Merges:     sqldb.NewMergeService(db),
		Outbox:     db.FindMyOutbox,

		Invitations: sqldb.NewInvitationService(db, o.Secret),
		Signups:     sqldb.NewSignupService(db, o.Secret),
		AgencyAdmin: sqldb.NewAgencyAdminService(db),
	}
	if o.Demo {
		svc.SignupOutbox = db.FindSignupOutbox
	}
	ready := func(ctx context.Context) error {
		if err := db.Ping(ctx); err != nil {
			return err
		}
		if err := db.MigrationsCurrent(ctx); err != nil {
			return err
		}
		if err := db.StorageFull(); err != nil {
			return err
		}
		if o.WorkerReady != nil {
			return o.WorkerReady()
		}
		return nil
	}
	var observer web.Observer
	if o.Metrics != nil {
		observer = o.Metrics
	}
	return web.NewServer(web.Config{Demo: o.Demo, Secret: o.Secret, SecureCookies: o.SecureCookies, Ready: ready, DatabaseUp: db.Ping, StorageFull: sqldb.IsStorageFull, Observer: observer, TrustedProxies: o.TrustedProxies,
		SessionIdle: o.SessionIdle, SessionLifetime: o.SessionLifetime, TwoFactor: o.TwoFactor, Terms: o.Terms},
		svc, sqldb.NewSessionStore(db), o.Log, o.Now)
}

// NewWorker returns the background worker: it sends through SMTP when
// SMTPURL is set and into the local outbox otherwise. Call the returned
// close function after the worker has stopped.
func NewWorker(db *sqldb.DB, o Options) (*worker.Worker, func() error, error) {
	if err := o.defaults(context.Background(), db); err != nil {
		return nil, nil, err
	}
	var sender mail.Sender
	closeSender := func() error { return nil }
	if o.SMTPURL != "" {
		s, err := mail.NewSMTPSender(o.SMTPURL, o.MailFrom)
		if err != nil {
			return nil, nil, err
		}
		sender, closeSender = s, s.Close
	} else {
		sender = mail.NewOutboxSender(db, o.MailFrom)
	}
	if o.Metrics != nil {
		sender = o.Metrics.Sender(sender)
	}
	loc := time.UTC
	if o.TimeZone != "" {
		l, err := time.LoadLocation(o.TimeZone)
		if err != nil {
			return nil, nil, fmt.Errorf("time zone %q: %w", o.TimeZone, err)
		}
		loc = l
	}
	w, err := worker.New(db, sender, worker.Config{BaseURL: o.BaseURL, Secret: o.Secret, DigestHour: o.DigestHour, Location: loc,
		Batch: o.WorkerBatch})
	if err != nil {
		return nil, nil, err
	}
	w.Log = o.Log
	return w, closeSender, nil
}
