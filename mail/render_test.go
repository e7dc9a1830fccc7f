package mail_test

import (
	"strings"
	"testing"
	"time"

	"patchwork"
	pwmail "patchwork/mail"
)

func TestRender(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	r, err := pwmail.NewRenderer("http://127.0.0.1:8080/", london)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 1, 13, 5, 0, 0, time.UTC) // 14:05 in London (BST)
	unsub := r.UnsubscribeURL("tok.sig")
	one := func(kind string, urgent bool) *pwmail.Notice {
		return &pwmail.Notice{To: "bob@ashford.test", RecipientName: "Bob Baker", UnsubscribeURL: unsub,
			Items: []pwmail.NoticeItem{{Kind: kind, ClientID: 123, ActorName: "Alice Able", Urgent: urgent, At: at}}}
	}
	for _, tc := range []struct {
		name    string
		notice  *pwmail.Notice
		subject string
		says    []string // in both parts
	}{
		{"attention", one(patchwork.ActivityAttentionRaised, false), "Attention raised: client P-000123",
			[]string{"Alice Able raised an attention on client P-000123", "http://127.0.0.1:8080/clients/123"}},
		{"urgent attention", one(patchwork.ActivityAttentionRaised, true), "Urgent attention raised: client P-000123",
			[]string{"Alice Able raised an urgent attention on client P-000123"}},
		{"invitation", one(patchwork.ActivityTeamInvited, false), "Invitation to join the team: client P-000123",
			[]string{"Alice Able invited you to join the team of client P-000123", "http://127.0.0.1:8080/clients/123/join"}},
		{"joined", one(patchwork.ActivityMemberJoined, false), "Colleague joined the team: client P-000123",
			[]string{"Alice Able joined the team of client P-000123"}},
		{"left", one(patchwork.ActivityMemberLeft, false), "Colleague left the team: client P-000123",
			[]string{"Alice Able left the team of client P-000123"}},
		{"details", one(patchwork.ActivityClientUpdated, false), "Details changed: client P-000123",
			[]string{"Alice Able changed the details of client P-000123"}},
		{"circle", one(patchwork.ActivityCircleChanged, false), "Circle changed: client P-000123",
			[]string{"Alice Able changed the circle of client P-000123"}},
		{"removed", one(patchwork.ActivityClientRemoved, false), "Removed from Patchwork: client P-000123",
			[]string{"Alice Able removed client P-000123 from Patchwork, whose team you were on", "Open Patchwork"}},
		{"daily digest", &pwmail.Notice{To: "bob@ashford.test", RecipientName: "Bob Baker", Digest: "daily", UnsubscribeURL: unsub,
			Items: []pwmail.NoticeItem{
				{Kind: patchwork.ActivityMemberJoined, ClientID: 123, ActorName: "Alice Able", At: at},
				{Kind: patchwork.ActivityMemberLeft, ClientID: 45, ActorName: "Carol Cole", At: at.Add(time.Hour)},
				{Kind: patchwork.ActivityMemberLeft, ClientID: 123, ActorName: "Dan Dare", At: at.Add(2 * time.Hour)},
			}},
			"Your daily Patchwork summary: 3 updates on 2 clients",
			[]string{"Client P-000123", "Wed 1 Jul, 14:05: Alice Able joined the team", "Wed 1 Jul, 16:05: Dan Dare left the team",
				"Client P-000045", "Wed 1 Jul, 15:05: Carol Cole left the team", "http://127.0.0.1:8080/clients/45"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := r.Render(tc.notice)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.subject || m.To != "bob@ashford.test" {
				t.Errorf("subject %q to %q", m.Subject, m.To)
			}
			html := strings.ReplaceAll(m.HTML, "&#39;", "'")
			for _, s := range append(tc.says, "Hello Bob Baker", unsub, "http://127.0.0.1:8080/settings/notifications") {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
				if !strings.Contains(html, s) {
					t.Errorf("html lacks %q:\n%s", s, m.HTML)
				}
			}
			for _, s := range []string{`<html lang="en">`, "<title>" + strings.ReplaceAll(tc.subject, "'", "&#39;") + "</title>",
				"<main", "<h1", `<meta charset="utf-8">`} {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("html lacks %q", s)
				}
			}
			if m.Headers["List-Unsubscribe"] != "<"+unsub+">" || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" ||
				m.Headers["Auto-Submitted"] != "auto-generated" {
				t.Errorf("headers = %v", m.Headers)
			}
		})
	}

	t.Run("names are escaped in HTML", func(t *testing.T) {
		n := one(patchwork.ActivityMemberJoined, false)
		n.Items[0].ActorName = `<script>alert(1)</script>`
		m, err := r.Render(n)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.HTML, "<script>") {
			t.Fatalf("unescaped name in HTML:\n%s", m.HTML)
		}
	})
	if _, err := r.Render(&pwmail.Notice{To: "bob@ashford.test"}); err == nil {
		t.Error("empty notice rendered")
	}
}
