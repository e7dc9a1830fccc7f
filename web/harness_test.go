package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"patchwork"
	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// env is a running Patchwork on a fresh database with a small world.
type env struct {
	*sqldbtest.World
	srv *httptest.Server
}

// eachEnv runs fn once per database with a fresh server.
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		fn(t, newEnv(t, db))
	})
}

func newEnv(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	return newEnvWith(t, db, app.Options{})
}

// newEnvWith is newEnv with the server built from opts (Demo, say).
func newEnvWith(t *testing.T, db *sqldb.DB, opts app.Options) *env {
	t.Helper()
	opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := app.NewServer(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{World: sqldbtest.MustWorld(t, db), srv: ts}
}

// browser is a cookie-keeping HTTP client that does not follow redirects,
// so tests see each status as a user's script would.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (e *env) anonymous(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: e.srv.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signedIn returns a browser signed in as a.
func (e *env) signedIn(t *testing.T, a *patchwork.Agent) *browser {
	t.Helper()
	b := e.anonymous(t)
	res := b.post("/login", url.Values{"email": {a.Email}, "password": {sqldbtest.Password}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d\n%s", a.Email, res.status, res.body)
	}
	return b
}

// response is a finished request.
type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(body), location: res.Header.Get("Location"), header: res.Header}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, b.base+path, nil)
	return b.do(req)
}

// post sends a form the way a script does: with neither Origin nor
// Sec-Fetch-Site, which CrossOriginProtection lets through by design.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (r response) must(t *testing.T, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d\n%s", r.status, status, r.body)
	}
	for _, s := range contains {
		if !strings.Contains(r.body, s) {
			t.Fatalf("body does not contain %q\n%s", s, r.body)
		}
	}
}
