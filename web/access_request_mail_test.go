package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestAccessRequestTellsAdmins: a new access request emails every active
// system admin a link to the requests, naming nobody and nothing of the
// request; area admins (who cannot decide requests) and a deactivated
// admin get nothing; a second request within the hour adds no email.
func TestAccessRequestTellsAdmins(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		sys := e.MustSystemAdmin(t, "Sid System", e.Council)
		area := e.MustAreaAdmin(t, "Nadia Northadmin", e.Council, e.District)
		gone := e.MustSystemAdmin(t, "Lee Leaver", e.Council)
		if err := sqldb.NewAdminService(e.db).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		request := func(addr string) {
			t.Helper()
			b := e.anonymous(t)
			token := tokenOf(t, signupLinkIn(t, e.signupEmail(t, b, addr)))
			b.post("/signup/access", url.Values{"token": {token}, "agency_name": {"Quillby Health Trust"},
				"manager_name": {"Morgan Lead"}, "manager_email": {"morgan@quillby.test"},
				"request_reason": {"I am a health visitor."}}).must(t, http.StatusOK, "Request sent")
		}
		request("rowan@quillby.test")
		msgs := e.deliver(t, sys.Email)
		if len(msgs) != 1 || msgs[0].Header("Subject") != "Access request waiting: Patchwork" {
			t.Fatalf("emails to the system admin = %v", subjects(msgs))
		}
		text, all := textPart(t, msgs[0].Raw)
		if !strings.Contains(text, e.srv.URL+"/admin/access-requests") {
			t.Errorf("the email does not link the requests:\n%s", text)
		}
		for _, secret := range []string{"rowan", "Quillby", "quillby", "Morgan", "health visitor"} {
			if strings.Contains(all, secret) {
				t.Errorf("the email to the admins carries %q", secret)
			}
		}
		noClientData(t, msgs[0])
		for _, a := range []string{area.Email, gone.Email} {
			if got := e.deliver(t, a); len(got) != 0 {
				t.Errorf("%s was told: %v", a, subjects(got))
			}
		}
		request("sky@quillby.test")
		if got := e.deliver(t, sys.Email); len(got) != 1 {
			t.Errorf("after a second request within the hour the admin has %d emails, want 1", len(got))
		}
	})
}
