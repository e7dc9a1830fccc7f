package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// failedEmailsFixture raises an attention whose emails to the members in
// rejected the mail server refuses for good, and returns each one's
// failed job id by agent.
func failedEmailsFixture(t *testing.T, e *mailEnv, raiser *patchwork.Agent, cl *patchwork.Client, rejected ...*patchwork.Agent) map[int64]int64 {
	t.Helper()
	for _, a := range rejected {
		e.smtp.RejectRecipient(a.Email)
	}
	r := e.signedIn(t, raiser).post(fmt.Sprintf("/clients/%d/attentions", cl.ID),
		url.Values{"category": {"concern"}, "message": {"Moved school"}, "urgent": {"yes"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("raise an attention: %d\n%s", r.status, r.body)
	}
	jobs := map[int64]int64{}
	for _, a := range rejected {
		if got := e.deliver(t, a.Email); len(got) != 0 {
			t.Fatalf("the server accepted %d emails to a rejected address", len(got))
		}
		jobs[a.ID] = int64(sqldbtest.MustCount(t, e.db, `SELECT MIN(j.id) FROM jobs j JOIN notifications n ON n.job_id = j.id
			WHERE n.agent_id = $1 AND j.status = 'failed'`, a.ID))
		if jobs[a.ID] == 0 {
			t.Fatalf("no failed email to %s", a.Name)
		}
	}
	return jobs
}

// TestFailedEmailRetriedArrivesOnce: emails a real SMTP server refused
// are listed for a system admin with the server's reason and recipient,
// never the client; once the address is mended, a retried email arrives
// exactly once however often the retry is sent, and a discarded one never.
func TestFailedEmailRetriedArrivesOnce(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		raiser := e.MustAgent(t, "Rae Raiser", e.Council, e.LocalA)
		kept := e.MustAgent(t, "Kit Keptmail", e.Council, e.LocalA)
		dropped := e.MustAgent(t, "Dot Droppedmail", e.Council, e.LocalA)
		cl := e.MustClient(t, raiser, "Zebedee", "Quillfeather", "2012-07-08")
		e.MustJoin(t, kept, cl)
		e.MustJoin(t, dropped, cl)
		jobs := failedEmailsFixture(t, e, raiser, cl, kept, dropped)
		admin := e.signedIn(t, e.MustSystemAdmin(t, "Sid System", e.Council))

		list := admin.get("/admin/emails")
		list.must(t, http.StatusOK, "Failed emails", "550", "No such user here", kept.Name, dropped.Name,
			fmt.Sprintf(`action="/admin/emails/%d/retry"`, jobs[kept.ID]))
		for _, secret := range []string{"Zebedee", "Quillfeather", "Moved school"} {
			if strings.Contains(list.body, secret) {
				t.Errorf("the failed-emails page shows %q", secret)
			}
		}

		e.smtp.AcceptRecipient(kept.Email)
		e.smtp.AcceptRecipient(dropped.Email)
		retry := fmt.Sprintf("/admin/emails/%d/retry", jobs[kept.ID])
		runScenarios(t,
			scenario{name: "retry", as: admin, method: "POST", path: retry, status: http.StatusSeeOther, location: "/admin/emails"},
			scenario{name: "the flash says so", as: admin, path: "/admin/emails", status: http.StatusOK, contains: []string{"will be sent again"}},
			scenario{name: "a second retry finds nothing to retry", as: admin, method: "POST", path: retry, status: http.StatusNotFound},
			scenario{name: "discard", as: admin, method: "POST", path: fmt.Sprintf("/admin/emails/%d/discard", jobs[dropped.ID]),
				status: http.StatusSeeOther, location: "/admin/emails"},
			scenario{name: "a discarded email cannot be retried", as: admin, method: "POST",
				path: fmt.Sprintf("/admin/emails/%d/retry", jobs[dropped.ID]), status: http.StatusNotFound},
		)
		if got := e.deliver(t, kept.Email); len(got) != 1 {
			t.Fatalf("the retried email arrived %d times, want once", len(got))
		}
		if got := e.deliver(t, kept.Email); len(got) != 1 {
			t.Fatalf("after another run the retried email has arrived %d times, want once", len(got))
		}
		if got := e.deliver(t, dropped.Email); len(got) != 0 {
			t.Fatalf("the discarded email arrived %d times", len(got))
		}
		admin.get("/admin/emails").must(t, http.StatusOK, "No failed emails")
		for action, want := range map[string]int{patchwork.AuditEmailRetry: 1, patchwork.AuditEmailDiscard: 1} {
			if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, action); n != want {
				t.Errorf("%s audit rows = %d, want %d", action, n, want)
			}
		}
	})
}

// TestRetryAllShownAsksFirst: "send again all shown" shows the emails and
// changes nothing until confirmed; confirmed, each arrives once. "Discard
// all shown" likewise, and discards only the emails shown.
func TestRetryAllShownAsksFirst(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		raiser := e.MustAgent(t, "Rae Raiser", e.Council, e.LocalA)
		one := e.MustAgent(t, "Uno Firstmail", e.Council, e.LocalA)
		two := e.MustAgent(t, "Duo Secondmail", e.Council, e.LocalA)
		cl := e.MustClient(t, raiser, "Zebedee", "Quillfeather", "2012-07-08")
		e.MustJoin(t, one, cl)
		e.MustJoin(t, two, cl)
		jobs := failedEmailsFixture(t, e, raiser, cl, one, two)
		admin := e.signedIn(t, e.MustSystemAdmin(t, "Sid System", e.Council))
		ids := url.Values{"id": {strconv.FormatInt(jobs[one.ID], 10), strconv.FormatInt(jobs[two.ID], 10)}}
		failed := func() int {
			return sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM jobs WHERE status = 'failed'`)
		}

		admin.post("/admin/emails/retry", ids).must(t, http.StatusOK, "Send 2 emails again?", one.Name, two.Name,
			`name="confirm" value="yes"`)
		admin.post("/admin/emails/discard", ids).must(t, http.StatusOK, "Discard 2 emails?", "never sent")
		if n := failed(); n != 2 {
			t.Fatalf("asking changed something: %d failed, want 2", n)
		}
		e.smtp.AcceptRecipient(one.Email)
		e.smtp.AcceptRecipient(two.Email)
		confirmed := url.Values{"id": ids["id"], "confirm": {"yes"}}
		runScenarios(t,
			scenario{name: "confirmed", as: admin, method: "POST", path: "/admin/emails/retry", form: confirmed,
				status: http.StatusSeeOther, location: "/admin/emails"},
			scenario{name: "the flash counts them", as: admin, path: "/admin/emails", status: http.StatusOK,
				contains: []string{"2 emails will be sent again"}},
			scenario{name: "again: none waits", as: admin, method: "POST", path: "/admin/emails/retry", form: confirmed,
				status: http.StatusSeeOther, location: "/admin/emails"},
			scenario{name: "the flash says so", as: admin, path: "/admin/emails", status: http.StatusOK,
				contains: []string{"None of those emails is waiting any more"}},
		)
		for _, a := range []*patchwork.Agent{one, two} {
			if got := e.deliver(t, a.Email); len(got) != 1 {
				t.Errorf("%s got the retried email %d times, want once", a.Name, len(got))
			}
		}
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditEmailRetry); n != 2 {
			t.Errorf("retry audit rows = %d, want one per email", n)
		}
	})
}

// TestFailedEmailsClosed: an area admin meets the failed-emails pages as
// missing ones, and a deactivated system admin and a signed-out visitor
// are sent to sign in; nothing changes.
func TestFailedEmailsClosed(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		raiser := e.MustAgent(t, "Rae Raiser", e.Council, e.LocalA)
		member := e.MustAgent(t, "Mem Ber", e.Council, e.LocalA)
		cl := e.MustClient(t, raiser, "Zebedee", "Quillfeather", "2012-07-08")
		e.MustJoin(t, member, cl)
		job := failedEmailsFixture(t, e, raiser, cl, member)[member.ID]
		area := e.signedIn(t, e.MustAreaAdmin(t, "Nadia Northadmin", e.Council, e.District))
		leaver := e.MustSystemAdmin(t, "Lee Leaver", e.Council)
		gone := e.signedIn(t, leaver)
		if err := sqldb.NewAdminService(e.db).DeactivateAgent(sqldbtest.System(), leaver.ID); err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(job, 10)
		missing := area.get("/admin/no-such-page")
		for _, rq := range []struct{ method, path string }{{"GET", "/admin/emails"}, {"GET", "/admin/emails.csv"},
			{"POST", "/admin/emails/" + id + "/retry"}, {"POST", "/admin/emails/" + id + "/discard"},
			{"POST", "/admin/emails/retry"}, {"POST", "/admin/emails/discard"}} {
			send := func(b *browser) response {
				if rq.method == "POST" {
					return b.post(rq.path, url.Values{"id": {id}, "confirm": {"yes"}})
				}
				return b.get(rq.path)
			}
			if r := send(area); r.status != http.StatusNotFound || r.body != missing.body {
				t.Errorf("area admin: %s %s answered %d, want the missing page's 404", rq.method, rq.path, r.status)
			}
			for who, b := range map[string]*browser{"deactivated admin": gone, "signed out": e.anonymous(t)} {
				if r := send(b); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
					t.Errorf("%s: %s %s answered %d %q, want sign-in", who, rq.method, rq.path, r.status, r.location)
				}
			}
		}
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM jobs WHERE id = $1 AND status = 'failed'`, job); n != 1 {
			t.Error("a refused request changed the failed email")
		}
	})
}

// TestFailedEmailsExportIsFormulaSafe: the export holds the failed
// emails the filter selects, a reason a spreadsheet would run as a
// formula written as text.
func TestFailedEmailsExportIsFormulaSafe(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		evil := e.MustAgent(t, "=HYPERLINK(\"http://evil.example\")", e.Council, e.LocalA)
		raiser := e.MustAgent(t, "Rae Raiser", e.Council, e.LocalA)
		cl := e.MustClient(t, raiser, "Zebedee", "Quillfeather", "2012-07-08")
		e.MustJoin(t, evil, cl)
		job := failedEmailsFixture(t, e, raiser, cl, evil)[evil.ID]
		admin := e.signedIn(t, e.MustSystemAdmin(t, "Sid System", e.Council))
		r := admin.get("/admin/emails.csv?kind=send_email")
		r.must(t, http.StatusOK, "job,kind,about,recipient_agent_id,recipient,reason,attempts,failed_at",
			fmt.Sprintf("%d,send_email,", job), `'=HYPERLINK(`)
		if strings.Contains(r.body, "Zebedee") {
			t.Error("the export names the client")
		}
		if r := admin.get("/admin/emails.csv?kind=account_email"); strings.Contains(r.body, "send_email") {
			t.Errorf("the kind filter let another kind through:\n%s", r.body)
		}
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditEmailExport); n != 2 {
			t.Errorf("export audit rows = %d, want 2", n)
		}
	})
}
