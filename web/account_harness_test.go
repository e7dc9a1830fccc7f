package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/app"
	"patchwork/mail/smtptest"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
	"patchwork/worker"
)

// mailEnv is a running Patchwork whose worker sends through a real SMTP
// server in the test, on a fake clock shared by store, web and worker.
type mailEnv struct {
	*env
	db   *sqldb.DB
	clk  *sqldbtest.Clock
	smtp *smtptest.Server
	w    *worker.Worker
}

// eachMailEnv runs fn once per database with a fresh server and worker.
func eachMailEnv(t *testing.T, fn func(t *testing.T, e *mailEnv)) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		fn(t, newMailEnv(t, db))
	})
}

func newMailEnv(t *testing.T, db *sqldb.DB) *mailEnv {
	t.Helper()
	clk := sqldbtest.NewClock(db)
	return newMailEnvOn(t, db, clk, clk.Now)
}

// newMailEnvOn is newMailEnv with now as the one clock of store, web and
// worker (a SteadyClock over clk, say).
func newMailEnvOn(t *testing.T, db *sqldb.DB, clk *sqldbtest.Clock, now func() time.Time) *mailEnv {
	t.Helper()
	db.Now = now
	smtp := smtptest.Start(t)
	opts := app.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now, SMTPURL: smtp.URL(),
		MailFrom: "Patchwork <no-reply@patchwork.test>"}
	srv, err := app.NewServer(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	opts.BaseURL = ts.URL
	w, closeSender, err := app.NewWorker(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeSender() })
	w.Now = now
	w.Log = opts.Log
	return &mailEnv{env: &env{World: sqldbtest.MustWorld(t, db), srv: ts}, db: db, clk: clk, smtp: smtp, w: w}
}

// deliver runs the worker until nothing is due and returns the messages
// the SMTP server has accepted for addr since the test began. Send returns
// only once the server has accepted a message, so nothing is in flight.
func (e *mailEnv) deliver(t *testing.T, addr string) []*smtptest.Message {
	t.Helper()
	for {
		n, err := e.w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return e.smtp.To(addr)
		}
	}
}

// withAgent returns a browser that sends userAgent as its User-Agent.
func (e *env) withAgent(t *testing.T, userAgent string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: e.srv.URL, c: &http.Client{Jar: jar, Transport: uaTransport(userAgent),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type uaTransport string

func (u uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", string(u))
	return http.DefaultTransport.RoundTrip(r)
}

// signIn signs b in as email with pw and fails the test unless it worked.
func (b *browser) signIn(email, pw string) {
	b.t.Helper()
	if res := b.post("/login", url.Values{"email": {email}, "password": {pw}}); res.status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d\n%s", email, res.status, res.body)
	}
}

// signedOut fails the test unless b's session has ended: the dashboard
// sends it to sign in.
func (b *browser) signedOut(what string) {
	b.t.Helper()
	if res := b.get("/"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
		b.t.Fatalf("%s: the other browser is still signed in (status %d, location %q)", what, res.status, res.location)
	}
}

// textPart returns the decoded text/plain part of a raw message, and the
// whole message decoded (headers and every part) for searching.
func textPart(t *testing.T, raw []byte) (text, all string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for k, v := range m.Header {
		b.WriteString(k + ": " + strings.Join(v, ", ") + "\n")
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return text, b.String()
		} else if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p) // quoted-printable is decoded by NextPart
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			body, _ = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), ""))
		}
		s := strings.ReplaceAll(string(body), "\r\n", "\n")
		b.WriteString(s)
		if ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct == "text/plain" {
			text = s
		}
	}
}

var resetLink = regexp.MustCompile(`https?://[^\s"<>]+/password/reset\?token=[A-Za-z0-9_-]+`)

// linkIn returns the path and query of the reset link in a message's text.
func linkIn(t *testing.T, m *smtptest.Message) string {
	t.Helper()
	text, _ := textPart(t, m.Raw)
	found := resetLink.FindString(text)
	if found == "" {
		t.Fatalf("no reset link in:\n%s", text)
	}
	u, err := url.Parse(found)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// secretClient is client data that no email may ever carry.
var secretClient = []string{"Zebedee", "Quixote-Vantablack", "2011-02-03", "17 Marigold Crescent", "07999 314159"}

// noClientData fails if a message carries the secret client's data.
func noClientData(t *testing.T, m *smtptest.Message) {
	t.Helper()
	_, all := textPart(t, m.Raw)
	for _, s := range secretClient {
		if strings.Contains(all, s) || strings.Contains(string(m.Raw), s) {
			t.Errorf("email %q carries client data %q", m.Header("Subject"), s)
		}
	}
}

// mustSecretClient puts a client with the secret data on a's team.
func (e *mailEnv) mustSecretClient(t *testing.T, a *patchwork.Agent) {
	t.Helper()
	e.MustCreateClient(t, a, &patchwork.Client{FirstName: "Zebedee", LastName: "Quixote-Vantablack",
		DateOfBirth: "03/02/2011", Address: "17 Marigold Crescent", Phone: "07999 314159"})
}

// fieldError returns the message shown beside a form field, or "".
func fieldError(body, name string) string {
	i := strings.Index(body, `id="`+name+`-error"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</p>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
