package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"patchwork"
)

// TestErrorStatus is the error-code table: each code is answered with one
// status, and a page shows it (EUNAUTHORIZED as a redirect to sign in).
func TestErrorStatus(t *testing.T) {
	s, err := NewServer(Config{}, Services{}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		err        error
		status     int // errorStatus
		pageStatus int // what fail writes
		body       string
	}{
		{patchwork.Errorf(patchwork.ECONFLICT, "Already done."), 409, 409, "Already done."},
		{patchwork.Invalid(map[string]string{"x": "Wrong"}), 422, 422, "There is a problem with what you entered."},
		{patchwork.ErrUnauthorized, 401, 303, ""},
		{patchwork.Errorf(patchwork.EFORBIDDEN, "Not for you."), 403, 403, "Not for you."},
		{patchwork.ErrNotFound, 404, 404, "Client not found"}, // the request is for /clients/1
		{patchwork.Errorf(patchwork.ETOOMANYREQUEST, "Slow down."), 429, 429, "Slow down."},
		{patchwork.Errorf(patchwork.EINTERNAL, "secret detail"), 500, 500, "Please try again later."},
		{io.ErrUnexpectedEOF, 500, 500, "Please try again later."},
		{patchwork.Errorf("no_such_code", "secret detail"), 500, 500, "Please try again later."},
	} {
		code := patchwork.ErrorCode(tc.err)
		if got := errorStatus(tc.err); got != tc.status {
			t.Errorf("%s: status %d, want %d", code, got, tc.status)
		}
		rec := httptest.NewRecorder()
		s.fail(rec, httptest.NewRequest(http.MethodGet, "/clients/1", nil), tc.err)
		if rec.Code != tc.pageStatus || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s: page %d %q, want %d containing %q", code, rec.Code, rec.Body.String(), tc.pageStatus, tc.body)
		}
		if strings.Contains(rec.Body.String(), "secret detail") {
			t.Errorf("%s: page shows an internal error's detail", code)
		}
		if tc.pageStatus == 303 && rec.Header().Get("Location") != "/login?next=%2Fclients%2F1" {
			t.Errorf("%s: redirect to %q, want the sign-in page", code, rec.Header().Get("Location"))
		}
	}
	for _, code := range []string{patchwork.ECONFLICT, patchwork.EINVALID, patchwork.EUNAUTHORIZED, patchwork.EFORBIDDEN,
		patchwork.ENOTFOUND, patchwork.ETOOMANYREQUEST, patchwork.EINTERNAL} {
		if _, ok := codeStatus[code]; !ok {
			t.Errorf("code %s has no status", code)
		}
	}
}
