package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"patchwork"
	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

var secretOnPage = regexp.MustCompile(`id="two-factor-secret">([A-Z2-7]+)<`)
var recoveryOnPage = regexp.MustCompile(`<code>([a-z2-7]{5}-[a-z2-7]{5})</code>`)

// totpCode is the code an authenticator app shows for secret at t.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrol sets up two-factor sign-in through the security page as a
// signed-in browser would, and returns the secret read from the page and
// the recovery codes shown once. The clock moves on a step afterwards.
func enrol(t *testing.T, b *browser, clk *sqldbtest.Clock) (string, []string) {
	t.Helper()
	res := b.get("/settings/security")
	res.must(t, http.StatusOK, `name="code"`, `src="data:image/png;base64,`)
	m := secretOnPage.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no secret on the page:\n%s", res.body)
	}
	wrong := b.post("/settings/security", url.Values{"code": {"12345"}})
	wrong.must(t, http.StatusUnprocessableEntity, "Enter the 6-digit code")
	if fieldError(wrong.body, "code") == "" {
		t.Fatal("no message beside the code field")
	}
	ok := b.post("/settings/security", url.Values{"code": {totpCode(t, m[1], clk.Now())}})
	ok.must(t, http.StatusOK, "Save your recovery codes")
	var codes []string
	for _, c := range recoveryOnPage.FindAllStringSubmatch(ok.body, -1) {
		codes = append(codes, c[1])
	}
	if len(codes) != patchwork.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	clk.Add(30 * time.Second)
	return m[1], codes
}

// TestTwoFactorSignIn walks enrolment and the second step of signing in:
// the half-signed-in session reaches nothing, a wrong code is refused, a
// code works once, a recovery code works once.
func TestTwoFactorSignIn(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		sam := e.MustAgent(t, "Sam Second", e.Council, e.LocalA)
		cl := e.MustClient(t, sam, "Hattie", "Halfway", "04/05/2013")
		first := e.signedIn(t, sam)
		secret, codes := enrol(t, first, e.clk)
		first.get("/settings/security").must(t, http.StatusOK, "10 unused recovery codes")
		// A new sign-in now stops halfway.
		b := e.anonymous(t)
		res := b.post("/login", url.Values{"email": {sam.Email}, "password": {sqldbtest.Password}, "next": {"/clients/" + strconv.FormatInt(cl.ID, 10)}})
		if res.status != http.StatusSeeOther || res.location != "/login/two-factor" {
			t.Fatalf("password step: %d %q", res.status, res.location)
		}
		for _, path := range []string{"/", "/clients/" + strconv.FormatInt(cl.ID, 10), "/search?q=Hattie", "/settings/security", "/profile"} {
			got := b.get(path)
			if got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/login") || strings.Contains(got.body, "Halfway") {
				t.Errorf("half signed in, %s: %d %q", path, got.status, got.location)
			}
		}
		if got := b.post("/settings/security/reset", url.Values{"code": {codes[0]}}); got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/login") {
			t.Errorf("half signed in, reset: %d %q", got.status, got.location)
		}
		b.get("/login/two-factor").must(t, http.StatusOK, `name="code"`, `autocomplete="one-time-code"`)
		bad := b.post("/login/two-factor", url.Values{"code": {"000000"}})
		if totpCode(t, secret, e.clk.Now()) != "000000" {
			bad.must(t, http.StatusUnauthorized, "The code is not correct")
			if fieldError(bad.body, "code") == "" {
				t.Fatal("no message beside the code field")
			}
		}
		code := totpCode(t, secret, e.clk.Now())
		res = b.post("/login/two-factor", url.Values{"code": {code}})
		if res.status != http.StatusSeeOther || res.location != "/clients/"+strconv.FormatInt(cl.ID, 10) {
			t.Fatalf("code step: %d %q\n%s", res.status, res.location, res.body)
		}
		b.get(res.location).must(t, http.StatusOK, "Halfway")

		// The same code in another sign-in, within its 30 seconds: refused.
		replay := e.anonymous(t)
		replay.signIn(sam.Email, sqldbtest.Password)
		replay.post("/login/two-factor", url.Values{"code": {code}}).must(t, http.StatusUnauthorized)
		replay.signedOut("replayed code")

		// A recovery code signs in once, and says so.
		rec := e.anonymous(t)
		rec.signIn(sam.Email, sqldbtest.Password)
		res = rec.post("/login/two-factor", url.Values{"code": {strings.ToUpper(codes[0])}})
		if res.status != http.StatusSeeOther || res.location != "/settings/security" {
			t.Fatalf("recovery code: %d %q", res.status, res.location)
		}
		rec.get("/settings/security").must(t, http.StatusOK, "recovery code, which now no longer works", "9 unused recovery codes")
		again := e.anonymous(t)
		again.signIn(sam.Email, sqldbtest.Password)
		again.post("/login/two-factor", url.Values{"code": {codes[0]}}).must(t, http.StatusUnauthorized)

		// The half-signed-in state lasts five minutes.
		late := e.anonymous(t)
		late.signIn(sam.Email, sqldbtest.Password)
		e.clk.Add(6 * time.Minute)
		if got := late.post("/login/two-factor", url.Values{"code": {totpCode(t, secret, e.clk.Now())}}); got.status != http.StatusSeeOther || got.location != "/login" {
			t.Fatalf("late code: %d %q", got.status, got.location)
		}
		late.signedOut("late code")

		// Resetting with a recovery code turns two-factor sign-in off.
		rec.post("/settings/security/reset", url.Values{"code": {"nope"}}).must(t, http.StatusUnprocessableEntity)
		res = rec.post("/settings/security/reset", url.Values{"code": {codes[1]}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("reset: %d\n%s", res.status, res.body)
		}
		rec.get("/settings/security").must(t, http.StatusOK, "Two-factor sign-in has been reset", `id="two-factor-secret"`)
		msgs := e.deliver(t, sam.Email)
		var subjects []string
		for _, m := range msgs {
			subjects = append(subjects, m.Header("Subject"))
		}
		if !strings.Contains(strings.Join(subjects, "|"), "Two-factor sign-in was reset") {
			t.Fatalf("emails to Sam: %v", subjects)
		}
		// Password alone signs in again.
		e.anonymous(t).signIn(sam.Email, sqldbtest.Password)
	})
}

// TestTwoFactorCodeThrottle: wrong codes at the second step are counted in
// the database like wrong passwords.
func TestTwoFactorCodeThrottle(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		sam := e.MustAgent(t, "Sam Second", e.Council, e.LocalA)
		secret, _ := enrol(t, e.signedIn(t, sam), e.clk)
		// Wrong codes are throttled: the sixth attempt is
		// refused, right or not.
		th := e.anonymous(t)
		th.signIn(sam.Email, sqldbtest.Password)
		for range 5 {
			th.post("/login/two-factor", url.Values{"code": {"abcdefgh"}}).must(t, http.StatusUnauthorized)
		}
		th.post("/login/two-factor", url.Values{"code": {totpCode(t, secret, e.clk.Now())}}).must(t, http.StatusTooManyRequests, "Too many wrong codes")
		th.signedOut("throttled")
		told := false
		for _, m := range e.deliver(t, sam.Email) {
			told = told || m.Header("Subject") == "Someone has your Patchwork password"
		}
		if !told {
			t.Fatal("the owner was not told that wrong codes paused sign-in")
		}

	})
}

// TestAdminResetsTwoFactor: only an admin may reset another agent's second
// factor; it is audited and the owner is emailed, with no client data.
func TestAdminResetsTwoFactor(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		sam := e.MustAgent(t, "Sam Second", e.Council, e.LocalA)
		e.mustSecretClient(t, sam)
		kim := e.MustAgent(t, "Kim Colleague", e.Council, e.LocalA)
		admin := mustAdmin(t, e.env)
		enrol(t, e.signedIn(t, sam), e.clk)
		path := "/admin/agents/" + strconv.FormatInt(sam.ID, 10) + "/two-factor/reset"
		e.signedIn(t, kim).post(path, nil).must(t, http.StatusNotFound)
		if res := e.anonymous(t).post(path, nil); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
			t.Fatalf("signed-out reset: %d %q", res.status, res.location)
		}
		ad := e.signedIn(t, admin)
		ad.post("/admin/agents/999999/two-factor/reset", nil).must(t, http.StatusNotFound)
		res := ad.post(path, nil)
		if res.status != http.StatusSeeOther || res.location != "/admin/agents/"+strconv.FormatInt(sam.ID, 10) {
			t.Fatalf("admin reset: %d %q\n%s", res.status, res.location, res.body)
		}
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2 AND detail = $3`,
			patchwork.AuditTwoFactorAdminReset, admin.ID, "agent="+strconv.FormatInt(sam.ID, 10)); n != 1 {
			t.Fatalf("admin reset audited %d times", n)
		}
		found := false
		for _, m := range e.deliver(t, sam.Email) {
			noClientData(t, m)
			if m.Header("Subject") == "Two-factor sign-in was reset on your Patchwork account" {
				text, _ := textPart(t, m.Raw)
				found = strings.Contains(text, "by a Patchwork administrator") && strings.Contains(text, "/settings/security")
			}
		}
		if !found {
			t.Fatal("no reset email to Sam")
		}
		// Password alone signs Sam in again; a second reset finds nothing.
		again := e.anonymous(t)
		again.signIn(sam.Email, sqldbtest.Password)
		again.get("/").must(t, http.StatusOK)
		res = ad.post(path, nil)
		if res.status != http.StatusSeeOther {
			t.Fatalf("second reset: %d", res.status)
		}
		ad.get(res.location).must(t, http.StatusOK, "nothing to reset")
	})
}

// TestTwoFactorRequired: with --two-factor everyone, an agent without a
// second factor is sent to set one up after the password, and reaches
// nothing else until then.
func TestTwoFactorRequired(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		e := newEnvWith(t, db, app.Options{TwoFactor: patchwork.TwoFactorEveryone, Now: clk.Now, Terms: patchwork.NewTerms("Terms.", "v1")})
		sam := e.MustAgent(t, "Sam Second", e.Council, e.LocalA)
		cl := e.MustClient(t, sam, "Hattie", "Halfway", "04/05/2013")
		b := e.signedIn(t, sam)
		for _, path := range []string{"/", "/clients/" + strconv.FormatInt(cl.ID, 10), "/profile", "/settings/sessions"} {
			got := b.get(path)
			if got.status != http.StatusSeeOther || got.location != "/settings/security" || strings.Contains(got.body, "Halfway") {
				t.Errorf("before enrolling, %s: %d %q", path, got.status, got.location)
			}
		}
		b.get("/settings/security").must(t, http.StatusOK, "Your organisation requires two-factor sign-in")
		secret, _ := enrol(t, b, clk)
		// Then the terms of use, which were waiting.
		if res := b.get("/"); res.status != http.StatusSeeOther || res.location != "/terms" {
			t.Fatalf("after enrolling: %d %q", res.status, res.location)
		}
		if res := b.post("/terms", url.Values{"accept": {"yes"}}); res.status != http.StatusSeeOther || res.location != "/welcome" {
			t.Fatalf("accepting the terms: %d %q", res.status, res.location)
		}
		b.get("/").must(t, http.StatusOK)
		// The next sign-in asks for a code.
		n := e.anonymous(t)
		res := n.post("/login", url.Values{"email": {sam.Email}, "password": {sqldbtest.Password}})
		if res.location != "/login/two-factor" {
			t.Fatalf("sign-in after enrolling: %d %q", res.status, res.location)
		}
		n.get("/login/two-factor").must(t, http.StatusOK)
		res = n.post("/login/two-factor", url.Values{"code": {totpCode(t, secret, clk.Now())}})
		if res.status != http.StatusSeeOther || res.location != "/" {
			t.Fatalf("code: %d %q", res.status, res.location)
		}
		n.get("/clients/"+strconv.FormatInt(cl.ID, 10)).must(t, http.StatusOK, "Halfway")
	})
}
