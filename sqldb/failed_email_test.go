package sqldb_test

import (
	"context"
	"fmt"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// mustFailedJob enqueues a job of kind with payload and fails it for good,
// as the worker does when the mail server refuses it, and returns its id.
func mustFailedJob(t *testing.T, db *sqldb.DB, kind, payload, reason string) int64 {
	t.Helper()
	ctx := context.Background()
	id, _, err := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: kind, Payload: payload, Priority: 100})
	if err != nil {
		t.Fatal(err)
	}
	jobs := claim(t, db, "w", 1)
	if len(jobs) != 1 || jobs[0].ID != id {
		t.Fatalf("claimed %+v, want job %d", jobs, id)
	}
	if failed, err := db.FailJob(ctx, jobs[0], fmt.Errorf("%s: %w", reason, patchwork.ErrPermanent)); err != nil || !failed {
		t.Fatalf("fail job %d: %v %v", id, failed, err)
	}
	return id
}

// TestEmailJobKinds: the kinds the domain names are the store's.
func TestEmailJobKinds(t *testing.T) {
	for got, want := range map[string]string{patchwork.JobKindNotificationEmail: sqldb.JobSendEmail,
		patchwork.JobKindAccountEmail: sqldb.JobAccountEmail, patchwork.JobKindInvitationEmail: sqldb.JobInvitationEmail,
		patchwork.JobKindSignupEmail: sqldb.JobSignupEmail} {
		if got != want {
			t.Errorf("domain kind %q, store kind %q", got, want)
		}
	}
}

// TestFailedEmails: system admins list failed emails (not other failed
// jobs) with the reason and the recipient, by kind and a page at a time;
// a retry queues an email once however often it is asked for, a discard
// makes it done and never claimed; each is audited; area admins and
// agents meet ENOTFOUND and change nothing.
func TestFailedEmails(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		ctx := context.Background()
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		area := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		agent := w.MustAgent(t, "Rita Recipient", w.Council, w.LocalA)
		jobs := sqldb.NewJobService(db)

		notice := mustFailedJob(t, db, sqldb.JobSendEmail, fmt.Sprintf(`{"agent_id":%d,"digest":"daily"}`, agent.ID),
			"smtp: 550 5.1.1 mailbox unavailable")
		account := mustFailedJob(t, db, sqldb.JobAccountEmail, fmt.Sprintf(`{"kind":"password_changed","agent_id":%d}`, agent.ID),
			"smtp: 554 rejected")
		other := mustFailedJob(t, db, sqldb.JobCleanup, "", "disk full")

		for _, who := range []context.Context{sqldbtest.As(area), sqldbtest.As(agent)} {
			if _, _, err := jobs.FindFailedEmails(who, patchwork.FailedEmailFilter{}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("list as a non-system admin: %v, want ENOTFOUND", err)
			}
			if _, err := jobs.RetryEmails(who, []int64{notice}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("retry as a non-system admin: %v, want ENOTFOUND", err)
			}
			if _, err := jobs.DiscardEmails(who, []int64{notice}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("discard as a non-system admin: %v, want ENOTFOUND", err)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE status = 'failed'`); n != 3 {
			t.Fatalf("refused calls changed the jobs: %d failed, want 3", n)
		}

		as := sqldbtest.As(sys)
		list, total, err := jobs.FindFailedEmails(as, patchwork.FailedEmailFilter{})
		if err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("list: %d of %d, %v; want the 2 emails and not the cleanup job", len(list), total, err)
		}
		byID := map[int64]*patchwork.FailedEmail{}
		for _, e := range list {
			byID[e.JobID] = e
		}
		if e := byID[notice]; e == nil || e.RecipientAgentID != agent.ID || e.RecipientName != agent.Name ||
			e.Subkind != "daily" || e.Attempts != 1 || e.Reason != "smtp: 550 5.1.1 mailbox unavailable: "+patchwork.ErrPermanent.Error() {
			t.Errorf("the notification email is listed as %+v", e)
		}
		if e := byID[account]; e == nil || e.Subkind != "password_changed" || e.RecipientEmail != agent.Email {
			t.Errorf("the account email is listed as %+v", e)
		}
		if got, n, _ := jobs.FindFailedEmails(as, patchwork.FailedEmailFilter{Kind: sqldb.JobAccountEmail}); n != 1 || got[0].JobID != account {
			t.Errorf("by kind: %d, want the account email", n)
		}
		p1, n, _ := jobs.FindFailedEmails(as, patchwork.FailedEmailFilter{PerPage: 1, Page: 1})
		p2, _, _ := jobs.FindFailedEmails(as, patchwork.FailedEmailFilter{PerPage: 1, Page: 2})
		if n != 2 || len(p1) != 1 || len(p2) != 1 || p1[0].JobID == p2[0].JobID {
			t.Errorf("pages of one: %v and %v of %d", p1, p2, n)
		}
		if got, _, _ := jobs.FindFailedEmails(as, patchwork.FailedEmailFilter{JobIDs: []int64{account, other}, PerPage: -1}); len(got) != 1 || got[0].JobID != account {
			t.Errorf("by ids: %v, want only the account email", got)
		}
		if got, _, _ := jobs.FindFailedEmails(as, patchwork.FailedEmailFilter{JobIDs: []int64{}}); len(got) != 0 {
			t.Errorf("no ids listed %d emails, want none", len(got))
		}

		// Retry: once, however often asked; not a job that is no email.
		if n, err := jobs.RetryEmails(as, []int64{notice, notice, other, 999999}); err != nil || n != 1 {
			t.Fatalf("retry: %d, %v; want 1", n, err)
		}
		if _, err := jobs.RetryEmails(as, []int64{notice}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("a second retry: %v, want ENOTFOUND", err)
		}
		if j, _ := db.FindJobByID(ctx, notice); j.Status != patchwork.JobQueued || j.Attempts != 0 {
			t.Errorf("retried job: %s, %d attempts", j.Status, j.Attempts)
		}
		if j, _ := db.FindJobByID(ctx, other); j.Status != patchwork.JobFailed {
			t.Errorf("the cleanup job was retried by the emails' retry: %s", j.Status)
		}

		// Discard: done, never claimed, never retried.
		if n, err := jobs.DiscardEmails(as, []int64{account}); err != nil || n != 1 {
			t.Fatalf("discard: %d, %v", n, err)
		}
		if _, err := jobs.RetryEmails(as, []int64{account}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("retry of a discarded email: %v, want ENOTFOUND", err)
		}
		if _, err := jobs.DiscardEmails(as, []int64{notice}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("discard of a queued email: %v, want ENOTFOUND", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE id = $1 AND status = 'done' AND discarded_at IS NOT NULL`, account); n != 1 {
			t.Error("the discarded job is not done and marked discarded")
		}
		claimed := claim(t, db, "w", 10)
		if len(claimed) != 1 || claimed[0].ID != notice {
			t.Errorf("claimed %v, want the retried email only", claimed)
		}

		for action, want := range map[string]int{patchwork.AuditEmailRetry: 1, patchwork.AuditEmailDiscard: 1} {
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`, action, sys.ID); n != want {
				t.Errorf("%s audit rows = %d, want %d", action, n, want)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditEmailList); n == 0 {
			t.Error("the list was not audited")
		}
	})
}

// TestDiscardHandlesNotifications: discarding a failed notification email
// marks its notifications handled, as sending it would have, so nothing
// else tells them later.
func TestDiscardHandlesNotifications(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		raiser := w.MustAgent(t, "Ray Raiser", w.Council, w.LocalA)
		other := w.MustAgent(t, "Ola Other", w.Council, w.LocalA)
		cl := w.MustClient(t, raiser, "Dee", "Discard", "01/02/2013")
		w.MustJoin(t, other, cl)
		if _, err := sqldb.NewAttentionService(db).RaiseAttention(sqldbtest.As(raiser), cl.ID,
			patchwork.AttentionInput{Category: "concern", Message: "x", Urgent: true}); err != nil {
			t.Fatal(err)
		}
		jobs := claim(t, db, "w", 10)
		var id int64
		for _, j := range jobs {
			if j.Kind == sqldb.JobSendEmail {
				id = j.ID
				if _, err := db.FailJob(context.Background(), j, patchwork.ErrPermanent); err != nil {
					t.Fatal(err)
				}
			}
		}
		if id == 0 {
			t.Fatalf("no email job among %v", jobs)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM notifications WHERE job_id = $1 AND handled_at IS NULL`, id); n == 0 {
			t.Fatal("the failed job has no pending notification")
		}
		if _, err := sqldb.NewJobService(db).DiscardEmails(sqldbtest.As(sys), []int64{id}); err != nil {
			t.Fatal(err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM notifications WHERE job_id = $1 AND handled_at IS NULL`, id); n != 0 {
			t.Errorf("%d notifications of the discarded email still pending", n)
		}
	})
}
