package sqldb_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func TestSessionStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Sam", w.Council)
		s := sqldb.NewSessionStore(db)
		// A session is loaded only once bound to its agent at sign-in.
		if err := s.CommitCtx(ctx, "tok-1", []byte("one"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.FindCtx(ctx, "tok-1"); ok || err != nil {
			t.Fatalf("unbound session found: %v %v", ok, err)
		}
		if err := s.Bind(ctx, "tok-1", patchwork.SessionInfo{AgentID: a.ID, Device: "Mac", Browser: "Firefox",
			Area: "203.0.113.0/24"}, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
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
		if b, _, _ := s.FindCtx(ctx, "tok-1"); string(b) != "two" {
			t.Fatalf("after update = %q", b)
		}
		if _, ok, _ := s.FindCtx(ctx, "tok-2"); ok {
			t.Fatal("unknown token found")
		}
		// A deleted session that a request still in flight commits again
		// is written back unbound, and stays signed out.
		if err := s.DeleteCtx(ctx, "tok-1"); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitCtx(ctx, "tok-1", []byte("two"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.FindCtx(ctx, "tok-1"); ok {
			t.Fatal("a deleted session came back")
		}
		// Expired sessions are not found, and are cleaned up.
		if err := s.Bind(ctx, "tok-3", patchwork.SessionInfo{AgentID: a.ID}, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Hour)
		if _, ok, _ := s.FindCtx(ctx, "tok-3"); ok {
			t.Fatal("expired session found")
		}
		if n, err := s.DeleteExpired(ctx); err != nil || n != 2 {
			t.Fatalf("delete expired = %d, %v", n, err)
		}
	})
}

func TestSessionService(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		w := sqldbtest.MustWorld(t, db)
		sam, kim := w.MustAgent(t, "Sam", w.Council), w.MustAgent(t, "Kim", w.Council)
		store, svc := sqldb.NewSessionStore(db), sqldb.NewSessionService(db)
		bind := func(token string, a *patchwork.Agent, browser string) {
			t.Helper()
			if err := store.Bind(ctx, token, patchwork.SessionInfo{AgentID: a.ID, Device: "Mac", Browser: browser,
				Area: "203.0.113.0/24"}, now.Add(12*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		bind("sam-laptop", sam, "Firefox")
		now = now.Add(time.Minute)
		bind("sam-phone", sam, "Safari")
		bind("sam-old", sam, "Chrome")
		bind("kim", kim, "Edge")
		now = now.Add(40 * time.Minute)
		// sam-old has been idle for 40 minutes; the others were used since.
		for _, tok := range []string{"sam-laptop", "sam-phone", "kim"} {
			if err := store.CommitCtx(ctx, tok, []byte("{}"), now.Add(11*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		list, err := svc.FindSessions(sqldbtest.As(sam), "sam-phone", 30*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("sessions = %d, want Sam's two live ones", len(list))
		}
		for _, x := range list {
			if x.Current != (x.Browser == "Safari") || x.Device != "Mac" || x.Area != "203.0.113.0/24" ||
				!x.LastSeen.Equal(now) || x.ID == "" {
				t.Errorf("session %+v", x)
			}
		}
		if _, err := svc.FindSessions(context.Background(), "x", time.Hour); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("no caller: %v", err)
		}
		n, err := svc.EndOtherSessions(sqldbtest.As(sam), "sam-phone")
		if err != nil || n != 2 {
			t.Fatalf("end others = %d, %v; want the laptop and the idle one", n, err)
		}
		for tok, want := range map[string]bool{"sam-phone": true, "sam-laptop": false, "sam-old": false, "kim": true} {
			if _, ok, _ := store.FindCtx(ctx, tok); ok != want {
				t.Errorf("after sign out everywhere else, %s found = %v", tok, ok)
			}
		}
	})
}

func TestDeactivationEndsSessions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := sqldbtest.MustWorld(t, db)
		sam, kim := w.MustAgent(t, "Sam", w.Council), w.MustAgent(t, "Kim", w.Council)
		store := sqldb.NewSessionStore(db)
		for tok, a := range map[string]*patchwork.Agent{"sam": sam, "kim": kim} {
			if err := store.Bind(ctx, tok, patchwork.SessionInfo{AgentID: a.ID}, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if err := sqldb.NewAgentService(db).DeactivateAgent(sqldbtest.System(), sam.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowForTest(`SELECT COUNT(*) FROM sessions WHERE agent_id = $1`, sam.ID).Scan(&n); err != nil || n != 0 {
			t.Fatalf("deactivated agent has %d sessions (%v)", n, err)
		}
		if _, ok, _ := store.FindCtx(ctx, "kim"); !ok {
			t.Fatal("another agent's session ended")
		}
	})
}
