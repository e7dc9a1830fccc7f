// Package worker runs Patchwork's durable background jobs from the jobs
// table: sending emails, building digests at the configured hour, and
// housekeeping. Any number of instances may run side by side; the table
// decides who runs what (see docs/mail.md).
package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"patchwork/mail"
	"patchwork/sqldb"
)

// Config holds the worker's settings.
type Config struct {
	// BaseURL starts every link in an email, such as
	// https://patchwork.example.org (PATCHWORK_BASE_URL).
	BaseURL string
	// Secret signs one-click unsubscribe links (PATCHWORK_SECRET). It must
	// be the secret the unsubscribe route checks with.
	Secret []byte
	// DigestHour (0–23) is when digests go out, in Location
	// (PATCHWORK_DIGEST_HOUR, default 7).
	DigestHour int
	// Location is the deployment's time zone (PATCHWORK_TIMEZONE, an IANA
	// name such as Europe/London; default UTC).
	Location *time.Location
	// WeeklyDay is the day weekly digests go out (default Monday).
	WeeklyDay time.Weekday
	// PollInterval is the pause after finding nothing to do (default 1s).
	PollInterval time.Duration
	// Batch is how many jobs a claim takes at once (default 10).
	Batch int
	// Lease is how long a claim holds its jobs before another instance may
	// take them over; it is raised to outlast a whole batch of slow sends.
	Lease time.Duration
	// Concurrency is how many claim loops Run runs (default 1).
	Concurrency int
	// ID names this worker in locked_by (default host-pid-random).
	ID string
	// MessageIDDomain ends every Message-ID (default BaseURL's host).
	MessageIDDomain string
}

// Worker claims due jobs and runs them.
type Worker struct {
	DB       *sqldb.DB
	Sender   mail.Sender
	Renderer *mail.Renderer
	Config   Config
	// Now returns the current time; it decides which digest is due. Tests
	// share one fake clock between it and DB.Now.
	Now func() time.Time
	Log *slog.Logger

	mu        sync.Mutex
	scheduled map[string]string // series → last unique key enqueued by this process

	running atomic.Bool  // Run has started and not returned
	lastOK  atomic.Int64 // wall time (UnixNano) of the last successful claim
	lastNow atomic.Int64 // Now (UnixNano) at the last round; 0 before the first
}

// clockStepBack is how far Now may seem to go back between two rounds
// before the worker takes it as the clock being set back: readings of
// concurrent loops differ by far less.
const clockStepBack = time.Second

// New returns a worker with cfg's defaults filled in.
func New(db *sqldb.DB, sender mail.Sender, cfg Config) (*Worker, error) {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.DigestHour < 0 || cfg.DigestHour > 23 {
		return nil, fmt.Errorf("worker: digest hour %d is not 0–23", cfg.DigestHour)
	}
	if len(cfg.Secret) == 0 {
		return nil, errors.New("worker: no secret to sign unsubscribe links")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("worker: base URL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	if cfg.MessageIDDomain == "" {
		cfg.MessageIDDomain = u.Hostname()
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 10
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	// A claimed batch is worked through one job at a time; the lease must
	// outlast it even when every send runs into the SMTP timeout, or another
	// instance would take over jobs still in hand.
	if min := time.Duration(cfg.Batch)*mail.DefaultSMTPTimeout + time.Minute; cfg.Lease < min {
		cfg.Lease = min
	}
	if cfg.ID == "" {
		host, _ := os.Hostname()
		b := make([]byte, 3)
		rand.Read(b)
		cfg.ID = host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b)
	}
	r, err := mail.NewRenderer(cfg.BaseURL, cfg.Location)
	if err != nil {
		return nil, err
	}
	return &Worker{DB: db, Sender: sender, Renderer: r, Config: cfg, Now: db.Now, Log: slog.Default(),
		scheduled: map[string]string{}}, nil
}

// Run claims and runs jobs until ctx is cancelled, with Concurrency loops.
// It pauses PollInterval whenever there is nothing to do. On cancel, each
// loop finishes the job in hand (or stops it, if it is interruptible, and
// queues it again), hands back the rest of its batch, and Run returns.
func (w *Worker) Run(ctx context.Context) {
	w.running.Store(true)
	defer w.running.Store(false)
	w.lastOK.Store(time.Now().UnixNano())
	var wg sync.WaitGroup
	for i := 0; i < w.Config.Concurrency; i++ {
		id := w.Config.ID
		if w.Config.Concurrency > 1 {
			id += "-" + strconv.Itoa(i)
		}
		wg.Go(func() { w.loop(ctx, id) })
	}
	wg.Wait()
}

func (w *Worker) loop(ctx context.Context, id string) {
	for ctx.Err() == nil {
		n, err := w.runOnce(ctx, id)
		if err == nil {
			w.lastOK.Store(time.Now().UnixNano())
		}
		if err != nil && ctx.Err() == nil {
			w.Log.Error("worker: claim failed", "worker", id, "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		t := time.NewTimer(w.Config.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}

// Ready returns an error unless Run is running and has claimed jobs
// successfully within the last lease (a job in hand may take up to a lease;
// a loop that cannot reach its database stops being ready). /readyz asks it.
func (w *Worker) Ready() error {
	if !w.running.Load() {
		return errors.New("worker: not running")
	}
	if since := time.Since(time.Unix(0, w.lastOK.Load())); since > w.Config.Lease {
		return fmt.Errorf("worker: no successful claim for %s", since.Round(time.Second))
	}
	return nil
}

// noticeClockStep mends the queue (sqldb.RescheduleFutureJobs) on the
// worker's first round — the clock may have gone back while no worker ran
// — and whenever Now has gone back since the last round. Digests need no
// mending: each period's run has a unique key, so a clock set back never
// sends a day's digest twice, and one set forwards sends the latest due.
func (w *Worker) noticeClockStep(ctx context.Context) error {
	now := w.Now().UnixNano()
	prev := w.lastNow.Swap(now)
	if prev != 0 && now > prev-int64(clockStepBack) {
		return nil
	}
	n, err := w.DB.RescheduleFutureJobs(ctx)
	if err != nil {
		w.lastNow.Store(0) // try again next round
		return err
	}
	if n > 0 {
		w.Log.Warn("worker: the clock was set back; jobs queued before rescheduled as much earlier", "jobs", n)
	}
	return nil
}

// RunOnce schedules the periodic jobs that are due, claims one batch and
// runs it, and returns how many jobs it ran (successfully or not). A job
// that fails is retried later or marked failed; that is not an error of
// RunOnce.
func (w *Worker) RunOnce(ctx context.Context) (int, error) { return w.runOnce(ctx, w.Config.ID) }

func (w *Worker) runOnce(ctx context.Context, id string) (int, error) {
	if err := w.noticeClockStep(ctx); err != nil {
		return 0, err
	}
	if err := w.schedule(ctx); err != nil {
		return 0, err
	}
	jobs, err := w.DB.ClaimJobs(ctx, id, w.Config.Batch, w.Config.Lease)
	if err != nil {
		return 0, err
	}
	for i, j := range jobs {
		if ctx.Err() != nil {
			var rest []int64
			for _, r := range jobs[i:] {
				rest = append(rest, r.ID)
			}
			return i, w.DB.ReleaseJobs(context.WithoutCancel(ctx), id, rest)
		}
		// The job in hand is finished even if ctx is cancelled meanwhile,
		// unless it is one that may stop part way (interruptible).
		w.run(ctx, j)
	}
	return len(jobs), nil
}
