package web

import "testing"

// TestSafeNext: the page to return to after signing in is a path on this
// site or "/", whatever a hostile link puts in next.
func TestSafeNext(t *testing.T) {
	for _, tc := range []struct {
		name, next, want string
	}{
		{"root", "/", "/"},
		{"page", "/clients/42", "/clients/42"},
		{"page with query", "/search?q=smith&scope=network", "/search?q=smith&scope=network"},
		{"percent-escaped slash stays a path", "/%2F/evil.example", "/%2F/evil.example"},
		{"dot segments stay on the site", "/../evil.example", "/../evil.example"},
		{"empty", "", "/"},
		{"relative", "clients/42", "/"},
		{"scheme", "https://evil.example/", "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"protocol-relative", "//evil.example", "/"},
		{"protocol-relative with path", "//evil.example/clients", "/"},
		{"tab between the slashes", "/\t/evil.example", "/"},
		{"newline between the slashes", "/\n/evil.example", "/"},
		{"carriage return between the slashes", "/\r/evil.example", "/"},
		{"NUL", "/\x00/evil.example", "/"},
		{"DEL", "/\x7f/evil.example", "/"},
		{"C1 control", "/\u0085/evil.example", "/"},
		{"leading backslash", "/\\evil.example", "/"},
		{"backslash later", "/clients\\..\\..\\evil", "/"},
		{"invalid UTF-8", "/clients/\xff", "/"},
		{"leading space", " //evil.example", "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := safeNext(tc.next); got != tc.want {
				t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
			}
		})
	}
}

// TestLoggedPathHidesTokens: the request log never records an invitation's
// token, which is a credential.
func TestLoggedPathHidesTokens(t *testing.T) {
	for path, want := range map[string]string{
		"/invitations/abcDEF123_-": "/invitations/{token}",
		"/clients/12":              "/clients/12",
		"/search":                  "/search",
	} {
		if got := loggedPath(path); got != want {
			t.Errorf("loggedPath(%q) = %q, want %q", path, got, want)
		}
	}
}
