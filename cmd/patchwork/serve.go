package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"patchwork"
	"patchwork/app"
	"patchwork/demo"
	"patchwork/metrics"
	"patchwork/sqldb"
	"patchwork/ui"
	"patchwork/web"
	"patchwork/worker"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("PATCHWORK_ADDR", "127.0.0.1:8080"), "listen address (env PATCHWORK_ADDR)")
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	demoMode := fs.Bool("demo", envOr("PATCHWORK_DEMO", "") == "true", "demo mode: seed demo data into an empty database and show the demo banner (env PATCHWORK_DEMO=true)")
	smtpURL := fs.String("smtp-url", envOr("PATCHWORK_SMTP_URL", ""),
		"SMTP server, smtp://user:pass@host:port?tls=none|starttls|tls; empty keeps emails in the local outbox (env PATCHWORK_SMTP_URL)")
	mailFrom := fs.String("mail-from", envOr("PATCHWORK_MAIL_FROM", "Patchwork <no-reply@patchwork.invalid>"), "From address of emails (env PATCHWORK_MAIL_FROM)")
	baseURL := fs.String("base-url", envOr("PATCHWORK_BASE_URL", ""), "public URL that links in emails start with; default http://ADDR (env PATCHWORK_BASE_URL)")
	digestHour := fs.Int("digest-hour", envInt("PATCHWORK_DIGEST_HOUR", 7), "hour (0–23) at which digests are sent (env PATCHWORK_DIGEST_HOUR)")
	timeZone := fs.String("timezone", envOr("PATCHWORK_TIMEZONE", "UTC"), "deployment time zone, an IANA name such as Europe/London (env PATCHWORK_TIMEZONE)")
	noWorker := fs.Bool("no-worker", envOr("PATCHWORK_NO_WORKER", "") == "true", "do not run the background worker in this process (env PATCHWORK_NO_WORKER=true)")
	metricsAddr := fs.String("metrics-addr", envOr("PATCHWORK_METRICS_ADDR", ""),
		"if set, serve Prometheus metrics at /metrics on this separate address, e.g. 127.0.0.1:9090; never the public one (env PATCHWORK_METRICS_ADDR)")
	debugAddr := fs.String("debug-addr", envOr("PATCHWORK_DEBUG_ADDR", ""),
		"if set, serve Go's profiler (/debug/pprof/) on this separate address, e.g. 127.0.0.1:6060 (env PATCHWORK_DEBUG_ADDR)")
	searchRate := fs.Int("search-rate-limit", envInt("PATCHWORK_SEARCH_RATE_LIMIT", sqldb.DefaultSearchRateLimit),
		"client searches an agent may make in five minutes; -1 for no limit, on a copy of the data for load tests only (env PATCHWORK_SEARCH_RATE_LIMIT)")
	joinLimit := fs.Int("join-limit", envInt("PATCHWORK_JOIN_LIMIT", sqldb.DefaultJoinLimit),
		"client teams an agent may join in an hour; -1 for no limit, on a copy of the data for load tests only (env PATCHWORK_JOIN_LIMIT)")
	reviewDays := fs.Int("review-days", envInt("PATCHWORK_REVIEW_DAYS", patchwork.DefaultReviewDays),
		"ask agents every this many days to confirm each client they still work with; unconfirmed for twice as long shows as possibly out of date (env PATCHWORK_REVIEW_DAYS)")
	retentionDays := fs.Int("retention-days", envInt("PATCHWORK_RETENTION_DAYS", patchwork.DefaultRetentionDays),
		"list a client for review once it has had no team member for this many days (env PATCHWORK_RETENTION_DAYS)")
	retentionGrace := fs.Int("retention-grace-days", envInt("PATCHWORK_RETENTION_GRACE_DAYS", patchwork.DefaultRetentionGraceDays),
		"erase a listed client this many days later unless someone has joined its team (env PATCHWORK_RETENTION_GRACE_DAYS)")
	inactivityDays := fs.Int("inactivity-days", envInt("PATCHWORK_INACTIVITY_DAYS", patchwork.DefaultInactivityDays),
		"warn an agent by email once they have not signed in for this many days (env PATCHWORK_INACTIVITY_DAYS)")
	inactivityGrace := fs.Int("inactivity-grace-days", envInt("PATCHWORK_INACTIVITY_GRACE_DAYS", patchwork.DefaultInactivityGraceDays),
		"deactivate a warned agent this many days later unless they have signed in (env PATCHWORK_INACTIVITY_GRACE_DAYS)")
	alertChurn := fs.Int("alert-team-churn", envInt("PATCHWORK_ALERT_TEAM_CHURN", patchwork.DefaultAlertTeamChurn),
		"alert admins when an agent joins and then leaves at least this many client teams in one day (UTC); -1 turns it off (env PATCHWORK_ALERT_TEAM_CHURN)")
	alertOutside := fs.Int("alert-outside-views", envInt("PATCHWORK_ALERT_OUTSIDE_VIEWS", patchwork.DefaultAlertOutsideViews),
		"alert admins when an agent views at least this many clients outside the districts of their areas in one day; -1 turns it off (env PATCHWORK_ALERT_OUTSIDE_VIEWS)")
	alertSearchFactor := fs.Int("alert-search-factor", envInt("PATCHWORK_ALERT_SEARCH_FACTOR", patchwork.DefaultAlertSearchFactor),
		"alert admins when an agent searches more than this many times the median of the agents who searched that day (and at least --alert-search-min times); -1 turns it off (env PATCHWORK_ALERT_SEARCH_FACTOR)")
	alertSearchMin := fs.Int("alert-search-min", envInt("PATCHWORK_ALERT_SEARCH_MIN", patchwork.DefaultAlertSearchMinimum),
		"the fewest searches in one day that --alert-search-factor alerts on (env PATCHWORK_ALERT_SEARCH_MIN)")
	sessionIdle := fs.Duration("session-idle", envDuration("PATCHWORK_SESSION_IDLE", web.DefaultSessionIdle),
		"sign a session out after this long without a request, such as 30m (env PATCHWORK_SESSION_IDLE)")
	sessionLifetime := fs.Duration("session-lifetime", envDuration("PATCHWORK_SESSION_LIFETIME", web.DefaultSessionLifetime),
		"sign every session out this long after sign-in, such as 12h (env PATCHWORK_SESSION_LIFETIME)")
	tlsO := tlsFlags(fs)
	proxies := fs.String("trusted-proxies", envOr("PATCHWORK_TRUSTED_PROXIES", ""),
		"comma-separated addresses or CIDR ranges of the load balancers in front; the last X-Forwarded-For entry they add is taken as the client's address for sign-in throttling and the sessions page (env PATCHWORK_TRUSTED_PROXIES)")
	workerBatch := fs.Int("worker-batch", envInt("PATCHWORK_WORKER_BATCH", 10),
		"jobs the worker claims at once; its lease (how long before another instance takes over the jobs of one that died) is this many SMTP timeouts plus a minute (env PATCHWORK_WORKER_BATCH)")
	drainDelay := fs.Duration("drain-delay", envDuration("PATCHWORK_DRAIN_DELAY", 0),
		"on SIGTERM, answer /readyz with 503 for this long before closing the listener, so a load balancer stops sending requests first, such as 5s (env PATCHWORK_DRAIN_DELAY)")
	twoFactor := fs.String("two-factor", envOr("PATCHWORK_TWO_FACTOR", patchwork.TwoFactorNobody),
		"who must sign in with a second factor (an authenticator app's code): everyone, admins or nobody; others may choose to (env PATCHWORK_TWO_FACTOR)")
	termsFile := fs.String("terms-file", envOr("PATCHWORK_TERMS_FILE", ""),
		"plain-text file of the terms of use every agent accepts (paragraphs separated by blank lines); empty for the shipped terms (env PATCHWORK_TERMS_FILE)")
	termsVersion := fs.String("terms-version", envOr("PATCHWORK_TERMS_VERSION", ""),
		"version of the terms of use; agents accept each version once; empty derives it from the text, so any change asks again (env PATCHWORK_TERMS_VERSION)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if describing(ctx, fs) {
		return nil
	}
	termsText := ui.DefaultTerms()
	if *termsFile != "" {
		b, err := os.ReadFile(*termsFile)
		if err != nil {
			return fmt.Errorf("--terms-file: %w", err)
		}
		termsText = string(b)
	}
	terms := patchwork.NewTerms(termsText, *termsVersion)
	if terms.Text == "" || !patchwork.ValidText(terms.Text) {
		return fmt.Errorf("--terms-file %s: the terms of use must be non-empty text", *termsFile)
	}
	if !slices.Contains(patchwork.TwoFactorPolicies, *twoFactor) {
		return fmt.Errorf("--two-factor %q: want everyone, admins or nobody", *twoFactor)
	}
	if *sessionIdle <= 0 || *sessionLifetime <= 0 || *sessionIdle > *sessionLifetime {
		return fmt.Errorf("--session-idle (%s) and --session-lifetime (%s) must be positive, the idle timeout no longer than the lifetime",
			*sessionIdle, *sessionLifetime)
	}
	trustedProxies, err := parseProxies(*proxies)
	if err != nil {
		return err
	}
	log := newLogger(stderr)
	if *debugAddr != "" {
		go serveDebug(*debugAddr, log)
	}
	db, err := openMigrated(ctx, *dsn, audit)
	if err != nil {
		return err
	}
	defer func() {
		// Close writes the last audit checkpoint.
		if err := db.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}()
	// One clock for the store, the pages and the worker, which never goes
	// back (docs/deploy.md, "The clock jumps").
	floor, err := db.LatestAuditTime(ctx)
	if err != nil {
		return err
	}
	clock := sqldb.NewSteadyClock(time.Now, nil, floor, func(back time.Duration) {
		log.Warn("the system clock went back; Patchwork's clock goes on steadily until it catches up",
			"by", back.Round(time.Millisecond).String())
	})
	db.Now = clock.Now
	db.ReviewDays = *reviewDays
	db.RetentionDays, db.RetentionGraceDays = *retentionDays, *retentionGrace
	db.InactivityDays, db.InactivityGraceDays = *inactivityDays, *inactivityGrace
	db.Alerts = patchwork.AlertThresholds{TeamChurn: *alertChurn, OutsideViews: *alertOutside,
		SearchFactor: *alertSearchFactor, SearchMinimum: *alertSearchMin}
	if *demoMode {
		if err := seedIfEmpty(ctx, db, stdout, terms.Version); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	ip := net.ParseIP(host)
	scheme := "http"
	secure := !(ip != nil && ip.IsLoopback())
	if tlsO.enabled() {
		cfg, challenges, err := tlsO.config(*dsn)
		if err != nil {
			ln.Close()
			return err
		}
		ln = tls.NewListener(ln, cfg)
		scheme, secure = "https", true
		if challenges != nil {
			defer serveACMEHTTP(tlsO.acmeHTTPAddr, challenges, log).Close()
		}
	}
	if *baseURL == "" {
		*baseURL = scheme + "://" + ln.Addr().String()
	}
	opts := app.Options{Now: clock.Now, Demo: *demoMode, SecureCookies: secure, Log: log,
		SMTPURL: *smtpURL, MailFrom: *mailFrom, BaseURL: *baseURL, DigestHour: *digestHour, TimeZone: *timeZone,
		SearchRateLimit: *searchRate, JoinLimit: *joinLimit, SessionIdle: *sessionIdle, SessionLifetime: *sessionLifetime,
		TrustedProxies: trustedProxies, WorkerBatch: *workerBatch,
		TwoFactor: *twoFactor, Terms: terms}
	if *metricsAddr != "" {
		opts.Metrics = metrics.New(db)
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		ms := &http.Server{Handler: metricsMux(opts.Metrics), ReadHeaderTimeout: 10 * time.Second}
		go ms.Serve(mln)
		defer ms.Close()
		fmt.Fprintf(stdout, "Metrics at http://%s/metrics\n", mln.Addr())
	}
	var wk *worker.Worker
	closeSender := func() error { return nil }
	if !*noWorker {
		if wk, closeSender, err = app.NewWorker(db, opts); err != nil {
			return err
		}
	}
	var draining atomic.Bool
	opts.WorkerReady = func() error {
		if draining.Load() {
			return errors.New("shutting down")
		}
		if wk != nil {
			return wk.Ready()
		}
		return nil
	}
	srv, err := app.NewServer(db, opts)
	if err != nil {
		return err
	}
	workerDone := make(chan struct{})
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorker()
	if wk == nil {
		close(workerDone)
	} else {
		go func() {
			defer close(workerDone)
			wk.Run(workerCtx)
			if err := closeSender(); err != nil {
				log.Error("close mail sender", "err", err)
			}
		}()
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		// The server's own complaints (a TLS handshake that failed, say)
		// go to the structured log like everything else.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "Patchwork is running at %s://%s/\n", scheme, ln.Addr())
	if *demoMode {
		fmt.Fprintf(stdout, "Demo — test data only. Sign in as agent1@patchwork.test … agent37@patchwork.test or admin@patchwork.test, password: %s\n", sqldb.DemoPassword)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Draining: /readyz says 503 so the load balancer moves on; the worker
	// claims nothing more and finishes the job in hand — a long scan of
	// the duplicates queue stops instead and is queued again — (anything
	// not yet sent stays queued for another instance or the next start); after
	// the drain delay, in-flight requests finish (each use case is one
	// transaction, so none is left half-written) and new connections are
	// refused.
	log.Info("shutting down", "drain_delay", drainDelay.String())
	draining.Store(true)
	stopWorker()
	if *drainDelay > 0 {
		select {
		case <-time.After(*drainDelay):
		case err := <-errc:
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	<-workerDone
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func openMigrated(ctx context.Context, dsn string, audit *auditOpts) (*sqldb.DB, error) {
	cfg, err := audit.config(dsn)
	if err != nil {
		return nil, err
	}
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db.SetAuditKeyConfig(cfg)
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// seedIfEmpty seeds the demo network into an empty database. Instances
// started together on one PostgreSQL database take turns under a lock, so
// the first seeds and the others find the data already there. The seeded
// demo sign-ins have accepted the terms of use of termsVersion, so the
// README's sign-ins start on the dashboard; new sign-ups accept them
// themselves, as does everyone once the terms change.
func seedIfEmpty(ctx context.Context, db *sqldb.DB, stdout io.Writer, termsVersion string) error {
	return db.WithSeedLock(ctx, func() error {
		seeded, err := demo.Seeded(ctx, db)
		if err != nil || seeded {
			return err
		}
		fmt.Fprintln(stdout, "Seeding the demo network (about 300 clients)…")
		if err := demo.Seed(ctx, db, demo.DefaultSize); err != nil {
			return err
		}
		return sqldb.NewTermsService(db).AcceptTermsForSeededAgents(patchwork.NewSystemContext(ctx), termsVersion)
	})
}

// parseProxies reads --trusted-proxies: addresses or CIDR ranges.
func parseProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is neither an address nor a CIDR range", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// metricsMux serves /metrics alone.
func metricsMux(m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return mux
}

// serveDebug serves the profiler on its own listener, never the public one.
func serveDebug(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("debug listener", "addr", addr)
	if err := srv.ListenAndServe(); err != nil {
		log.Error("debug listener", "err", err)
	}
}
