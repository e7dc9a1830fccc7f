package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/mail/smtptest"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

var invitationLink = regexp.MustCompile(`https?://[^\s"<>]+/invitations/[A-Za-z0-9_-]+`)

// invitationIn returns the path of the invitation link in a message's text.
func invitationIn(t *testing.T, m *smtptest.Message) string {
	t.Helper()
	text, _ := textPart(t, m.Raw)
	found := invitationLink.FindString(text)
	if found == "" {
		t.Fatalf("no invitation link in:\n%s", text)
	}
	u, err := url.Parse(found)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// secretInvitationMessage is an inviter's message: it must stay in
// Patchwork, out of every email.
const secretInvitationMessage = "Ring me before the strategy meeting"

// mustSecretClientID puts the client with the secret data on a's team and
// returns its id.
func (e *mailEnv) mustSecretClientID(t *testing.T, a *patchwork.Agent) int64 {
	t.Helper()
	return e.MustCreateClient(t, a, &patchwork.Client{FirstName: "Zebedee", LastName: "Quixote-Vantablack",
		DateOfBirth: "03/02/2011", Address: "17 Marigold Crescent", Phone: "07999 314159"}).ID
}

// TestInvitationJourney: a member finds a colleague by name, invites them
// with a message; the colleague's email links to the invitation and carries
// neither client data nor the message; the link is a 404 to anyone else;
// the invitee sees the client, accepts with the declaration and a lawful
// basis, and is on the team; the link then shows only that it was used.
func TestInvitationJourney(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		member := e.MustAgent(t, "Mia Member", e.Council, e.LocalA)
		guest := e.MustAgent(t, "Gil Guestington", e.Council, e.LocalB)
		other := e.MustAgent(t, "Ora Other", e.Council, e.LocalA)
		id := e.mustSecretClientID(t, member)
		client := "/clients/" + strconv.FormatInt(id, 10)
		mb, gb, ob := e.signedIn(t, member), e.signedIn(t, guest), e.signedIn(t, other)

		runScenarios(t,
			scenario{name: "client page offers to invite", as: mb, path: client, status: http.StatusOK,
				contains: []string{"Invite a colleague", "Nobody is invited at the moment"}},
			scenario{name: "the phone book finds the colleague", as: mb, path: client + "/invitations/new?q=Guestington",
				status: http.StatusOK, contains: []string{"Gil Guestington", `name="agent_id" type="radio" value="` + strconv.FormatInt(guest.ID, 10),
					"Never write anything about the client here"}},
			scenario{name: "no pick and no address", as: mb, method: "POST", path: client + "/invitations",
				form: url.Values{"q": {"Guestington"}, "message": {secretInvitationMessage}}, status: http.StatusUnprocessableEntity,
				contains: []string{`id="email-error"`, "Gil Guestington", secretInvitationMessage}},
			scenario{name: "invite the pick", as: mb, method: "POST", path: client + "/invitations",
				form:   url.Values{"agent_id": {strconv.FormatInt(guest.ID, 10)}, "message": {secretInvitationMessage}},
				status: http.StatusSeeOther, locationPrefix: client},
			scenario{name: "listed with withdraw", as: mb, path: client, status: http.StatusOK,
				contains: []string{"Invitations waiting (1)", "Gil Guestington", "invited by you", "Withdraw",
					"You invited Gil Guestington to join the team"}},
		)

		msgs := e.deliver(t, guest.Email)
		if len(msgs) != 1 {
			t.Fatalf("%d emails to the invitee", len(msgs))
		}
		noClientData(t, msgs[0])
		_, all := textPart(t, msgs[0].Raw)
		if strings.Contains(all, secretInvitationMessage) {
			t.Fatalf("the email carries the inviter's message:\n%s", all)
		}
		for _, s := range []string{"P-" + strings.Repeat("0", 6-len(strconv.FormatInt(id, 10))) + strconv.FormatInt(id, 10), "left you a message"} {
			if !strings.Contains(all, s) {
				t.Errorf("email does not say %q:\n%s", s, all)
			}
		}
		link := invitationIn(t, msgs[0])

		// Anyone but the invitee gets the ordinary 404, as for a made-up link.
		made := ob.get("/invitations/madeUpTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")
		for _, b := range []*browser{ob, mb} {
			got := b.get(link)
			if got.status != http.StatusNotFound || got.body != made.body {
				t.Fatalf("someone else opened the invitation: %d\n%s", got.status, got.body)
			}
			assertNoSecret(t, got)
			got = b.post(link, url.Values{"basis": {"consent"}, "declaration": {"yes"}})
			if got.status != http.StatusNotFound {
				t.Fatalf("someone else accepted the invitation: %d", got.status)
			}
		}
		runScenarios(t,
			scenario{name: "the invitee's dashboard links to it", as: gb, path: "/", status: http.StatusOK,
				contains: []string{"An invitation is waiting", `href="` + link + `"`}, notContains: secretClient},
			scenario{name: "nobody else's does", as: ob, path: "/", status: http.StatusOK, notContains: []string{"/invitations/"}},
			scenario{name: "signed out is sent to sign in", as: e.anonymous(t), path: link, status: http.StatusSeeOther,
				locationPrefix: "/login", notContains: secretClient},
			scenario{name: "the invitee sees the client and the message", as: gb, path: link, status: http.StatusOK,
				contains:    []string{"Zebedee Quixote-Vantablack", secretInvitationMessage, "Mia Member", `name="declaration"`, `name="basis"`},
				notContains: []string{"17 Marigold Crescent", "07999 314159"}},
			scenario{name: "no declaration", as: gb, method: "POST", path: link, form: url.Values{"basis": {"consent"}},
				status: http.StatusUnprocessableEntity, contains: []string{`id="declaration-error"`, `value="consent" checked`}},
			scenario{name: "accept", as: gb, method: "POST", path: link, form: url.Values{"basis": {"safeguarding"}, "declaration": {"yes"}},
				status: http.StatusSeeOther, location: client},
			scenario{name: "on the team", as: gb, path: client, status: http.StatusOK,
				contains: []string{"Zebedee", "You accepted an invitation from Mia Member", "You joined the team (safeguarding)",
					"Nobody is invited at the moment"}},
		)
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND agent_id = $2 AND left_at IS NULL`,
			id, guest.ID); n != 1 {
			t.Fatalf("invitee has %d memberships", n)
		}
		// Used up: after leaving, the link shows only that it was used.
		if err := sqldb.NewClientService(e.db).LeaveTeam(sqldbtest.As(guest), id, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		runScenarios(t,
			scenario{name: "used link", as: gb, path: link, status: http.StatusOK, contains: []string{"This invitation has been used"},
				notContains: append(secretClient, secretInvitationMessage)},
			scenario{name: "used link posted", as: gb, method: "POST", path: link, form: url.Values{"basis": {"consent"}, "declaration": {"yes"}},
				status: http.StatusConflict, contains: []string{"This invitation has been used"}, notContains: secretClient},
		)
	})
}

// assertNoSecret fails if a response shows the secret client's data.
func assertNoSecret(t *testing.T, r response) {
	t.Helper()
	for _, s := range secretClient {
		if strings.Contains(r.body, s) || strings.Contains(r.location, s) {
			t.Fatalf("response leaks %q", s)
		}
	}
}

// TestInvitationOfANewColleague: an address with no account is always
// emailed (whatever anyone's settings); its link, opened signed out, leads
// straight to sign-up (the invitation proved the address), which ends on
// the invitation's page, where the newcomer accepts. An address at a domain
// no agency takes sign-ups from is invited to ask for access.
func TestInvitationOfANewColleague(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		member := e.MustAgent(t, "Mia Member", e.Council, e.LocalA)
		id := e.mustSecretClientID(t, member)
		client := "/clients/" + strconv.FormatInt(id, 10)
		mb := e.signedIn(t, member)
		const addr = "nia.newcomer@ashford.test"
		runScenarios(t,
			scenario{name: "bad address", as: mb, method: "POST", path: client + "/invitations",
				form: url.Values{"email": {"someone@"}, "message": {"hello"}}, status: http.StatusUnprocessableEntity,
				contains: []string{`id="email-error"`, `value="someone@"`, "hello"}},
			scenario{name: "unknown domain", as: mb, method: "POST", path: client + "/invitations",
				form: url.Values{"email": {"someone@elsewhere.test"}}, status: http.StatusSeeOther, locationPrefix: client},
			scenario{name: "told they must ask for access", as: mb, path: client, status: http.StatusOK,
				contains: []string{"No agency on Patchwork takes addresses at elsewhere.test yet"}},
			scenario{name: "new colleague", as: mb, method: "POST", path: client + "/invitations",
				form: url.Values{"email": {addr}}, status: http.StatusSeeOther, locationPrefix: client},
			scenario{name: "listed by address", as: mb, path: client, status: http.StatusOK, contains: []string{addr, "Withdraw"}},
		)
		far := e.deliver(t, "someone@elsewhere.test")
		if len(far) != 1 {
			t.Fatalf("%d emails to the address at an unknown domain", len(far))
		}
		if text, _ := textPart(t, far[0].Raw); !strings.Contains(text, "to ask for access") {
			t.Fatalf("unknown domain's email:\n%s", text)
		}
		msgs := e.deliver(t, addr)
		if len(msgs) != 1 {
			t.Fatalf("%d emails to the new colleague", len(msgs))
		}
		noClientData(t, msgs[0])
		text, _ := textPart(t, msgs[0].Raw)
		if !strings.Contains(text, "create your Patchwork account with this address") || strings.Contains(text, "left you a message") {
			t.Fatalf("new colleague's email:\n%s", text)
		}
		link := invitationIn(t, msgs[0])

		// Signed out, the link starts the sign-up; a made-up one is sent
		// to sign in like any closed page.
		nb := e.anonymous(t)
		scenario{as: nb, path: "/invitations/madeUpTokenXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", status: http.StatusSeeOther,
			locationPrefix: "/login"}.run(t)
		res := nb.get(link)
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/signup/verify?token=") {
			t.Fatalf("signed-out invitee: %d %q", res.status, res.location)
		}
		signupToken, err := url.QueryUnescape(strings.TrimPrefix(res.location, "/signup/verify?token="))
		if err != nil {
			t.Fatal(err)
		}
		nb.get(res.location).must(t, http.StatusOK, `name="password"`)
		res = nb.post("/signup/complete", e.profileForm(signupToken, e.Council.ID, "a long enough new password"))
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/invitations") {
			t.Fatalf("complete sign-up: %d %q\n%s", res.status, res.location, res.body)
		}
		runScenarios(t,
			scenario{name: "sign-up continues to the invitation", as: nb, path: res.location, status: http.StatusSeeOther, location: link},
			scenario{name: "the newcomer sees the invitation", as: nb, path: link, status: http.StatusOK, contains: []string{"Zebedee"}},
			scenario{name: "accepts", as: nb, method: "POST", path: link, form: url.Values{"basis": {"consent"}, "declaration": {"yes"}},
				status: http.StatusSeeOther, location: client},
			scenario{name: "the team sees the newcomer", as: mb, path: client, status: http.StatusOK,
				contains: []string{"Nia Newcomer joined the team (consent)", "someone@elsewhere.test"}},
			scenario{name: "the used link, signed out, is sent to sign in", as: e.anonymous(t), path: link,
				status: http.StatusSeeOther, locationPrefix: "/login"},
		)
	})
}

// TestInvitationWithdrawAndExpiry: a member withdraws a pending invitation
// from the client page, and its link then says so without the client; an
// invitation left 14 days expires and its link says so.
func TestInvitationWithdrawAndExpiry(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		member := e.MustAgent(t, "Mia Member", e.Council, e.LocalA)
		mate := e.MustAgent(t, "Tom Teammate", e.Council, e.LocalA)
		guest := e.MustAgent(t, "Gil Guest", e.Council, e.LocalB)
		id := e.mustSecretClientID(t, member)
		e.MustJoin(t, mate, &patchwork.Client{ID: id})
		client := "/clients/" + strconv.FormatInt(id, 10)
		mb, tb, gb := e.signedIn(t, member), e.signedIn(t, mate), e.signedIn(t, guest)
		invite := func() (int64, string) {
			t.Helper()
			(scenario{as: mb, method: "POST", path: client + "/invitations", form: url.Values{"email": {guest.Email}},
				status: http.StatusSeeOther}).run(t)
			var invID int64
			if err := e.db.QueryRowForTest(`SELECT MAX(id) FROM invitations`).Scan(&invID); err != nil {
				t.Fatal(err)
			}
			msgs := e.deliver(t, guest.Email)
			return invID, invitationIn(t, msgs[len(msgs)-1])
		}
		invID, link := invite()
		withdraw := client + "/invitations/" + strconv.FormatInt(invID, 10) + "/withdraw"
		runScenarios(t,
			scenario{name: "a team mate withdraws", as: tb, method: "POST", path: withdraw, status: http.StatusSeeOther, locationPrefix: client},
			scenario{name: "not listed", as: mb, path: client, status: http.StatusOK,
				contains: []string{"Nobody is invited at the moment", "Tom Teammate withdrew the invitation of Gil Guest"}},
			scenario{name: "twice", as: tb, method: "POST", path: withdraw, status: http.StatusConflict},
			scenario{name: "link says withdrawn", as: gb, path: link, status: http.StatusOK,
				contains: []string{"This invitation was withdrawn"}, notContains: secretClient},
			scenario{name: "cannot be accepted", as: gb, method: "POST", path: link, form: url.Values{"basis": {"consent"}, "declaration": {"yes"}},
				status: http.StatusConflict, notContains: secretClient},
		)
		// Sent a fortnight ago. (The clock goes back rather than forward:
		// sessions expire by the real clock, so one signed in a fortnight
		// ahead would have expired already.)
		now := e.clk.Now()
		e.clk.Set(now.Add(-patchwork.InvitationTTL))
		_, link = invite()
		e.clk.Set(now)
		gb = e.signedIn(t, guest) // the old session timed out over the fortnight
		runScenarios(t,
			scenario{name: "link says expired", as: gb, path: link, status: http.StatusOK,
				contains: []string{"This invitation has expired"}, notContains: secretClient},
			scenario{name: "expired not listed", as: e.signedIn(t, member), path: client, status: http.StatusOK,
				contains: []string{"Nobody is invited at the moment"}},
		)
		if n := sqldbtest.MustCount(t, e.db, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND agent_id = $2`, id, guest.ID); n != 0 {
			t.Fatalf("the invitee joined through an ended invitation")
		}
	})
}
