package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"patchwork"
)

// refusingStore is a session store whose saves fail, as on a full disk.
type refusingStore struct{}

var errRefused = errors.New("database or disk is full")

func (refusingStore) Delete(string) error                                   { return errRefused }
func (refusingStore) Find(string) ([]byte, bool, error)                     { return nil, false, nil }
func (refusingStore) Commit(string, []byte, time.Time) error                { return errRefused }
func (refusingStore) DeleteCtx(context.Context, string) error               { return errRefused }
func (refusingStore) FindCtx(context.Context, string) ([]byte, bool, error) { return nil, false, nil }
func (refusingStore) CommitCtx(context.Context, string, []byte, time.Time) error {
	return errRefused
}
func (refusingStore) Bind(context.Context, string, patchwork.SessionInfo, time.Time) error {
	return errRefused
}

// TestFailedSessionSaveSendsOnlyTheErrorPage: when the session cannot be
// saved as a page starts to go out (a flash message read, on a full
// disk), the answer is the error page alone: not the error page with the
// page after it.
func TestFailedSessionSaveSendsOnlyTheErrorPage(t *testing.T) {
	srv, err := NewServer(Config{StorageFull: func(err error) bool { return errors.Is(err, errRefused) }}, Services{},
		refusingStore{}, slog.New(slog.DiscardHandler), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		write func(w http.ResponseWriter)
	}{
		{"status first", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "<h1>Ella Clarke</h1>")
		}},
		{"body only", func(w http.ResponseWriter) { io.WriteString(w, "<h1>Ella Clarke</h1>") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := guardSessions(srv.sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				srv.sessions.Put(r.Context(), "flash", "Attention raised")
				tc.write(w)
			})))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/clients/3", nil))
			body := rec.Body.String()
			if rec.Code != http.StatusServiceUnavailable || !strings.Contains(body, "Patchwork cannot save anything just now") {
				t.Errorf("status %d, want 503 and the storage page\n%s", rec.Code, body)
			}
			if strings.Contains(body, "Ella") {
				t.Errorf("the page followed the error page:\n%s", body)
			}
		})
	}
}
