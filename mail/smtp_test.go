package mail_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"patchwork"
	"strings"
	"testing"
	"time"

	pwmail "patchwork/mail"
	"patchwork/mail/smtptest"
)

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want pwmail.SMTPConfig
		err  bool
	}{
		{raw: "smtp://mail.example.org", want: pwmail.SMTPConfig{Host: "mail.example.org", Port: 587, TLS: "starttls"}},
		{raw: "smtp://u%40x:p%3Ass@mail.example.org:2525?tls=none",
			want: pwmail.SMTPConfig{Host: "mail.example.org", Port: 2525, Username: "u@x", Password: "p:ss", TLS: "none"}},
		{raw: "smtp://mail.example.org?tls=none", want: pwmail.SMTPConfig{Host: "mail.example.org", Port: 25, TLS: "none"}},
		{raw: "smtp://mail.example.org?tls=tls", want: pwmail.SMTPConfig{Host: "mail.example.org", Port: 465, TLS: "tls"}},
		{raw: "smtps://user@mail.example.org", want: pwmail.SMTPConfig{Host: "mail.example.org", Port: 465, Username: "user", TLS: "tls"}},
		{raw: "smtp://[::1]:25?tls=none", want: pwmail.SMTPConfig{Host: "::1", Port: 25, TLS: "none"}},
		{raw: "http://mail.example.org", err: true},
		{raw: "smtp://mail.example.org?tls=maybe", err: true},
		{raw: "smtp://:25", err: true},
		{raw: "smtp://mail.example.org:99999", err: true},
		{raw: "::not a url", err: true},
	} {
		got, err := pwmail.ParseSMTPURL(tc.raw)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v, error %v", tc.raw, got, err, tc.want, tc.err)
		}
	}
	c, _ := pwmail.ParseSMTPURL("smtp://user:secret@mail.example.org")
	if strings.Contains(c.String(), "secret") {
		t.Errorf("String() shows the password: %s", c)
	}
}

func testMessage() *pwmail.Message {
	return &pwmail.Message{ID: "patchwork.job-7@patchwork.test", To: "bob@ashford.test", Subject: "A colleague joined a client's team",
		Text: "Plain part", HTML: "<p>HTML part</p>", Date: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC),
		Headers: map[string]string{"List-Unsubscribe": "<http://127.0.0.1:8080/unsubscribe?token=abc.def>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}
}

func TestSMTPSender(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, user, pass string
	}{{"no auth", "", ""}, {"auth plain", "patchwork", "s3cret pass"}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t)
			srv.Username, srv.Password = tc.user, tc.pass
			s, err := pwmail.NewSMTPSender(srv.URL(), "Patchwork <no-reply@patchwork.test>")
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Send(ctx, testMessage()); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("server got %d messages", len(msgs))
			}
			m := msgs[0]
			if m.From != "no-reply@patchwork.test" || len(m.To) != 1 || m.To[0] != "bob@ashford.test" || m.User != tc.user {
				t.Fatalf("envelope = %q → %v as %q", m.From, m.To, m.User)
			}
			for h, want := range map[string]string{
				"Message-Id":            "<patchwork.job-7@patchwork.test>",
				"Subject":               "A colleague joined a client's team",
				"List-Unsubscribe":      "<http://127.0.0.1:8080/unsubscribe?token=abc.def>",
				"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
				"From":                  `"Patchwork" <no-reply@patchwork.test>`,
			} {
				if got := m.Header(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			text, html := parts(t, m.Raw)
			if strings.TrimSpace(text) != "Plain part" || strings.TrimSpace(html) != "<p>HTML part</p>" {
				t.Fatalf("parts = %q, %q", text, html)
			}
		})
	}

	t.Run("a refusal for good is permanent, a refusal for now is not", func(t *testing.T) {
		srv := smtptest.Start(t)
		s, _ := pwmail.NewSMTPSender(srv.URL(), "no-reply@patchwork.test")
		m := testMessage()
		srv.RejectRecipient(m.To)
		err := s.Send(ctx, m)
		if err == nil || !errors.Is(err, patchwork.ErrPermanent) || !strings.Contains(err.Error(), "550") {
			t.Fatalf("send to a rejected recipient: %v", err)
		}
		srv2 := smtptest.Start(t)
		s2, _ := pwmail.NewSMTPSender(srv2.URL(), "no-reply@patchwork.test")
		srv2.Refuse(true)
		if err := s2.Send(ctx, testMessage()); err == nil || errors.Is(err, patchwork.ErrPermanent) {
			t.Fatalf("send to a refusing server: %v", err)
		}
	})

	t.Run("server refuses, then accepts", func(t *testing.T) {
		srv := smtptest.Start(t)
		s, _ := pwmail.NewSMTPSender(srv.URL(), "no-reply@patchwork.test")
		srv.Refuse(true)
		if err := s.Send(ctx, testMessage()); err == nil || !strings.Contains(err.Error(), "451") {
			t.Fatalf("send to a refusing server: %v", err)
		}
		srv.Refuse(false)
		if err := s.Send(ctx, testMessage()); err != nil {
			t.Fatal(err)
		}
		if len(srv.Messages()) != 1 || srv.Refused() != 1 {
			t.Fatalf("accepted %d, refused %d", len(srv.Messages()), srv.Refused())
		}
	})

	t.Run("starttls is required unless tls=none", func(t *testing.T) {
		srv := smtptest.Start(t)
		s, _ := pwmail.NewSMTPSender("smtp://"+srv.Addr+"?tls=starttls", "no-reply@patchwork.test")
		if err := s.Send(ctx, testMessage()); err == nil {
			t.Fatal("sent without STARTTLS")
		}
		if len(srv.Messages()) != 0 {
			t.Fatal("message reached a server without TLS")
		}
	})

	t.Run("nobody listening", func(t *testing.T) {
		s, _ := pwmail.NewSMTPSender("smtp://127.0.0.1:1?tls=none", "no-reply@patchwork.test")
		s.Timeout = 2 * time.Second
		if err := s.Send(ctx, testMessage()); err == nil {
			t.Fatal("no error")
		}
	})

	if _, err := pwmail.NewSMTPSender("smtp://127.0.0.1:25?tls=none", "not an address"); err == nil {
		t.Error("bad from address accepted")
	}
}

// parts returns the text/plain and text/html parts of a raw message.
func parts(t *testing.T, raw []byte) (text, html string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", m.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			return text, html
		} else if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
}

type memOutbox struct{ msgs map[string]*pwmail.Message }

func (o *memOutbox) SaveOutboxMessage(ctx context.Context, m *pwmail.Message) error {
	if _, dup := o.msgs[m.ID]; !dup {
		o.msgs[m.ID] = m
	}
	return nil
}

func TestOutboxSender(t *testing.T) {
	store := &memOutbox{msgs: map[string]*pwmail.Message{}}
	s := pwmail.NewOutboxSender(store, "Patchwork <no-reply@patchwork.test>")
	m := testMessage()
	for i := 0; i < 2; i++ {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if len(store.msgs) != 1 || store.msgs[m.ID].From != "Patchwork <no-reply@patchwork.test>" || m.From != "" {
		t.Fatalf("outbox = %+v; message from %q", store.msgs, m.From)
	}
	raw, err := pwmail.Raw(store.msgs[m.ID], "")
	if err != nil || !bytes.Contains(raw, []byte("Message-ID: <patchwork.job-7@patchwork.test>")) {
		t.Fatalf("raw = %s, %v", raw, err)
	}
}

func TestSMTPSenderReusesConnections(t *testing.T) {
	ctx := context.Background()
	srv := smtptest.Start(t)
	s, err := pwmail.NewSMTPSender(srv.URL(), "no-reply@patchwork.test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < 5; i++ {
		if err := s.Send(ctx, testMessage()); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Connections(); n != 1 {
		t.Fatalf("5 messages took %d connections, want 1", n)
	}
	// The server drops idle connections: the next message checks, redials
	// and goes through once. DropConnections returns once the server's end
	// is closed, so the check cannot find the old connection alive.
	srv.DropConnections()
	if err := s.Send(ctx, testMessage()); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 6 || srv.Connections() != 2 {
		t.Fatalf("%d messages over %d connections", len(srv.Messages()), srv.Connections())
	}
	// A connection idle for longer than IdleTimeout is not reused: the
	// kept one has been idle for longer than a nanosecond by now.
	s.IdleTimeout = time.Nanosecond
	if err := s.Send(ctx, testMessage()); err != nil {
		t.Fatal(err)
	}
	if srv.Connections() != 3 {
		t.Fatalf("connections = %d, want 3", srv.Connections())
	}
	// A refusal closes the connection; the next message starts afresh.
	s.IdleTimeout = time.Minute
	srv.Refuse(true)
	if err := s.Send(ctx, testMessage()); err == nil {
		t.Fatal("no error from a refusing server")
	}
	srv.Refuse(false)
	if err := s.Send(ctx, testMessage()); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 8 {
		t.Fatalf("messages = %d, want 8", len(srv.Messages()))
	}
}
