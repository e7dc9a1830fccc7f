package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/app"
)

func TestNotificationSettingsAndUnsubscribe(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		raiser := e.MustAgent(t, "Rita Raiser", e.Council, e.LocalA)
		member := e.MustAgent(t, "Milo Member", e.Council, e.LocalA)
		cl := e.MustClient(t, raiser, "Quentin", "Oddfellow", "2012-12-12")
		e.MustJoin(t, member, cl)
		mb := e.signedIn(t, member)

		runScenarios(t,
			scenario{name: "defaults", as: mb, path: "/settings/notifications", status: http.StatusOK, contains: []string{"Email settings",
				`name="attention.raised" type="radio" value="immediate" checked`,
				`name="member.joined" type="radio" value="daily" checked`,
				`name="client.updated" type="radio" value="weekly" checked`}},
			scenario{name: "unknown choice", as: mb, method: "POST", path: "/settings/notifications",
				form: url.Values{"attention.raised": {"hourly"}}, status: http.StatusUnprocessableEntity,
				contains: []string{"Select how often you want these emails"}},
			scenario{name: "unknown choice changed nothing", as: mb, path: "/settings/notifications", status: http.StatusOK,
				contains: []string{`name="attention.raised" type="radio" value="immediate" checked`}},
			scenario{name: "only kinds of email that exist", as: mb, path: "/settings/notifications", status: http.StatusOK,
				contains: []string{"Changes to your clients&#39; circles", `name="team.invited"`}, notContains: []string{`name="client.created"`}},
			scenario{name: "save", as: mb, method: "POST", path: "/settings/notifications", form: url.Values{"member.joined": {"never"}},
				status: http.StatusSeeOther},
			scenario{name: "saved", as: mb, path: "/settings/notifications", status: http.StatusOK,
				contains: []string{"Your email settings have been saved", `name="member.joined" type="radio" value="never" checked`}},
		)

		// An attention reaches the member through the worker and the outbox;
		// the email holds no client data and a working unsubscribe link.
		rb := e.signedIn(t, raiser)
		const secret = "Brother seen carrying a knife"
		rb.post("/clients/"+strconv.FormatInt(cl.ID, 10)+"/attentions", url.Values{"category": {"concern"},
			"message": {secret}, "urgent": {"yes"}}).must(t, http.StatusSeeOther)
		wk, _, err := app.NewWorker(e.DB, app.Options{BaseURL: "http://patchwork.test"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			if _, err := wk.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		msgs, err := e.DB.FindOutbox(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 || msgs[0].To != member.Email {
			t.Fatalf("outbox = %d messages (%+v)", len(msgs), msgs)
		}
		m := msgs[0]
		all := m.Subject + m.Text + m.HTML + strings.Join(headerValues(m.Headers), " ")
		for _, s := range []string{secret, "Quentin", "Oddfellow", "2012", "1 Test Street", "01234 567890"} {
			if strings.Contains(all, s) {
				t.Fatalf("email contains %q:\n%s", s, all)
			}
		}
		if want := "Urgent attention raised: client " + patchwork.ClientRef(cl.ID); m.Subject != want {
			t.Fatalf("subject %q, want %q", m.Subject, want)
		}
		if !strings.Contains(all, "Rita Raiser") || !strings.Contains(all, "/clients/"+strconv.FormatInt(cl.ID, 10)) {
			t.Fatalf("email does not say who acted or link to the client:\n%s", all)
		}
		link := regexp.MustCompile(`http://patchwork\.test(/unsubscribe\?token=[A-Za-z0-9_\-.%]+)`).FindStringSubmatch(m.Text)
		if link == nil {
			t.Fatalf("no unsubscribe link in:\n%s", m.Text)
		}
		anon := e.anonymous(t)
		tok, err := url.ParseQuery(strings.TrimPrefix(link[1], "/unsubscribe?"))
		if err != nil {
			t.Fatal(err)
		}
		runScenarios(t,
			scenario{name: "unsubscribe page", as: anon, path: link[1], status: http.StatusOK,
				contains: []string{"Stop these emails?", "Attentions raised on your clients",
					"This stops Patchwork emailing <strong>" + member.Email + "</strong> about:", "This includes urgent attentions"}},
			scenario{name: "unsubscribe", as: anon, method: "POST", path: "/unsubscribe", form: url.Values{"token": {tok.Get("token")}},
				status: http.StatusOK, contains: []string{"You have been unsubscribed",
					"Patchwork will no longer email <strong>" + member.Email + "</strong> about:", "This includes urgent attentions"}},
			scenario{name: "settings after unsubscribing", as: mb, path: "/settings/notifications", status: http.StatusOK,
				contains: []string{`name="attention.raised" type="radio" value="never" checked`,
					`name="member.joined" type="radio" value="never" checked`, `name="client.updated" type="radio" value="weekly" checked`}},
			scenario{name: "altered token", as: anon, method: "POST", path: "/unsubscribe", form: url.Values{"token": {tok.Get("token") + "x"}},
				status: http.StatusBadRequest, contains: []string{"not valid"}},
		)
		// A mail provider's one-click POST (RFC 8058) comes from elsewhere and
		// still works: the token is the credential.
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, anon.base+link[1],
			strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://mail.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		anon.do(req).must(t, http.StatusOK, "You have been unsubscribed")

		// The outbox page exists only in demo mode; failed jobs are for
		// admins only (TestAdminRoutes).
		runScenarios(t,
			scenario{name: "no outbox outside demo mode", as: mb, path: "/dev/mail", status: http.StatusNotFound,
				notContains: []string{"Outbox"}},
			scenario{name: "failed jobs", as: mb, path: "/admin/jobs", status: http.StatusNotFound, notContains: []string{"Failed jobs"}},
		)
	})
}

func headerValues(h map[string]string) []string {
	var out []string
	for k, v := range h {
		out = append(out, k+": "+v)
	}
	return out
}
