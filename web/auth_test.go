package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestLoginRedirect: after signing in the browser goes back to the page it
// came from, and only ever to a page of this site, however the link to the
// sign-in form was forged.
func TestLoginRedirect(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Nell Next", e.Council, e.LocalA)
		// A signed-out visitor is sent to sign in with the page to come
		// back to, and comes back to it.
		b := e.anonymous(t)
		r := b.get("/profile")
		if r.status != http.StatusSeeOther || r.location != "/login?next=%2Fprofile" {
			t.Fatalf("signed-out /profile: %d to %q, want 303 to /login?next=%%2Fprofile", r.status, r.location)
		}
		b.get(r.location).must(t, http.StatusOK, `name="next" value="/profile"`)
		r = b.post("/login", url.Values{"email": {a.Email}, "password": {"correct horse battery"}, "next": {"/profile"}})
		if r.status != http.StatusSeeOther || r.location != "/profile" {
			t.Fatalf("sign in with next=/profile: %d to %q", r.status, r.location)
		}

		for _, next := range []string{
			"/\t/evil.example",
			"/\n/evil.example",
			"/\r\n/evil.example",
			"//evil.example",
			"///evil.example",
			"/\\evil.example",
			"\\\\evil.example",
			"https://evil.example/",
			"javascript:alert(1)",
			"evil.example",
			"/\x00/evil.example",
		} {
			t.Run(url.QueryEscape(next), func(t *testing.T) {
				b := e.anonymous(t)
				form := b.get("/login?next=" + url.QueryEscape(next))
				form.must(t, http.StatusOK, "Sign in to Patchwork")
				if strings.Contains(form.body, "evil.example") || strings.Contains(form.body, "javascript:") {
					t.Fatalf("sign-in form carries the hostile next %q:\n%s", next, form.body)
				}
				r := b.post("/login", url.Values{"email": {a.Email}, "password": {"correct horse battery"}, "next": {next}})
				if r.status != http.StatusSeeOther || r.location != "/" {
					t.Fatalf("sign in with next=%q: %d to %q, want 303 to /", next, r.status, r.location)
				}
				// A failed sign-in keeps no hostile next either.
				bad := e.anonymous(t).post("/login", url.Values{"email": {a.Email}, "password": {"wrong"}, "next": {next}})
				bad.must(t, http.StatusUnauthorized, "Enter a correct email address and password")
				if strings.Contains(bad.body, "evil.example") {
					t.Fatalf("failed sign-in form carries the hostile next %q", next)
				}
			})
		}
	})
}

// TestLoginThrottleParallel: eighty wrong passwords for one account sent at
// once through the sign-in page get exactly five password checks (401) and
// seventy-five refusals (429), on both databases.
func TestLoginThrottleParallel(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Tara Throttle", e.Council, e.LocalA)
		const burst, allowed = 80, 5
		statuses := make([]int, burst)
		errs := make([]error, burst)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				form := url.Values{"email": {a.Email}, "password": {"wrong guess " + strconv.Itoa(i)}}
				res, err := http.Post(e.srv.URL+"/login", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
				if err != nil {
					errs[i] = err
					return
				}
				res.Body.Close()
				statuses[i] = res.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		got := map[int]int{}
		for i, s := range statuses {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			got[s]++
		}
		if len(got) != 2 || got[http.StatusUnauthorized] != allowed || got[http.StatusTooManyRequests] != burst-allowed {
			t.Fatalf("answers %v; want %d × 401 and %d × 429", got, allowed, burst-allowed)
		}
		e.anonymous(t).post("/login", url.Values{"email": {a.Email}, "password": {"correct horse battery"}}).
			must(t, http.StatusTooManyRequests, "Too many failed sign-in attempts")
	})
}
