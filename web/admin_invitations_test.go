package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb/sqldbtest"
)

// TestResendInvitation: an admin finds a new colleague's pending
// invitation (from the inviter's admin page too) and emails it again: the
// email arrives over SMTP with the same link, which still works and still
// expires when it did; a second resend within the hour is refused with a
// message and sends nothing; each resend is audited.
func TestResendInvitation(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		member := e.MustAgent(t, "Mo Member", e.Council, e.LocalA)
		cl := e.MustClient(t, member, "Zebedee", "Quillfeather", "2012-07-08")
		const addr = "nia.newcomer@ashford.test"
		client := fmt.Sprintf("/clients/%d", cl.ID)
		e.signedIn(t, member).post(client+"/invitations", url.Values{"email": {addr}}).must(t, http.StatusSeeOther)
		first := e.deliver(t, addr)
		if len(first) != 1 {
			t.Fatalf("%d emails to the new colleague", len(first))
		}
		link := invitationIn(t, first[0])
		id := sqldbtest.MustCount(t, e.db, `SELECT id FROM invitations WHERE email = $1`, addr)
		expires := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM invitations WHERE email = $1 AND expires_at = $2`, addr,
			sqldbtest.ClockStart.Add(patchwork.InvitationTTL).UnixMicro())
		if expires != 1 {
			t.Fatal("the invitation does not expire after its TTL")
		}
		sys := e.MustSystemAdmin(t, "Sid System", e.Council)
		admin := e.signedIn(t, sys)
		resend := fmt.Sprintf("/admin/invitations/%d/resend", id)
		back := fmt.Sprintf("/admin/invitations?inviter=%d", member.ID)
		e.clk.Add(10 * time.Minute)
		runScenarios(t,
			scenario{name: "the inviter's page links their invitations", as: admin, path: fmt.Sprintf("/admin/agents/%d", member.ID),
				status: http.StatusOK, contains: []string{`href="` + back + `"`}},
			scenario{name: "listed", as: admin, path: back, status: http.StatusOK,
				contains:    []string{addr, member.Name, patchwork.ClientRef(cl.ID), `action="` + resend + `"`},
				notContains: []string{"Zebedee", "Quillfeather"}},
			scenario{name: "resend", as: admin, method: "POST", path: resend, form: url.Values{"back": {back}},
				status: http.StatusSeeOther, location: back},
			scenario{name: "the flash says so", as: admin, path: back, status: http.StatusOK,
				contains: []string{"emailed again, with the same link", "sent again"}},
			scenario{name: "again at once: refused", as: admin, method: "POST", path: resend, form: url.Values{"back": {back}},
				status: http.StatusTooManyRequests, contains: []string{"less than an hour ago", addr}},
		)
		again := e.deliver(t, addr)
		if len(again) != 2 {
			t.Fatalf("%d emails to the new colleague after one resend, want 2", len(again))
		}
		if got := invitationIn(t, again[1]); got != link {
			t.Errorf("the resent email links %s, the first %s: a second token", got, link)
		}
		noClientData(t, again[1])
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM invitations WHERE email = $1 AND expires_at = $2`, addr,
			sqldbtest.ClockStart.Add(patchwork.InvitationTTL).UnixMicro()); n != 1 {
			t.Error("resending moved the expiry")
		}
		if res := e.anonymous(t).get(link); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/signup/verify?token=") {
			t.Errorf("the link no longer starts the sign-up: %d %q", res.status, res.location)
		}
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditInvitationResend); n != 1 {
			t.Errorf("resend audit rows = %d, want 1", n)
		}
		// An hour on it may go again.
		e.clk.Add(time.Hour)
		admin = e.signedIn(t, sys) // the idle session timed out meanwhile
		admin.post(resend, nil).must(t, http.StatusSeeOther)
		if got := e.deliver(t, addr); len(got) != 3 {
			t.Errorf("%d emails after a resend an hour later, want 3", len(got))
		}
		// The export lists it, formula-safe like every export.
		csv := admin.get("/admin/invitations.csv?q=newcomer")
		csv.must(t, http.StatusOK, "id,invited,invitee_agent_id,inviter_id,inviter,client,sent,expires,resent",
			strconv.Itoa(id)+","+addr)
	})
}
