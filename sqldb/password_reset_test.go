package sqldb_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

var resetSecret = []byte("test deployment secret")

// fromIP is a context whose request came from ip, with caller a (or none).
func fromIP(ip string, a *patchwork.Agent) context.Context {
	ctx := patchwork.NewContextWithRequestMeta(context.Background(), patchwork.RequestMeta{IP: ip})
	if a != nil {
		ctx = patchwork.NewContextWithCaller(ctx, a)
	}
	return ctx
}

// accountJobs counts the queued account emails of one kind to agentID.
func accountJobs(t *testing.T, db *sqldb.DB, kind string, agentID int64) int {
	t.Helper()
	var n int
	if err := db.QueryRowForTest(`SELECT COUNT(*) FROM jobs WHERE kind = $1 AND payload LIKE $2 AND payload LIKE $3`,
		sqldb.JobAccountEmail, `%"kind":"`+kind+`"%`, `%"agent_id":`+itoa(agentID)+`%`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// lastResetToken derives the token of agentID's newest reset, as the worker
// does for the email.
func lastResetToken(t *testing.T, db *sqldb.DB, agentID int64) string {
	t.Helper()
	var nonce string
	if err := db.QueryRowForTest(`SELECT nonce FROM password_resets WHERE agent_id = $1 ORDER BY id DESC LIMIT 1`,
		agentID).Scan(&nonce); err != nil {
		t.Fatal(err)
	}
	return sqldb.ResetToken(resetSecret, nonce)
}

func TestPasswordReset(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		svc, agents := sqldb.NewPasswordService(db, resetSecret), sqldb.NewAgentService(db)
		store := sqldb.NewSessionStore(db)
		if err := store.Bind(context.Background(), "sam-session", patchwork.SessionInfo{AgentID: sam.ID}, clk.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		ctx := fromIP("198.51.100.7", nil)
		if err := svc.RequestPasswordReset(ctx, " "+sam.Email+" "); err != nil {
			t.Fatal(err)
		}
		if n := accountJobs(t, db, sqldb.AccountEmailReset, sam.ID); n != 1 {
			t.Fatalf("reset emails queued = %d", n)
		}
		token := lastResetToken(t, db, sam.ID)
		// Only the token's hash is stored.
		var n int
		if err := db.QueryRowForTest(`SELECT COUNT(*) FROM password_resets WHERE token_hash = $1 OR nonce = $1`, token).Scan(&n); err != nil || n != 0 {
			t.Fatalf("token stored in the clear: %d %v", n, err)
		}
		if err := svc.CheckPasswordReset(ctx, token); err != nil {
			t.Fatalf("live token: %v", err)
		}
		for _, bad := range []string{"", "nope", token + "x"} {
			if err := svc.CheckPasswordReset(ctx, bad); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		// Refused passwords leave the token live.
		for pw, want := range map[string]string{"short": "12 characters", "1qaz2wsx3edc": "too common", sam.Email: "email address"} {
			err := svc.ResetPassword(ctx, token, pw)
			if f := patchwork.ErrorFields(err)["password"]; !contains(f, want) {
				t.Errorf("password %q: %v %q", pw, err, f)
			}
		}
		const fresh = "lantern marigold tractor"
		if err := svc.ResetPassword(ctx, token, fresh); err != nil {
			t.Fatal(err)
		}
		if err := svc.ResetPassword(ctx, token, "another fine password"); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("token reused: %v", err)
		}
		if _, err := agents.Authenticate(ctx, sam.Email, fresh); err != nil {
			t.Fatalf("new password refused: %v", err)
		}
		if _, err := agents.Authenticate(ctx, sam.Email, sqldbtest.Password); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("old password: %v", err)
		}
		if _, ok, _ := store.FindCtx(context.Background(), "sam-session"); ok {
			t.Fatal("a session survived the reset")
		}
		if n := accountJobs(t, db, sqldb.AccountEmailPasswordChanged, sam.ID); n != 1 {
			t.Fatalf("password-changed emails = %d", n)
		}

		// A link is good for an hour.
		if err := svc.RequestPasswordReset(ctx, sam.Email); err != nil {
			t.Fatal(err)
		}
		token = lastResetToken(t, db, sam.ID)
		clk.Add(sqldb.ResetTTL + time.Second)
		if err := svc.CheckPasswordReset(ctx, token); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("expired token: %v", err)
		}
		if err := svc.ResetPassword(ctx, token, "yet another password"); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("expired token used: %v", err)
		}
	})
}

func TestPasswordResetNobodyAndDeactivated(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		svc := sqldb.NewPasswordService(db, resetSecret)
		ctx := fromIP("198.51.100.7", nil)
		if err := svc.RequestPasswordReset(ctx, "nobody@ashford.test"); err != nil {
			t.Fatalf("unknown address: %v", err)
		}
		if err := svc.RequestPasswordReset(ctx, sam.Email); err != nil {
			t.Fatal(err)
		}
		token := lastResetToken(t, db, sam.ID)
		if err := sqldb.NewAgentService(db).DeactivateAgent(sqldbtest.System(), sam.ID); err != nil {
			t.Fatal(err)
		}
		// The link sent before the deactivation dies with it, and no new
		// one is sent.
		if err := svc.ResetPassword(ctx, token, "lantern marigold tractor"); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("deactivated agent reset: %v", err)
		}
		if err := svc.RequestPasswordReset(ctx, sam.Email); err != nil {
			t.Fatalf("deactivated address: %v", err)
		}
		var resets, jobs int
		if err := db.QueryRowForTest(`SELECT (SELECT COUNT(*) FROM password_resets), (SELECT COUNT(*) FROM jobs WHERE kind = $1)`,
			sqldb.JobAccountEmail).Scan(&resets, &jobs); err != nil || resets != 1 || jobs != 1 {
			t.Fatalf("resets = %d, jobs = %d (%v): want only the one before deactivation", resets, jobs, err)
		}
	})
}

func TestPasswordResetThrottle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		svc := sqldb.NewPasswordService(db, resetSecret)
		// Parallel requests for one address, from many networks: three
		// emails an hour, however they race.
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for i := range 10 {
			wg.Go(func() { errs <- svc.RequestPasswordReset(fromIP("203.0.113."+itoa(int64(i)), nil), sam.Email) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("throttled by address, the answer must not change: %v", err)
			}
		}
		if n := accountJobs(t, db, sqldb.AccountEmailReset, sam.ID); n != 3 {
			t.Fatalf("reset emails = %d, want 3", n)
		}
		// One network asking for many addresses is refused after 20.
		for i := range 20 {
			if err := svc.RequestPasswordReset(fromIP("192.0.2.1", nil), "someone"+itoa(int64(i))+"@ashford.test"); err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
		}
		if err := svc.RequestPasswordReset(fromIP("192.0.2.1", nil), "x@ashford.test"); patchwork.ErrorCode(err) != patchwork.ETOOMANYREQUEST {
			t.Fatalf("21st request from one network: %v", err)
		}
	})
}

func TestLockoutEmail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		agents := sqldb.NewAgentService(db)
		// Wrong passwords in parallel from several networks: the lockout
		// is told once.
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() { agents.Authenticate(fromIP("203.0.113."+itoa(int64(i)), nil), sam.Email, "wrong password") })
		}
		wg.Wait()
		if _, err := agents.Authenticate(fromIP("203.0.113.99", nil), sam.Email, sqldbtest.Password); patchwork.ErrorCode(err) != patchwork.ETOOMANYREQUEST {
			t.Fatalf("after 8 failures: %v", err)
		}
		if n := accountJobs(t, db, sqldb.AccountEmailLockout, sam.ID); n != 1 {
			t.Fatalf("lockout emails = %d, want 1", n)
		}
		// A later lockout, after the window, is told again.
		clk.Add(16 * time.Minute)
		for range 5 {
			agents.Authenticate(fromIP("203.0.113.1", nil), sam.Email, "wrong password")
		}
		if n := accountJobs(t, db, sqldb.AccountEmailLockout, sam.ID); n != 2 {
			t.Fatalf("lockout emails after a second lockout = %d, want 2", n)
		}
		// Failures for an address nobody has email nobody.
		for range 6 {
			agents.Authenticate(fromIP("203.0.113.1", nil), "nobody@ashford.test", "wrong password")
		}
		var n int
		if err := db.QueryRowForTest(`SELECT COUNT(*) FROM jobs WHERE kind = $1`, sqldb.JobAccountEmail).Scan(&n); err != nil || n != 2 {
			t.Fatalf("account emails = %d (%v)", n, err)
		}
	})
}

func TestChangePassword(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		svc, store := sqldb.NewPasswordService(db, resetSecret), sqldb.NewSessionStore(db)
		for _, tok := range []string{"here", "elsewhere"} {
			if err := store.Bind(context.Background(), tok, patchwork.SessionInfo{AgentID: sam.ID}, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		ctx := fromIP("198.51.100.7", sam)
		err := svc.ChangePassword(ctx, "not my password", "lantern marigold tractor", "here")
		if f := patchwork.ErrorFields(err); f["current_password"] == "" {
			t.Fatalf("wrong current password: %v", err)
		}
		err = svc.ChangePassword(ctx, sqldbtest.Password, "password1234", "here")
		if f := patchwork.ErrorFields(err); !contains(f["password"], "too common") {
			t.Fatalf("common password: %v", err)
		}
		if err := svc.ChangePassword(ctx, sqldbtest.Password, "lantern marigold tractor", "here"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := store.FindCtx(context.Background(), "here"); !ok {
			t.Fatal("the session that changed the password ended")
		}
		if _, ok, _ := store.FindCtx(context.Background(), "elsewhere"); ok {
			t.Fatal("another session survived the change")
		}
		if n := accountJobs(t, db, sqldb.AccountEmailPasswordChanged, sam.ID); n != 1 {
			t.Fatalf("password-changed emails = %d", n)
		}
		if err := svc.ChangePassword(context.Background(), "x", "y", "z"); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("no caller: %v", err)
		}
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
