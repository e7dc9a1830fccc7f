package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// scenario is one HTTP request and what must come back, the one shape of
// the HTTP tests' tables (after PocketBase's ApiScenario): who sends what,
// then the status, the redirect, what the body must and must not contain,
// and a check of the side effects once the response is in.
type scenario struct {
	name   string
	as     *browser   // who sends the request: e.anonymous(t) or e.signedIn(t, a)
	method string     // GET when empty
	path   string     // path and query
	form   url.Values // the form a POST sends

	status         int      // the status that must come back
	location       string   // when set, the Location header exactly
	locationPrefix string   // when set, how the Location header must start
	contains       []string // each must be in the body
	notContains    []string // none may be in the body or the Location header
	// after, when set, checks what the request changed (rows written or
	// not, what another agent now sees); r is the response.
	after func(t *testing.T, r response)
}

// send makes the request as sc.as would, reporting failures to t.
func (sc scenario) send(t *testing.T) response {
	t.Helper()
	b := *sc.as // the same cookies, failures reported to this test
	b.t = t
	if sc.method == "" || sc.method == http.MethodGet {
		return b.get(sc.path)
	}
	if sc.method != http.MethodPost {
		t.Fatalf("scenario %q: method %s is not supported", sc.name, sc.method)
	}
	return b.post(sc.path, sc.form)
}

// check fails t unless r is what sc expects, then runs sc.after.
func (sc scenario) check(t *testing.T, r response) {
	t.Helper()
	if r.status != sc.status {
		t.Fatalf("%s %s: status %d, want %d (Location %q)\n%s", sc.methodName(), sc.path, r.status, sc.status, r.location, r.body)
	}
	if sc.location != "" && r.location != sc.location {
		t.Fatalf("%s %s: Location %q, want %q", sc.methodName(), sc.path, r.location, sc.location)
	}
	if sc.locationPrefix != "" && !strings.HasPrefix(r.location, sc.locationPrefix) {
		t.Fatalf("%s %s: Location %q, want it to start with %q", sc.methodName(), sc.path, r.location, sc.locationPrefix)
	}
	for _, s := range sc.contains {
		if !strings.Contains(r.body, s) {
			t.Fatalf("%s %s: body does not contain %q\n%s", sc.methodName(), sc.path, s, r.body)
		}
	}
	for _, s := range sc.notContains {
		if strings.Contains(r.body, s) || strings.Contains(r.location, s) {
			t.Fatalf("%s %s: response contains %q (status %d)\n%s", sc.methodName(), sc.path, s, r.status, r.body)
		}
	}
	if sc.after != nil {
		sc.after(t, r)
	}
}

// run sends sc and checks the response.
func (sc scenario) run(t *testing.T) response {
	t.Helper()
	r := sc.send(t)
	sc.check(t, r)
	return r
}

func (sc scenario) methodName() string {
	if sc.method == "" {
		return http.MethodGet
	}
	return sc.method
}

// runScenarios runs each scenario as a subtest, in order, and stops at the
// first that fails: later ones build on what earlier ones changed.
func runScenarios(t *testing.T, scs ...scenario) {
	t.Helper()
	for _, sc := range scs {
		if !t.Run(sc.name, func(t *testing.T) { sc.run(t) }) {
			return
		}
	}
}
