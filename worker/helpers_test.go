package worker_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"patchwork"
	pwmail "patchwork/mail"
	"patchwork/mail/smtptest"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
	"patchwork/worker"
)

var secret = []byte("test deployment secret")

var discardLog = slog.New(slog.DiscardHandler)

// env is a database, a fake clock, a real SMTP server and a worker.
type env struct {
	db    *sqldb.DB
	clk   *sqldbtest.Clock
	smtp  *smtptest.Server
	w     *worker.Worker
	world *sqldbtest.World
	loc   *time.Location
}

func newEnv(tb testing.TB, db *sqldb.DB) *env {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		tb.Fatal(err)
	}
	e := &env{db: db, clk: sqldbtest.NewClock(db), smtp: smtptest.Start(tb), loc: loc}
	e.w = e.newWorker(tb, "w1", nil)
	e.world = sqldbtest.MustWorld(tb, db)
	return e
}

// newWorker returns another worker on the same database and clock; sender
// nil means SMTP to the test server.
func (e *env) newWorker(tb testing.TB, id string, sender pwmail.Sender) *worker.Worker {
	tb.Helper()
	if sender == nil {
		s, err := pwmail.NewSMTPSender(e.smtp.URL(), "Patchwork <no-reply@patchwork.test>")
		if err != nil {
			tb.Fatal(err)
		}
		sender = s
	}
	w, err := worker.New(e.db, sender, worker.Config{BaseURL: "http://127.0.0.1:8080", Secret: secret,
		DigestHour: 7, Location: e.loc, WeeklyDay: time.Monday, ID: id, PollInterval: 5 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	w.Now = e.clk.Now
	w.Log = discardLog
	return w
}

// drain runs w until there is nothing left to do now.
func drain(tb testing.TB, w *worker.Worker) int {
	tb.Helper()
	total := 0
	// The cap only stops a worker that keeps finding new work for ever; a
	// statewide digest is some 100,000 jobs of Batch each.
	for i := 0; i < 1<<20; i++ {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
	tb.Fatal("worker never ran out of jobs")
	return total
}

// at moves the clock to the given London wall-clock time and drains.
func (e *env) at(tb testing.TB, year int, month time.Month, day, hour, min int) {
	tb.Helper()
	e.clk.Set(time.Date(year, month, day, hour, min, 0, 0, e.loc))
	drain(tb, e.w)
}

// distinctive client data: none of it may ever appear in an email.
var secretClient = patchwork.Client{FirstName: "Zebedee", LastName: "Quixote-Vantablack", DateOfBirth: "2011-02-03",
	Address: "17 Marigold Crescent", Postcode: "ZZ9 9QX", Phone: "07999 314159", Aliases: []string{"Zebby Vantablack"}}

// Each is long enough never to turn up by chance in a MIME boundary.
var forbidden = []string{"Zebedee", "Quixote", "Vantablack", "Zebby", "2011-02-03", "03/02/2011", "3 Feb 2011",
	"Marigold", "ZZ9 9QX", "07999 314159", "314159"}

func (e *env) mustSecretClient(tb testing.TB, creator *patchwork.Agent, first string) *patchwork.Client {
	tb.Helper()
	c := secretClient
	c.FirstName = first
	if err := sqldb.NewClientService(e.db).CreateClient(sqldbtest.As(creator), &c); err != nil {
		tb.Fatal(err)
	}
	return &c
}

func (e *env) setPrefs(tb testing.TB, a *patchwork.Agent, mode string) {
	tb.Helper()
	prefs := map[string]string{}
	for _, k := range patchwork.NotificationKinds {
		prefs[k.Kind] = mode
	}
	if err := sqldb.NewNotificationPrefsService(e.db, secret).UpdateNotificationPrefs(sqldbtest.As(a), prefs); err != nil {
		tb.Fatal(err)
	}
}

func (e *env) event(tb testing.TB, c *patchwork.Client, actor *patchwork.Agent, kind, detail string) {
	tb.Helper()
	if err := e.db.RecordTeamEventForTest(context.Background(), c.ID, actor.ID, kind, detail); err != nil {
		tb.Fatal(err)
	}
}

// parts returns the decoded text/plain and text/html parts of a raw message.
func parts(tb testing.TB, raw []byte) (text, html string) {
	tb.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		tb.Fatal(err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return text, html
		} else if err != nil {
			tb.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		if ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct == "text/html" {
			html = string(b)
		} else {
			text = string(b)
		}
	}
}

// checkNoClientData fails if a message carries any of the client's data, in
// its raw bytes or in its decoded parts.
func checkNoClientData(tb testing.TB, m *smtptest.Message) {
	tb.Helper()
	text, html := parts(tb, m.Raw)
	for _, s := range forbidden {
		for where, b := range map[string]string{"raw": string(m.Raw), "text": text, "html": html} {
			if strings.Contains(b, s) {
				tb.Errorf("email to %v carries %q in its %s:\n%s", m.To, s, where, m.Raw)
			}
		}
	}
}

// unsubscribeToken extracts the token from a message's List-Unsubscribe.
func unsubscribeToken(tb testing.TB, m *smtptest.Message) string {
	tb.Helper()
	h := strings.Trim(m.Header("List-Unsubscribe"), "<>")
	u, err := url.Parse(h)
	if err != nil || u.Path != "/unsubscribe" {
		tb.Fatalf("List-Unsubscribe = %q", h)
	}
	return u.Query().Get("token")
}

// summary maps each recipient to the subjects they received, in order.
func summary(msgs []*smtptest.Message) map[string][]string {
	out := map[string][]string{}
	for _, m := range msgs {
		for _, to := range m.To {
			out[to] = append(out[to], m.Header("Subject"))
		}
	}
	return out
}

func pwmailOutbox(db *sqldb.DB) *pwmail.OutboxSender {
	return pwmail.NewOutboxSender(db, "Patchwork <no-reply@patchwork.test>")
}
