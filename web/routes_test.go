package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
	"patchwork/web"
)

// TestEveryRouteIsClosedByDefault walks every route the server registers,
// read from the one list it registers them from, so a new route cannot
// escape it: each route that is not public refuses a signed-out visitor (a
// redirect to sign in, or the 404 page — never the page), and each admin
// route answers a signed-in agent who is not an admin with exactly the page
// of a missing page.
func TestEveryRouteIsClosedByDefault(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		srv, err := app.NewServer(db, app.Options{Demo: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		t.Cleanup(ts.Close)
		e := &env{World: sqldbtest.MustWorld(t, db), srv: ts}
		agent := e.MustAgent(t, "Nell Nonadmin", e.Council, e.LocalA)
		cl := e.MustClient(t, agent, "Rory", "Routewalk", "02/03/2014")
		signedOut, nonAdmin := e.anonymous(t), e.signedIn(t, agent)
		missing := nonAdmin.get("/no-such-page")
		missing.must(t, http.StatusNotFound, "Page not found")

		seen := map[string]int{}
		for _, pattern := range web.RoutePatterns(srv) {
			access := web.RouteAccess(pattern)
			seen[access]++
			if access == "public" {
				if !wantPublic[pattern] {
					t.Errorf("%s is public; opening a route to signed-out visitors must be deliberate (add it to wantPublic)", pattern)
				}
				continue
			}
			method, path := requestFor(pattern, cl.ID)
			send := func(b *browser) response {
				if method == http.MethodPost {
					return b.post(path, url.Values{})
				}
				return b.get(path)
			}
			t.Run(pattern, func(t *testing.T) {
				res := send(signedOut)
				refused := res.status == http.StatusNotFound ||
					res.status == http.StatusSeeOther && strings.HasPrefix(res.location, "/login")
				if !refused {
					t.Errorf("signed out: %s %s answered %d (location %q), want a redirect to /login or 404", method, path, res.status, res.location)
				}
				if access != "admin" {
					return
				}
				res = send(nonAdmin)
				if res.status != http.StatusNotFound || res.body != missing.body {
					t.Errorf("non-admin: %s %s answered %d, want the missing page's 404\n%s", method, path, res.status, res.body)
				}
			})
		}
		// The walk must have met each kind, or it proves nothing.
		if seen["public"] == 0 || seen["agent"] == 0 || seen["admin"] == 0 {
			t.Fatalf("routes by access = %v; want public, agent and admin routes", seen)
		}
	})
}

// wantPublic are the routes a signed-out visitor may reach, held here a
// second time so that making a route public takes two deliberate edits.
var wantPublic = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /static/": true, "GET /login": true, "POST /login": true,
	"POST /logout": true, "GET /unsubscribe": true, "POST /unsubscribe": true, "/": true,
	"GET /password/forgot": true, "POST /password/forgot": true, "GET /password/reset": true, "POST /password/reset": true,
	"GET /login/two-factor": true, "POST /login/two-factor": true,
	"GET /signup": true, "POST /signup": true, "GET /signup/verify": true, "POST /signup/complete": true, "POST /signup/access": true,
	"GET /dev/signup-mail": true,
	// A new colleague's invitation starts their sign-up; anyone else signed out is sent to sign in.
	"GET /invitations/{token}": true}

// requestFor turns a route pattern into a request: the method (GET for a
// pattern without one) and a path with {id} filled in with id.
func requestFor(pattern string, id int64) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = http.MethodGet, pattern
	}
	path = strings.ReplaceAll(path, "{$}", "")
	path = strings.ReplaceAll(path, "{id}", strconv.FormatInt(id, 10))
	return method, path
}

// TestWebNeverBuildsTheSystemCaller keeps the system caller out of reach of
// requests: neither the web layer nor the wiring it is built by refers to
// patchwork.NewSystemContext, so no session can become the system.
func TestWebNeverBuildsTheSystemCaller(t *testing.T) {
	_ = patchwork.NewSystemContext // the name checked below, so a rename breaks this test
	files := 0
	for _, dir := range []string{".", "../app"} {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			files++
			if strings.Contains(string(src), "NewSystemContext") {
				t.Errorf("%s refers to patchwork.NewSystemContext", name)
			}
		}
	}
	if files < 5 {
		t.Fatalf("read %d source files; the test is looking in the wrong place", files)
	}
}
