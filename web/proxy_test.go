package web_test

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestTrustedProxies: behind a trusted load balancer the client's address
// is the last X-Forwarded-For entry (the one the proxy appended); from
// anyone else, the header is ignored, so a forged one cannot dodge sign-in
// throttling or misstate where a session signed in from.
func TestTrustedProxies(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		for _, tc := range []struct {
			name    string
			proxies []netip.Prefix
			want    string
		}{
			{"trusted", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "203.0.113.0/24"},
			{"untrusted", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, "127.0.0.0/24"},
			{"none", nil, "127.0.0.0/24"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnvWith(t, db, app.Options{TrustedProxies: tc.proxies})
				a := e.MustAgent(t, "Proxy "+tc.name, e.Council)
				b := e.anonymous(t)
				form := url.Values{"email": {a.Email}, "password": {sqldbtest.Password}}
				req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, b.base+"/login", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", "198.51.100.7, 203.0.113.9")
				if r := b.do(req); r.status != http.StatusSeeOther {
					t.Fatalf("sign in: %d", r.status)
				}
				r := b.get("/settings/sessions")
				r.must(t, http.StatusOK, tc.want)
				if strings.Contains(r.body, "198.51.100") {
					t.Error("the client-supplied first X-Forwarded-For entry was believed")
				}
			})
		}
	})
}
