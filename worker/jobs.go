package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"patchwork"
	"patchwork/mail"
	"patchwork/sqldb"
)

// doneJobsKept is how long finished jobs stay in the table (for support)
// before cleanup deletes them. Failed jobs stay until retried.
const doneJobsKept = 30 * 24 * time.Hour

// interruptible lists the kinds of job that may take minutes and can stop
// part way and run again from the start without harm: they are given the
// worker's own context, so that a worker told to stop (a graceful
// shutdown) does not wait for them. One that stops so is handed back to the
// queue, its attempt uncounted, for the next worker to run at once.
// Every other job in hand is finished even while the worker stops.
var interruptible = map[string]bool{
	sqldb.JobDuplicateScan: true, // writes its pairs idempotently, in batches
}

// run runs one claimed job and records a failure for retry; ctx is
// cancelled when the worker stops. Logs carry ids and kinds only, never a
// recipient's address or a client's data.
func (w *Worker) run(ctx context.Context, j *patchwork.Job) {
	stopping := ctx
	if !interruptible[j.Kind] {
		ctx = context.WithoutCancel(ctx)
	}
	var err error
	defer func() {
		// A job that panics fails like any other instead of taking the
		// server down with it; it is retried, then marked failed.
		if p := recover(); p != nil {
			w.fail(context.WithoutCancel(ctx), j, fmt.Errorf("worker: panic: %v", p))
		}
	}()
	switch j.Kind {
	case sqldb.JobSendEmail:
		err = w.sendEmail(ctx, j)
	case sqldb.JobDigest:
		err = w.digest(ctx, j)
	case sqldb.JobCleanup:
		err = w.cleanup(ctx, j)
	case sqldb.JobAccountEmail:
		err = w.sendAccountEmail(ctx, j)
	case sqldb.JobVacuum:
		err = w.vacuumAfterErasure(ctx, j)
	case sqldb.JobInvitationEmail:
		err = w.sendInvitationEmail(ctx, j)
	case sqldb.JobStats:
		err = w.rebuildStats(ctx, j)
	case sqldb.JobAuditVerify:
		err = w.auditVerify(ctx, j)
	case sqldb.JobRetention:
		err = w.retention(ctx, j)
	case sqldb.JobUnusualAccess:
		err = w.unusualAccess(ctx, j)
	case sqldb.JobInactivity:
		err = w.inactivity(ctx, j)
	case sqldb.JobDuplicateScan:
		err = w.scanDuplicates(ctx, j)
	case sqldb.JobSignupEmail:
		err = w.sendSignupEmail(ctx, j)
	default:
		err = fmt.Errorf("worker: unknown job kind %q", j.Kind)
	}
	if err != nil && interruptible[j.Kind] && stopping.Err() != nil {
		w.handBack(context.WithoutCancel(ctx), j)
		return
	}
	if err != nil {
		w.fail(context.WithoutCancel(ctx), j, err)
	}
}

// handBack returns an interruptible job stopped by the worker's stop to
// the queue as it was before this attempt: not failed, not retried after a
// backoff, but due at once. Should that fail too, the job's lock expires
// and it is claimed again then.
func (w *Worker) handBack(ctx context.Context, j *patchwork.Job) {
	if err := w.DB.ReleaseJobs(ctx, j.LockedBy, []int64{j.ID}); err != nil {
		w.Log.Error("worker: hand back a stopped job", "job", j.ID, "kind", j.Kind, "err", err)
		return
	}
	w.Log.Info("worker: job stopped by the worker's stop, queued again", "job", j.ID, "kind", j.Kind)
}

// fail records a failed attempt of j.
func (w *Worker) fail(ctx context.Context, j *patchwork.Job, err error) {
	failed, ferr := w.DB.FailJob(ctx, j, err)
	if ferr != nil {
		// The lock will expire and the job will be claimed again.
		w.Log.Error("worker: record failure", "job", j.ID, "err", ferr)
		return
	}
	if failed {
		w.Log.Error("worker: job failed for good", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", err)
	} else {
		w.Log.Warn("worker: job will be retried", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts,
			"retry_in", sqldb.Backoff(j.Attempts).String(), "err", err)
	}
}

// emailPayload is the payload of a send_email job.
type emailPayload struct {
	AgentID int64  `json:"agent_id"`
	Digest  string `json:"digest,omitempty"` // daily or weekly; "" for an email sent at once
	Period  string `json:"period,omitempty"`
	Cutoff  int64  `json:"cutoff,omitempty"` // unix microseconds
}

// messageID is the Message-ID of the email sent by job jobID: the same on
// every attempt, so at most one copy repeats and mail systems see one
// message.
func (w *Worker) messageID(jobID int64) string {
	return fmt.Sprintf("patchwork.job-%d@%s", jobID, w.Config.MessageIDDomain)
}

// sendEmail tells one agent about the notifications linked to the job: it
// builds the email from the database as of now, sends it, then marks the job
// done and the notifications handled in one transaction. A crash between the
// send and that transaction sends the email again after the lock expires,
// with the same Message-ID — at least once, never lost.
func (w *Worker) sendEmail(ctx context.Context, j *patchwork.Job) error {
	var p emailPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return fmt.Errorf("worker: email payload: %w", err)
	}
	if p.Digest != "" {
		if err := w.DB.LinkDigestNotifications(ctx, j.ID, p.AgentID, p.Digest, time.UnixMicro(p.Cutoff)); err != nil {
			return err
		}
	}
	e, err := w.DB.LoadNotificationEmail(ctx, j.ID)
	if err != nil {
		return err
	}
	// A digest also asks about the agent's memberships due for review.
	var reviews *sqldb.ReviewDigest
	if p.Digest != "" {
		if reviews, err = w.DB.LoadReviewDigest(ctx, p.AgentID, p.Digest); err != nil {
			return err
		}
	}
	if len(e.Items) > 0 || reviews != nil {
		n := &mail.Notice{To: e.AgentEmail, RecipientName: e.AgentName, Digest: e.Digest}
		if reviews != nil {
			n.To, n.RecipientName, n.Digest, n.Reviews = reviews.AgentEmail, reviews.AgentName, p.Digest, reviews.ClientIDs
			e.AgentID = p.AgentID
		}
		for _, it := range e.Items {
			ni := mail.NoticeItem{Kind: it.Kind, ClientID: it.ClientID, ActorName: it.ActorName,
				Urgent: it.Urgent, At: it.At, HasMessage: it.HasMessage}
			if it.InvitationNonce != "" {
				ni.InvitationToken = sqldb.InvitationToken(w.Config.Secret, it.InvitationNonce)
			}
			n.Items = append(n.Items, ni)
		}
		token := patchwork.SignUnsubscribeToken(w.Config.Secret, e.AgentID, n.Kinds(), j.CreatedAt)
		n.UnsubscribeURL = w.Renderer.UnsubscribeURL(token)
		m, err := w.Renderer.Render(n)
		if err != nil {
			return err
		}
		m.ID, m.JobID, m.Date = w.messageID(j.ID), j.ID, w.Now()
		if err := w.Sender.Send(ctx, m); err != nil {
			return err
		}
	}
	if _, err := w.DB.CompleteEmailJob(ctx, j.ID); err != nil {
		return err
	}
	w.Log.Info("worker: email job done", "job", j.ID, "agent", e.AgentID, "items", len(e.Items),
		"dropped", e.Dropped, "digest", e.Digest)
	return nil
}

// digestPayload is the payload of a digest job.
type digestPayload struct {
	Mode   string `json:"mode"`
	Period string `json:"period"`
	Cutoff int64  `json:"cutoff"` // unix microseconds
}

// digest runs one period's digest: one send_email job per agent with
// something to tell.
func (w *Worker) digest(ctx context.Context, j *patchwork.Job) error {
	var p digestPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return fmt.Errorf("worker: digest payload: %w", err)
	}
	n, err := w.DB.RunDigest(ctx, j.ID, p.Mode, p.Period, time.UnixMicro(p.Cutoff))
	if err != nil {
		return err
	}
	w.Log.Info("worker: digest run", "job", j.ID, "mode", p.Mode, "period", p.Period, "emails", n)
	return nil
}

// cleanup deletes expired sessions, old finished jobs, the search counts,
// team joins and sign-in counts older than the limits need and reset links
// expired a day ago, marks invitations past their time expired, and releases the expired locks of stopped workers.
func (w *Worker) cleanup(ctx context.Context, j *patchwork.Job) error {
	sessions, err := sqldb.NewSessionStore(w.DB).DeleteExpired(ctx)
	if err != nil {
		return err
	}
	requeued, failed, err := w.DB.RequeueExpiredJobs(ctx)
	if err != nil {
		return err
	}
	purged, err := w.DB.PurgeJobs(ctx, w.Now().Add(-doneJobsKept))
	if err != nil {
		return err
	}
	searches, err := w.DB.PurgeSearchCounts(ctx)
	if err != nil {
		return err
	}
	joins, err := w.DB.PurgeTeamJoins(ctx)
	if err != nil {
		return err
	}
	logins, err := w.DB.PurgeLoginAttempts(ctx)
	if err != nil {
		return err
	}
	resets, err := w.DB.PurgePasswordResets(ctx)
	if err != nil {
		return err
	}
	invitations, err := w.DB.ExpireInvitations(ctx)
	if err != nil {
		return err
	}
	signups, err := w.DB.PurgeSignups(ctx)
	if err != nil {
		return err
	}
	if err := w.DB.RefreshStatistics(ctx); err != nil {
		return err
	}
	w.Log.Info("worker: cleanup", "sessions_deleted", sessions, "jobs_requeued", requeued, "jobs_failed", failed,
		"jobs_purged", purged, "search_counts_deleted", searches, "team_joins_deleted", joins,
		"login_counts_deleted", logins, "password_resets_deleted", resets, "invitations_expired", invitations,
		"signups_deleted", signups)
	return w.DB.CompleteJob(ctx, j.ID)
}

// Slots returns the latest due time of each periodic job at now: the daily
// digest (today's DigestHour, or yesterday's before it), the weekly digest
// (the latest WeeklyDay at DigestHour) and the hourly cleanup, each with the
// unique key that makes it happen once however many instances schedule it.
func (w *Worker) Slots(now time.Time) []sqldb.JobSpec {
	loc, h := w.Config.Location, w.Config.DigestHour
	t := now.In(loc)
	daily := time.Date(t.Year(), t.Month(), t.Day(), h, 0, 0, 0, loc)
	for daily.After(t) {
		daily = time.Date(daily.Year(), daily.Month(), daily.Day()-1, h, 0, 0, 0, loc)
	}
	weekly := daily
	for weekly.Weekday() != w.Config.WeeklyDay {
		weekly = time.Date(weekly.Year(), weekly.Month(), weekly.Day()-1, h, 0, 0, 0, loc)
	}
	digest := func(mode string, at time.Time) sqldb.JobSpec {
		period := at.Format(time.DateOnly)
		payload, _ := json.Marshal(digestPayload{Mode: mode, Period: period, Cutoff: at.UnixMicro()})
		return sqldb.JobSpec{Kind: sqldb.JobDigest, Payload: string(payload), UniqueKey: sqldb.DigestKey(mode, period),
			Priority: sqldb.PriorityNormal, RunAt: at}
	}
	hour := now.UTC().Truncate(time.Hour)
	return []sqldb.JobSpec{
		digest(patchwork.NotifyDaily, daily),
		digest(patchwork.NotifyWeekly, weekly),
		{Kind: sqldb.JobCleanup, UniqueKey: "cleanup:" + hour.Format("2006-01-02T15"), Priority: sqldb.PriorityNormal,
			RunAt: hour},
		sqldb.StatsJob(now),
		sqldb.AuditVerifyJob(now),
		sqldb.RetentionJob(now),
		sqldb.UnusualAccessJob(now),
		sqldb.InactivityJob(now),
		// The duplicates queue is refreshed once a night.
		{Kind: sqldb.JobDuplicateScan, UniqueKey: "duplicates:" + daily.Format(time.DateOnly), Priority: sqldb.PriorityNormal,
			RunAt: daily},
	}
}

// schedule enqueues the periodic jobs that are due. Each instance tries
// once per slot (remembered in memory only to save writes); the unique keys
// in the database make all but the first attempt a no-op, across instances
// and restarts. A slot missed while every instance was down runs late, and
// its digest carries everything since the last one.
func (w *Worker) schedule(ctx context.Context) error {
	for _, s := range w.Slots(w.Now()) {
		series := s.UniqueKey[:strings.LastIndex(s.UniqueKey, ":")] // digest:daily, digest:weekly, cleanup, duplicates
		w.mu.Lock()
		seen := w.scheduled[series] == s.UniqueKey
		w.mu.Unlock()
		if seen {
			continue
		}
		if _, _, err := w.DB.EnqueueJob(ctx, s); err != nil {
			return err
		}
		w.mu.Lock()
		w.scheduled[series] = s.UniqueKey
		w.mu.Unlock()
	}
	return nil
}

// scanDuplicates refreshes the duplicates queue across the whole network,
// as the system: the nightly job is the deployment's own, and one an admin
// asked for (QueueDuplicateScan) scans what the nightly one does. It stops
// when ctx is cancelled (interruptible): what it wrote by then stays, and
// the next run adds the rest.
func (w *Worker) scanDuplicates(ctx context.Context, j *patchwork.Job) error {
	n, err := sqldb.NewMergeService(w.DB).ScanDuplicates(patchwork.NewSystemContext(ctx))
	if err != nil {
		return err
	}
	w.Log.Info("worker: duplicate scan", "job", j.ID, "pairs_added", n)
	// The scan is whole: a stop now must not run it again.
	return w.DB.CompleteJob(context.WithoutCancel(ctx), j.ID)
}

// vacuumAfterErasure removes what an erasure left in the database files:
// SQLite's write-ahead log, PostgreSQL's old row versions.
func (w *Worker) vacuumAfterErasure(ctx context.Context, j *patchwork.Job) error {
	if err := w.DB.VacuumAfterErasure(ctx); err != nil {
		return err
	}
	w.Log.Info("worker: vacuum after erasure", "job", j.ID)
	return w.DB.CompleteJob(ctx, j.ID)
}

// rebuildStats recomputes the network statistics.
func (w *Worker) rebuildStats(ctx context.Context, j *patchwork.Job) error {
	if err := w.DB.RebuildStats(ctx); err != nil {
		return err
	}
	w.Log.Info("worker: statistics rebuilt", "job", j.ID)
	return w.DB.CompleteJob(ctx, j.ID)
}
