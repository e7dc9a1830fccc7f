package sqldb_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func TestSessionStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		s := sqldb.NewSessionStore(db)
		if err := s.CommitCtx(ctx, "tok-1", []byte("one"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		b, ok, err := s.FindCtx(ctx, "tok-1")
		if err != nil || !ok || !bytes.Equal(b, []byte("one")) {
			t.Fatalf("find = %q %v %v", b, ok, err)
		}
		// Only a hash of the token is stored.
		var n int
		if err := db.QueryRowForTest(`SELECT COUNT(*) FROM sessions WHERE token_hash = 'tok-1'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("raw token stored: %d %v", n, err)
		}
		if err := s.CommitCtx(ctx, "tok-1", []byte("two"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if b, _, err := s.FindCtx(ctx, "tok-1"); err != nil || string(b) != "two" {
			t.Fatalf("after update = %q, %v", b, err)
		}
		if _, ok, err := s.FindCtx(ctx, "tok-2"); err != nil || ok {
			t.Fatalf("unknown token found (%v)", err)
		}
		// Expired sessions are not found, and are cleaned up.
		now = now.Add(2 * time.Hour)
		if _, ok, err := s.FindCtx(ctx, "tok-1"); err != nil || ok {
			t.Fatalf("expired session found (%v)", err)
		}
		if n, err := s.DeleteExpired(ctx); err != nil || n != 1 {
			t.Fatalf("delete expired = %d, %v", n, err)
		}
		if err := s.CommitCtx(ctx, "tok-3", []byte("x"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCtx(ctx, "tok-3"); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.FindCtx(ctx, "tok-3"); err != nil || ok {
			t.Fatalf("deleted session found (%v)", err)
		}
	})
}
