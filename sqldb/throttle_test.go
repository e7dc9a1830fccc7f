package sqldb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// signInBurst sends n sign-ins at once, attempt i as email(i) and pw from
// ip(i), and counts the answers by error code ("" for success).
func signInBurst(t *testing.T, svc *sqldb.AgentService, n int, email, pw, ip func(i int) string) map[string]int {
	t.Helper()
	codes := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := svc.Authenticate(fromIP(ip(i), nil), email(i), pw(i))
			codes[i] = patchwork.ErrorCode(err)
		}()
	}
	close(start)
	wg.Wait()
	got := map[string]int{}
	for _, c := range codes {
		got[c]++
	}
	return got
}

// TestSignInThrottleParallel: eighty guesses sent at once get no more
// password checks than the limit allows — per account (known or unknown
// email, from many addresses) and per address (many emails) — on both
// databases.
func TestSignInThrottleParallel(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Ann Auth", w.Council, w.LocalA)
		svc := sqldb.NewAgentService(db)
		const burst = 80
		same := func(s string) func(int) string { return func(int) string { return s } }
		numbered := func(f string) func(int) string { return func(i int) string { return fmt.Sprintf(f, i) } }
		for _, tc := range []struct {
			name      string
			email, ip func(int) string
			allowed   int
		}{
			{"one account from many addresses", same(a.Email), numbered("10.1.0.%d"), 5},
			{"one unknown email from many addresses", same("ghost@ashford.test"), numbered("10.2.0.%d"), 5},
			{"many emails from one address", numbered("guess%d@ashford.test"), same("10.3.0.1"), 50},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := signInBurst(t, svc, burst, tc.email, numbered("wrong guess %d"), tc.ip)
				want := map[string]int{patchwork.EUNAUTHORIZED: tc.allowed, patchwork.ETOOMANYREQUEST: burst - tc.allowed}
				if len(got) != 2 || got[patchwork.EUNAUTHORIZED] != want[patchwork.EUNAUTHORIZED] ||
					got[patchwork.ETOOMANYREQUEST] != want[patchwork.ETOOMANYREQUEST] {
					t.Fatalf("answers %v, want %v", got, want)
				}
			})
		}
		// The right password is refused too while the account is throttled;
		// once the window has passed, it signs in.
		if _, err := svc.Authenticate(fromIP("10.4.0.1", nil), a.Email, sqldbtest.Password); patchwork.ErrorCode(err) != patchwork.ETOOMANYREQUEST {
			t.Fatalf("throttled account, right password: %v", err)
		}
		clk.Add(15*time.Minute + time.Second)
		if _, err := svc.Authenticate(fromIP("10.4.0.1", nil), a.Email, sqldbtest.Password); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// Good sign-ins are no guesses: they give the address its slot back
		// and start the account's count again.
		b := w.MustAgent(t, "Ben Busy", w.Council, w.LocalA)
		for i := 0; i < 3; i++ {
			if _, err := svc.Authenticate(fromIP("10.5.0.1", nil), b.Email, sqldbtest.Password); err != nil {
				t.Fatalf("good sign-in %d: %v", i, err)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM login_attempts WHERE key = 'address:10.5.0.1' AND n = 0`); n != 1 {
			t.Fatal("good sign-ins were counted against the address")
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM login_attempts WHERE key = 'account:`+b.Email+`'`); n != 0 {
			t.Fatal("good sign-ins were counted against the account")
		}
		got := signInBurst(t, svc, 10, same(b.Email), numbered("wrong %d"), same("10.5.0.1"))
		if got[patchwork.EUNAUTHORIZED] != 5 || got[patchwork.ETOOMANYREQUEST] != 5 {
			t.Fatalf("after good sign-ins, answers %v; want 5 and 5", got)
		}
		// Old windows are purged.
		clk.Add(time.Hour)
		if n, err := db.PurgeLoginAttempts(context.Background()); err != nil || n == 0 {
			t.Fatalf("purged %d (%v)", n, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM login_attempts`); n != 0 {
			t.Fatalf("%d sign-in counts left after purge", n)
		}
	})
}
