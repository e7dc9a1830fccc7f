package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/mail/smtptest"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

var signupLink = regexp.MustCompile(`https?://[^\s"<>]+/signup/verify\?token=[A-Za-z0-9_-]+`)

// signupLinkIn returns the path and query of the sign-up link in a
// message's text.
func signupLinkIn(t *testing.T, m *smtptest.Message) string {
	t.Helper()
	text, _ := textPart(t, m.Raw)
	found := signupLink.FindString(text)
	if found == "" {
		t.Fatalf("no sign-up link in:\n%s", text)
	}
	u, err := url.Parse(found)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// tokenOf returns the token of a sign-up link.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

// signupEmail asks for a sign-up as b and returns the one email addr is
// sent.
func (e *mailEnv) signupEmail(t *testing.T, b *browser, addr string) *smtptest.Message {
	t.Helper()
	before := len(e.smtp.To(addr))
	b.post("/signup", url.Values{"email": {addr}}).must(t, http.StatusOK, "Check your email")
	msgs := e.deliver(t, addr)
	if len(msgs) != before+1 {
		t.Fatalf("emails to %s = %d, want %d", addr, len(msgs), before+1)
	}
	m := msgs[len(msgs)-1]
	noClientData(t, m)
	return m
}

// profileForm is a complete sign-up form for token and agency.
func (e *mailEnv) profileForm(token string, agencyID int64, pw string) url.Values {
	return url.Values{"token": {token}, "agency": {strconv.FormatInt(agencyID, 10)}, "name": {"Nia Newcomer"},
		"role": {"Family support worker"}, "mobile": {"07700 900555"}, "landline": {"020 7946 0555"},
		"preferred_contact": {"mobile"}, "working_hours": {"Mon–Wed"}, "areas": {strconv.FormatInt(e.LocalA.ID, 10)},
		"password": {pw}}
}

// TestSignup follows a sign-up from the sign-in page to the link in the
// email: the form refuses bad input beside each field, then creates an
// active agent in the only agency at the domain and signs them in; the link
// then no longer works.
func TestSignup(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		b := e.anonymous(t)
		b.get("/login").must(t, http.StatusOK, `href="/signup"`)
		b.get("/signup").must(t, http.StatusOK, `name="email"`, `action="/signup"`)
		addr := "nia.newcomer@ashford.test"
		m := e.signupEmail(t, b, addr)
		text, _ := textPart(t, m.Raw)
		if m.Header("Subject") != "Confirm your email address for Patchwork" || !strings.Contains(text, "Confirm and continue") {
			t.Fatalf("sign-up email %q:\n%s", m.Header("Subject"), text)
		}
		link := signupLinkIn(t, m)
		token := tokenOf(t, link)
		form := b.get(link)
		form.must(t, http.StatusOK, "Your details", addr, html.EscapeString(e.Council.Name), `name="password"`, `autocomplete="new-password"`,
			`name="name"`, `name="role"`, `name="sensitive_role"`, `name="generic_role"`, `name="mobile"`, `name="landline"`,
			`name="preferred_contact"`, `name="areas"`, `name="working_hours"`)
		if form.header.Get("Cache-Control") != "no-store" {
			t.Errorf("sign-up form Cache-Control = %q", form.header.Get("Cache-Control"))
		}
		// The password is the last field of the form.
		if i, j := strings.LastIndex(form.body, `name="password"`), strings.LastIndex(form.body, `name="working_hours"`); i < j {
			t.Errorf("the password is not the form's last field")
		}

		// Bad input: a message beside each field, what was typed kept, the
		// password never echoed, nothing created, the link still good.
		bad := e.profileForm(token, e.Council.ID, "short pw")
		bad.Set("name", "")
		bad.Set("role", "Social\x00worker")
		res := b.post("/signup/complete", bad)
		res.must(t, http.StatusUnprocessableEntity, "There is a problem", `value="07700 900555"`)
		for field, want := range map[string]string{"name": "Enter your name", "role": "cannot be saved", "password": "12 characters or more"} {
			if !strings.Contains(fieldError(res.body, field), want) {
				t.Errorf("no %q beside %s", want, field)
			}
		}
		if strings.Contains(res.body, "short pw") {
			t.Error("the password was echoed back")
		}
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM agents WHERE email = $1`, addr); n != 0 {
			t.Fatalf("a refused sign-up created %d agents", n)
		}

		res = b.post("/signup/complete", e.profileForm(token, e.Council.ID, newPassword))
		if res.status != http.StatusSeeOther || res.location != "/" {
			t.Fatalf("complete: %d %q\n%s", res.status, res.location, res.body)
		}
		b.get("/").must(t, http.StatusOK, "Welcome to Patchwork")
		b.get("/profile").must(t, http.StatusOK, `value="Nia Newcomer"`, `value="Family support worker"`, addr)
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM agents a JOIN agent_areas r ON r.agent_id = a.id
			WHERE a.email = $1 AND a.agency_id = $2 AND a.active = 1 AND r.area_id = $3 AND a.preferred_contact = 'mobile'`,
			addr, e.Council.ID, e.LocalA.ID); n != 1 {
			t.Fatalf("agents created as asked = %d, want 1", n)
		}
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id IS NOT NULL`,
			patchwork.AuditSignup); n != 1 {
			t.Errorf("sign-up audit rows = %d, want 1", n)
		}
		// The new agent signs in with the password chosen.
		e.anonymous(t).signIn(addr, newPassword)

		// The link is used up.
		b2 := e.anonymous(t)
		b2.get(link).must(t, http.StatusNotFound, "This link no longer works")
		b2.post("/signup/complete", e.profileForm(token, e.Council.ID, "another long password")).
			must(t, http.StatusNotFound, "This link no longer works")
	})
}

// TestSignupChooseAgency: at a domain several agencies share, the link
// leads first to the choice of agency; only those agencies can be chosen.
func TestSignupChooseAgency(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		agencies := sqldb.NewAgencyService(e.db)
		for _, g := range []*patchwork.Agency{e.Council, e.Sensitive} {
			if err := agencies.AddAgencyDomain(sqldbtest.System(), g.ID, "shared.test"); err != nil {
				t.Fatal(err)
			}
		}
		other := &patchwork.Agency{Name: "Elsewhere Council", Sector: "Other", EmailDomain: "elsewhere.test"}
		if err := agencies.CreateAgency(sqldbtest.System(), other); err != nil {
			t.Fatal(err)
		}
		b := e.anonymous(t)
		link := signupLinkIn(t, e.signupEmail(t, b, "sam.shared@shared.test"))
		token := tokenOf(t, link)
		choose := b.get(link)
		choose.must(t, http.StatusOK, "Choose your agency", html.EscapeString(e.Council.Name), e.Sensitive.Name, `name="agency"`)
		if strings.Contains(choose.body, other.Name) || strings.Contains(choose.body, `name="password"`) {
			t.Fatalf("the choice offers another domain's agency or asks for the password:\n%s", choose.body)
		}
		res := b.get(link + "&agency=" + strconv.FormatInt(other.ID, 10))
		res.must(t, http.StatusUnprocessableEntity, "Select the agency you work for")
		b.get(link+"&chosen=yes").must(t, http.StatusUnprocessableEntity, "There is a problem", "Select the agency you work for")
		b.get(link+"&agency="+strconv.FormatInt(e.Sensitive.ID, 10)).
			must(t, http.StatusOK, e.Sensitive.Name, `name="password"`, `value="`+strconv.FormatInt(e.Sensitive.ID, 10)+`"`)
		// A form sent with another agency is refused and creates nothing.
		b.post("/signup/complete", e.profileForm(token, other.ID, newPassword)).
			must(t, http.StatusUnprocessableEntity, "Select the agency you work for")
		b.post("/signup/complete", e.profileForm(token, e.Sensitive.ID, newPassword)).must(t, http.StatusSeeOther)
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM agents WHERE email = 'sam.shared@shared.test' AND agency_id = $1`,
			e.Sensitive.ID); n != 1 {
			t.Fatalf("agents in the chosen agency = %d", n)
		}
	})
}

// TestSignupSameAnswer: an address with an account, a deactivated
// account's, a new one at an approved domain and one at an unknown domain
// get the same status and bytes. The account's owner is told they have one
// (with sign-in and reset links), the two new addresses get links, the
// deactivated account nothing.
func TestSignupSameAnswer(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		sam := e.MustAgent(t, "Sam Known", e.Council, e.LocalA)
		gone := e.MustAgent(t, "Gil Gone", e.Council, e.LocalA)
		if err := sqldb.NewAgentService(e.db).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		addrs := []string{sam.Email, gone.Email, "new.person@ashford.test", "stranger@unknown.test"}
		var answers []response
		for _, addr := range addrs {
			answers = append(answers, e.anonymous(t).post("/signup", url.Values{"email": {addr}}))
		}
		for i, a := range answers[1:] {
			if a.status != answers[0].status || a.body != answers[0].body {
				t.Errorf("answer for %s differs from the known address's: %d vs %d\n%s\n---\n%s", addrs[i+1], a.status,
					answers[0].status, a.body, answers[0].body)
			}
		}
		if answers[0].status != http.StatusOK || strings.Contains(answers[0].body, sam.Email) {
			t.Fatalf("answer: %d\n%s", answers[0].status, answers[0].body)
		}
		msgs := e.deliver(t, sam.Email)
		if len(msgs) != 1 || msgs[0].Header("Subject") != "You already have a Patchwork account" {
			t.Fatalf("emails to the account's owner = %v", subjects(msgs))
		}
		text, _ := textPart(t, msgs[0].Raw)
		if !strings.Contains(text, "/login") || !strings.Contains(text, "/password/forgot") || signupLink.MatchString(text) {
			t.Errorf("the account email lacks sign-in and reset links, or offers a sign-up:\n%s", text)
		}
		if n := len(e.smtp.To(gone.Email)); n != 0 {
			t.Errorf("emails to the deactivated account = %d", n)
		}
		for _, addr := range addrs[2:] {
			msgs := e.smtp.To(addr)
			if len(msgs) != 1 || msgs[0].Header("Subject") != "Confirm your email address for Patchwork" {
				t.Errorf("emails to %s = %v", addr, subjects(msgs))
			}
		}
		if text, _ := textPart(t, e.smtp.To("stranger@unknown.test")[0].Raw); !strings.Contains(text, "ask for access") {
			t.Errorf("the unknown domain's email does not say it leads to an access request:\n%s", text)
		}
		// A malformed address is told so, beside the field, as typed.
		res := e.anonymous(t).post("/signup", url.Values{"email": {"sam at ashford"}})
		res.must(t, http.StatusUnprocessableEntity, `value="sam at ashford"`)
		if fieldError(res.body, "email") == "" {
			t.Errorf("no message beside the email field\n%s", res.body)
		}
	})
}

// TestSignupExpires: the link works for 24 hours, by the clock the store,
// web and worker share.
func TestSignupExpires(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		b := e.anonymous(t)
		link := signupLinkIn(t, e.signupEmail(t, b, "late.comer@ashford.test"))
		e.clk.Add(sqldb.SignupTTL - time.Minute)
		b.get(link).must(t, http.StatusOK, `name="password"`)
		e.clk.Add(2 * time.Minute)
		b.get(link).must(t, http.StatusNotFound, "This link no longer works")
		b.post("/signup/complete", e.profileForm(tokenOf(t, link), e.Council.ID, newPassword)).must(t, http.StatusNotFound)
		b.get("/signup/verify?token=made-up").must(t, http.StatusNotFound, "This link no longer works")
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM agents WHERE email = 'late.comer@ashford.test'`); n != 0 {
			t.Fatal("an expired link created an agent")
		}
	})
}

// TestSignupThrottle: one address is sent at most three emails an hour
// (the answer stays the same), and one network address may ask 20 times an
// hour, however many requests arrive together.
func TestSignupThrottle(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		addr := "flooded@ashford.test"
		for range 5 {
			e.anonymous(t).post("/signup", url.Values{"email": {addr}}).must(t, http.StatusOK, "Check your email")
		}
		if n := len(e.deliver(t, addr)); n != 3 {
			t.Fatalf("emails to one address = %d, want 3", n)
		}
		// 15 more from this network address may pass (20 in all), in
		// parallel; the rest are refused.
		var wg sync.WaitGroup
		statuses := make(chan int, 30)
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- e.anonymous(t).post("/signup", url.Values{"email": {"person" + strconv.Itoa(i) + "@ashford.test"}}).status
			}()
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		if count[http.StatusOK] != 15 || count[http.StatusTooManyRequests] != 15 {
			t.Fatalf("answers = %v, want 15 OK and 15 too many requests", count)
		}
		e.deliver(t, addr)
		if n := len(e.smtp.Messages()); n != 3+15 {
			t.Fatalf("emails in all = %d, want 18", n)
		}
		res := e.anonymous(t).post("/signup", url.Values{"email": {"one.more@ashford.test"}})
		res.must(t, http.StatusTooManyRequests, "Too many sign-up requests")
	})
}

// TestAccessRequest: an address at an unknown domain asks for access through
// its link; an admin approves it for an agency (adding the domain), the
// requester is emailed a link and signs up into that agency, and a
// colleague at the domain can then sign up directly. A second request is
// refused, and its requester told. Each decision is audited.
func TestAccessRequest(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		admin := &patchwork.Agent{Email: "admin@ashford.test", Name: "Ada Admin", AgencyID: e.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(e.db).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		member := e.MustAgent(t, "Mo Member", e.Council, e.LocalA)
		addr := "rowan@newtrust.test"
		b := e.anonymous(t)
		link := signupLinkIn(t, e.signupEmail(t, b, addr))
		token := tokenOf(t, link)
		b.get(link).must(t, http.StatusOK, "Ask for access", addr, `name="agency_name"`, `name="manager_name"`,
			`name="manager_email"`, `name="request_reason"`)
		req := url.Values{"token": {token}, "agency_name": {"New Trust Health"}, "manager_name": {"Morgan Lead"},
			"manager_email": {"morgan@newtrust.test"}, "request_reason": {"I am a health visitor."}}
		bad := url.Values{"token": {token}, "agency_name": {"New Trust Health"}, "manager_email": {"not an address"}}
		res := b.post("/signup/access", bad)
		res.must(t, http.StatusUnprocessableEntity, `value="New Trust Health"`)
		for _, f := range []string{"manager_name", "manager_email", "request_reason"} {
			if fieldError(res.body, f) == "" {
				t.Errorf("no message beside %s", f)
			}
		}
		b.post("/signup/access", req).must(t, http.StatusOK, "Request sent")
		b.get(link).must(t, http.StatusNotFound, "This link no longer works")
		b.post("/signup/access", req).must(t, http.StatusNotFound)

		// Only admins see the requests.
		e.signedIn(t, member).get("/admin/access-requests").must(t, http.StatusNotFound)
		e.anonymous(t).get("/admin/access-requests").must(t, http.StatusSeeOther)
		ab := e.signedIn(t, admin)
		list := ab.get("/admin/access-requests")
		list.must(t, http.StatusOK, addr, "New Trust Health", "Morgan Lead", "I am a health visitor.", "newtrust.test")
		read, _ := e.db.SQL()
		var id int64
		if err := read.QueryRow(`SELECT id FROM access_requests WHERE email = $1`, addr).Scan(&id); err != nil {
			t.Fatal(err)
		}
		path := "/admin/access-requests/" + strconv.FormatInt(id, 10)
		e.signedIn(t, member).post(path+"/approve", url.Values{"agency": {strconv.FormatInt(e.Council.ID, 10)}}).
			must(t, http.StatusNotFound)
		ab.post(path+"/approve", url.Values{"agency": {strconv.FormatInt(e.Council.ID, 10)}, "add_domain": {"yes"}}).
			must(t, http.StatusSeeOther)
		ab.post(path+"/refuse", nil).must(t, http.StatusNotFound) // decided once
		ab.get("/admin/access-requests").must(t, http.StatusOK, "Approved for "+html.EscapeString(e.Council.Name))

		msgs := e.deliver(t, addr)
		if len(msgs) != 2 || msgs[1].Header("Subject") != "Your request to use Patchwork was approved" {
			t.Fatalf("emails to the requester = %v", subjects(msgs))
		}
		noClientData(t, msgs[1])
		approved := signupLinkIn(t, msgs[1])
		b.get(approved).must(t, http.StatusOK, html.EscapeString(e.Council.Name), `name="password"`)
		b.post("/signup/complete", e.profileForm(tokenOf(t, approved), e.Council.ID, newPassword)).must(t, http.StatusSeeOther)
		b.get("/").must(t, http.StatusOK)
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM agents WHERE email = $1 AND agency_id = $2`, addr, e.Council.ID); n != 1 {
			t.Fatalf("approved requester's agents = %d", n)
		}
		// The domain now signs up directly.
		colleague := signupLinkIn(t, e.signupEmail(t, e.anonymous(t), "kit@newtrust.test"))
		e.anonymous(t).get(colleague).must(t, http.StatusOK, html.EscapeString(e.Council.Name), `name="password"`)

		// A refused request: the requester is told; nothing else is sent.
		other := "pat@nowhere.test"
		ob := e.anonymous(t)
		ol := signupLinkIn(t, e.signupEmail(t, ob, other))
		req.Set("token", tokenOf(t, ol))
		ob.post("/signup/access", req).must(t, http.StatusOK, "Request sent")
		if err := read.QueryRow(`SELECT id FROM access_requests WHERE email = $1`, other).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ab.post("/admin/access-requests/"+strconv.FormatInt(id, 10)+"/refuse", nil).must(t, http.StatusSeeOther)
		msgs = e.deliver(t, other)
		if len(msgs) != 2 || msgs[1].Header("Subject") != "Your request to use Patchwork was refused" {
			t.Fatalf("emails to the refused requester = %v", subjects(msgs))
		}
		if text, _ := textPart(t, msgs[1].Raw); signupLink.MatchString(text) {
			t.Errorf("the refusal carries a sign-up link:\n%s", text)
		}
		for action, want := range map[string]int{patchwork.AuditAccessApprove: 1, patchwork.AuditAccessRefuse: 1,
			patchwork.AuditAccessRequest: 2, patchwork.AuditAgencyDomain: 1} {
			if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, action); n != want {
				t.Errorf("%s audit rows = %d, want %d", action, n, want)
			}
		}
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`,
			patchwork.AuditAccessApprove, admin.ID); n != 1 {
			t.Errorf("the approval is not audited as the admin's")
		}
	})
}
