package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"patchwork/app"
	"patchwork/demo"
	"patchwork/sqldb"
)

// benchServer is a demo-seeded SQLite Patchwork with agent1 signed in.
func benchServer(b *testing.B) (http.Handler, string, int64) {
	b.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if err := demo.Seed(ctx, db, demo.DefaultSize); err != nil {
		b.Fatal(err)
	}
	srv, err := app.NewServer(db, app.Options{Demo: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SearchRateLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{
		"email": {"agent1@patchwork.test"}, "password": {"demo"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		b.Fatalf("login: %d", rec.Code)
	}
	cookie := rec.Result().Cookies()[0].String()
	var clientID int64
	if err := db.QueryRowForTest(`SELECT client_id FROM memberships m JOIN agents a ON a.id = m.agent_id
		WHERE a.email = 'agent1@patchwork.test' AND m.left_at IS NULL ORDER BY client_id LIMIT 1`).Scan(&clientID); err != nil {
		b.Fatal(err)
	}
	return h, cookie, clientID
}

func benchGet(b *testing.B, h http.Handler, cookie, path, want string) {
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Cookie", cookie)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
				b.Fatalf("GET %s: %d", path, rec.Code)
			}
		}
	})
}

// BenchmarkClientPage measures a team member opening a client's page: the
// session, the caller, the access check, five reads and the audit append.
func BenchmarkClientPage(b *testing.B) {
	h, cookie, id := benchServer(b)
	benchGet(b, h, cookie, "/clients/"+strconv.FormatInt(id, 10), "Agencies involved")
}

// BenchmarkSearch measures the search page for a common surname across the
// whole demo network.
func BenchmarkSearch(b *testing.B) {
	h, cookie, _ := benchServer(b)
	benchGet(b, h, cookie, "/search?q=smith&scope=network", "Clients")
}
