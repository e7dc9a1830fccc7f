package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"patchwork/mail/smtptest"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

const newPassword = "lantern marigold tractor"

// TestPasswordReset follows a reset from the sign-in page to the link in the
// email and back: the link sets a new password once, a second browser signed
// in meanwhile is signed out, and the owner is told the password changed.
func TestPasswordReset(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		sam := e.MustAgent(t, "Sam Reset", e.Council, e.LocalA)
		e.mustSecretClient(t, sam)
		elsewhere := e.signedIn(t, sam)
		b := e.anonymous(t)
		b.get("/login").must(t, http.StatusOK, `href="/password/forgot"`, "Forgotten your password?")
		b.get("/password/forgot").must(t, http.StatusOK, `name="email"`)
		b.post("/password/forgot", url.Values{"email": {sam.Email}}).must(t, http.StatusOK, "Check your email")

		msgs := e.deliver(t, sam.Email)
		if len(msgs) != 1 {
			t.Fatalf("emails to %s = %d, want 1", sam.Email, len(msgs))
		}
		m := msgs[0]
		noClientData(t, m)
		text, _ := textPart(t, m.Raw)
		if m.Header("Subject") != "Reset your Patchwork password" || !strings.Contains(text, "did not ask") ||
			!strings.Contains(text, "ignore this email") {
			t.Fatalf("reset email:\n%s", text)
		}
		link := linkIn(t, m)
		form := b.get(link)
		form.must(t, http.StatusOK, `name="password"`, `type="password"`, `autocomplete="new-password"`)
		token, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
		post := func(pw string) response {
			return b.post("/password/reset", url.Values{"token": {token.Get("token")}, "password": {pw}})
		}

		// Refused passwords: the reason beside the field, the password
		// never echoed, the link still good.
		for pw, want := range map[string]string{"short pw": "12 characters or more", "Qwerty123456": "too common"} {
			res := post(pw)
			res.must(t, http.StatusUnprocessableEntity)
			if !strings.Contains(fieldError(res.body, "password"), want) {
				t.Errorf("password %q: no %q beside the field\n%s", pw, want, res.body)
			}
			if strings.Contains(res.body, pw) {
				t.Errorf("password %q echoed back", pw)
			}
		}
		post(newPassword).must(t, http.StatusOK, "Your password has been changed", `href="/login"`)

		// The link is used up.
		b.get(link).must(t, http.StatusNotFound, "This link no longer works")
		post("another long password").must(t, http.StatusNotFound, "This link no longer works")

		// Every session ended; the new password works, the old one not.
		elsewhere.signedOut("after a reset")
		e.anonymous(t).post("/login", url.Values{"email": {sam.Email}, "password": {sqldbtest.Password}}).
			must(t, http.StatusUnauthorized)
		e.anonymous(t).signIn(sam.Email, newPassword)

		msgs = e.deliver(t, sam.Email)
		if len(msgs) != 2 || msgs[1].Header("Subject") != "Your Patchwork password was changed" {
			t.Fatalf("after the reset, emails = %v", subjects(msgs))
		}
		noClientData(t, msgs[1])
	})
}

func subjects(msgs []*smtptest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Header("Subject"))
	}
	return out
}

// TestPasswordResetExpires: the link works for an hour, by the clock the
// store, web and worker share.
func TestPasswordResetExpires(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		sam := e.MustAgent(t, "Sam Late", e.Council, e.LocalA)
		b := e.anonymous(t)
		b.post("/password/forgot", url.Values{"email": {sam.Email}}).must(t, http.StatusOK)
		msgs := e.deliver(t, sam.Email)
		if len(msgs) != 1 {
			t.Fatalf("emails = %d", len(msgs))
		}
		link := linkIn(t, msgs[0])
		e.clk.Add(sqldb.ResetTTL - time.Minute)
		b.get(link).must(t, http.StatusOK, `name="password"`)
		e.clk.Add(2 * time.Minute)
		b.get(link).must(t, http.StatusNotFound, "This link no longer works")
		token, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
		b.post("/password/reset", url.Values{"token": {token.Get("token")}, "password": {newPassword}}).
			must(t, http.StatusNotFound)
		e.anonymous(t).signIn(sam.Email, sqldbtest.Password)
	})
}

// TestForgotPasswordSameAnswer: a known address, an unknown one and a
// deactivated agent's get the same status and the same bytes; only the
// active agent is emailed.
func TestForgotPasswordSameAnswer(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		sam := e.MustAgent(t, "Sam Known", e.Council, e.LocalA)
		gone := e.MustAgent(t, "Gil Gone", e.Council, e.LocalA)
		if err := sqldb.NewAgentService(e.db).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		var answers []response
		for _, addr := range []string{sam.Email, "nobody@ashford.test", gone.Email} {
			answers = append(answers, e.anonymous(t).post("/password/forgot", url.Values{"email": {addr}}))
		}
		for i, a := range answers[1:] {
			if a.status != answers[0].status || a.body != answers[0].body {
				t.Errorf("answer %d differs from the known address's: %d vs %d\n%s\n---\n%s", i+1, a.status,
					answers[0].status, a.body, answers[0].body)
			}
		}
		if answers[0].status != http.StatusOK || strings.Contains(answers[0].body, sam.Email) {
			t.Fatalf("answer: %d\n%s", answers[0].status, answers[0].body)
		}
		if n := len(e.deliver(t, sam.Email)); n != 1 {
			t.Errorf("emails to the known address = %d", n)
		}
		if n := len(e.smtp.Messages()); n != 1 {
			t.Errorf("emails in all = %d, want only the known address's", n)
		}
		// A malformed address is told so, beside the field, as typed.
		res := e.anonymous(t).post("/password/forgot", url.Values{"email": {"sam at ashford"}})
		res.must(t, http.StatusUnprocessableEntity, `value="sam at ashford"`)
		if fieldError(res.body, "email") == "" {
			t.Errorf("no message beside the email field\n%s", res.body)
		}
	})
}

// TestChangePassword: the signed-in agent changes their password with their
// current one; every other session ends, this one stays, and they are told.
func TestChangePassword(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		sam := e.MustAgent(t, "Sam Change", e.Council, e.LocalA)
		e.mustSecretClient(t, sam)
		here, elsewhere := e.signedIn(t, sam), e.signedIn(t, sam)
		here.get("/profile").must(t, http.StatusOK, `href="/settings/password"`, `href="/settings/sessions"`)
		here.get("/settings/password").must(t, http.StatusOK, `name="current_password"`, `name="password"`,
			`autocomplete="current-password"`, `autocomplete="new-password"`)
		change := func(current, pw string) response {
			return here.post("/settings/password", url.Values{"current_password": {current}, "password": {pw}})
		}
		for _, tc := range []struct{ current, pw, field, want string }{
			{"not my password", newPassword, "current_password", "not correct"},
			{sqldbtest.Password, "too short", "password", "12 characters or more"},
			{sqldbtest.Password, "password12345", "password", "too common"},
		} {
			res := change(tc.current, tc.pw)
			res.must(t, http.StatusUnprocessableEntity)
			if !strings.Contains(fieldError(res.body, tc.field), tc.want) {
				t.Errorf("%q/%q: no %q beside %s\n%s", tc.current, tc.pw, tc.want, tc.field, res.body)
			}
			if strings.Contains(res.body, tc.current) || strings.Contains(res.body, tc.pw) {
				t.Errorf("%q/%q: a password was echoed back", tc.current, tc.pw)
			}
		}
		res := change(sqldbtest.Password, newPassword)
		if res.status != http.StatusSeeOther || res.location != "/settings/sessions" {
			t.Fatalf("change: %d %q\n%s", res.status, res.location, res.body)
		}
		here.get("/settings/sessions").must(t, http.StatusOK, "Your password has been changed", "This session")
		elsewhere.signedOut("after a password change")
		e.anonymous(t).signIn(sam.Email, newPassword)
		msgs := e.deliver(t, sam.Email)
		if len(msgs) != 1 || msgs[0].Header("Subject") != "Your Patchwork password was changed" {
			t.Fatalf("emails = %v", subjects(msgs))
		}
		noClientData(t, msgs[0])
	})
}

// TestLockoutEmail: repeated wrong passwords pause sign-in and tell the
// owner, once for the whole lockout.
func TestLockoutEmail(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		sam := e.MustAgent(t, "Sam Locked", e.Council, e.LocalA)
		e.mustSecretClient(t, sam)
		b := e.anonymous(t)
		for range 8 {
			b.post("/login", url.Values{"email": {sam.Email}, "password": {"wrong password"}})
		}
		b.post("/login", url.Values{"email": {sam.Email}, "password": {sqldbtest.Password}}).
			must(t, http.StatusTooManyRequests)
		msgs := e.deliver(t, sam.Email)
		if len(msgs) != 1 || msgs[0].Header("Subject") != "Sign-in to your Patchwork account was paused" {
			t.Fatalf("emails = %v, want one lockout email", subjects(msgs))
		}
		noClientData(t, msgs[0])
		if text, _ := textPart(t, msgs[0].Raw); !strings.Contains(text, "/password/forgot") {
			t.Errorf("lockout email offers no reset:\n%s", text)
		}
	})
}
