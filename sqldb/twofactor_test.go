package sqldb_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// codeAt is the code an authenticator app shows for secret at t.
func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// mustEnrol sets up a second factor for a and returns its secret and
// recovery codes; the clock is then moved on a step, so the enrolment's
// code is spent.
func mustEnrol(t *testing.T, db *sqldb.DB, clk *sqldbtest.Clock, a *patchwork.Agent) (string, []string) {
	t.Helper()
	svc := sqldb.NewTwoFactorService(db)
	ctx := fromIP("198.51.100.9", a)
	e, err := svc.StartTwoFactor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := svc.ConfirmTwoFactor(ctx, codeAt(t, e.Secret, clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(30 * time.Second)
	return e.Secret, codes
}

func TestTwoFactorEnrolment(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		svc := sqldb.NewTwoFactorService(db)
		ctx := fromIP("198.51.100.9", sam)
		e, err := svc.StartTwoFactor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Secret) < 16 || !strings.HasPrefix(e.URL, "otpauth://totp/Patchwork:") || !strings.Contains(e.URL, "secret="+e.Secret) {
			t.Fatalf("enrolment %+v", e)
		}
		// Asking again shows the same secret until it is confirmed.
		if again, err := svc.StartTwoFactor(ctx); err != nil || again.Secret != e.Secret {
			t.Fatalf("second start: %+v %v", again, err)
		}
		// The secret is stored encrypted, never as the base32 text.
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM two_factor WHERE secret LIKE $1`, "%"+e.Secret+"%"); n != 0 {
			t.Fatal("secret stored in the clear")
		}
		if st, err := svc.FindTwoFactor(ctx); err != nil || st.Enabled {
			t.Fatalf("before confirming: %+v %v", st, err)
		}
		for _, bad := range []string{"", "12345", "abcdef"} {
			if _, err := svc.ConfirmTwoFactor(ctx, bad); patchwork.ErrorFields(err)["code"] == "" {
				t.Errorf("code %q: %v", bad, err)
			}
		}
		wrong := codeAt(t, e.Secret, clk.Now().Add(10*time.Minute))
		if _, err := svc.ConfirmTwoFactor(ctx, wrong); patchwork.ErrorFields(err)["code"] == "" {
			t.Fatalf("wrong code: %v", err)
		}
		code := codeAt(t, e.Secret, clk.Now())
		codes, err := svc.ConfirmTwoFactor(ctx, code[:3]+" "+code[3:])
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != patchwork.RecoveryCodeCount {
			t.Fatalf("%d recovery codes", len(codes))
		}
		for _, c := range codes {
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM recovery_codes WHERE code_hash = $1 OR code_hash = $2`,
				c, strings.ReplaceAll(c, "-", "")); n != 0 {
				t.Fatal("recovery code stored in the clear")
			}
		}
		if _, err := svc.StartTwoFactor(ctx); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Fatalf("start when enrolled: %v", err)
		}
		st, err := svc.FindTwoFactor(ctx)
		if err != nil || !st.Enabled || st.RecoveryCodes != 10 {
			t.Fatalf("after confirming: %+v %v", st, err)
		}
		if n := accountJobs(t, db, sqldb.AccountEmailTwoFactorOn, sam.ID); n != 1 {
			t.Fatalf("set-up emails queued: %d", n)
		}
		// Sign-in now says the agent has a second factor.
		a, err := sqldb.NewAgentService(db).Authenticate(fromIP("198.51.100.9", nil), sam.Email, sqldbtest.Password)
		if err != nil || !a.TwoFactor {
			t.Fatalf("authenticate: %+v %v", a, err)
		}
		// The code that confirmed the enrolment cannot also sign in.
		if _, err := svc.VerifySignInCode(fromIP("198.51.100.9", nil), sam.ID, code); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("enrolment code replayed at sign-in: %v", err)
		}
	})
}

// TestTwoFactorReplay proves a code is accepted once only: the same code
// again, even within its 30 seconds, and a code of an earlier step still
// inside the allowed clock drift are refused; so is one of two requests
// racing with one code.
func TestTwoFactorReplay(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		svc := sqldb.NewTwoFactorService(db)
		ctx := fromIP("198.51.100.9", nil)
		// Two steps share a code once in a million secrets; enrol another
		// agent (a new random secret) until they differ, so the test always
		// runs instead of skipping.
		var sam *patchwork.Agent
		var secret, earlier, now string
		for i := 0; ; i++ {
			if i == 5 {
				t.Fatal("five secrets in a row gave two steps one code")
			}
			sam = w.MustAgent(t, fmt.Sprintf("Sam %d", i), w.Council)
			secret, _ = mustEnrol(t, db, clk, sam)
			earlier = codeAt(t, secret, clk.Now().Add(-30*time.Second)) // the enrolment's step
			now = codeAt(t, secret, clk.Now())
			if now != earlier {
				break
			}
		}
		if _, err := svc.VerifySignInCode(ctx, sam.ID, now); err != nil {
			t.Fatalf("current code: %v", err)
		}
		if _, err := svc.VerifySignInCode(ctx, sam.ID, now); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("same code again: %v", err)
		}
		clk.Add(30 * time.Second)
		// The previous step is within the drift allowed, but was accepted.
		if _, err := svc.VerifySignInCode(ctx, sam.ID, now); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("previous step's code: %v", err)
		}
		// Two requests with one new code: exactly one wins.
		racing := codeAt(t, secret, clk.Now())
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.VerifySignInCode(ctx, sam.ID, racing); err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("one code accepted %d times", wins)
		}
	})
}

func TestRecoveryCodeUsedOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		_, codes := mustEnrol(t, db, clk, sam)
		svc := sqldb.NewTwoFactorService(db)
		ctx := fromIP("198.51.100.9", nil)
		recovery, err := svc.VerifySignInCode(ctx, sam.ID, strings.ToUpper(codes[0]))
		if err != nil || !recovery {
			t.Fatalf("recovery code: %v %v", recovery, err)
		}
		if _, err := svc.VerifySignInCode(ctx, sam.ID, codes[0]); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("used recovery code again: %v", err)
		}
		st, err := svc.FindTwoFactor(sqldbtest.As(sam))
		if err != nil || st.RecoveryCodes != 9 {
			t.Fatalf("status %+v %v", st, err)
		}
		// A used code cannot reset the second factor either; an unused one
		// does, once.
		if err := svc.ResetOwnTwoFactor(fromIP("198.51.100.9", sam), codes[0]); patchwork.ErrorFields(err)["code"] == "" {
			t.Fatalf("reset with a used code: %v", err)
		}
		if err := svc.ResetOwnTwoFactor(fromIP("198.51.100.9", sam), codes[1]); err != nil {
			t.Fatal(err)
		}
		if st, err := svc.FindTwoFactor(sqldbtest.As(sam)); err != nil || st.Enabled {
			t.Fatalf("after reset: %+v %v", st, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM recovery_codes WHERE agent_id = $1`, sam.ID); n != 0 {
			t.Fatalf("%d recovery codes left after reset", n)
		}
		if n := accountJobs(t, db, sqldb.AccountEmailTwoFactorReset, sam.ID); n != 1 {
			t.Fatalf("reset emails: %d", n)
		}
		if _, err := svc.VerifySignInCode(ctx, sam.ID, codes[2]); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("old recovery code after reset: %v", err)
		}
	})
}

// TestTwoFactorThrottle proves wrong codes are throttled like passwords:
// of many sent at once, at most five are checked, and then even the right
// code is refused until the window ends; a right code gives the slots back.
func TestTwoFactorThrottle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		secret, _ := mustEnrol(t, db, clk, sam)
		svc := sqldb.NewTwoFactorService(db)
		ctx := fromIP("198.51.100.9", nil)
		right := codeAt(t, secret, clk.Now())
		wrong := "000000"
		if wrong == right {
			wrong = "111111"
		}
		// One right code first: it gives its slot back.
		if _, err := svc.VerifySignInCode(ctx, sam.ID, right); err != nil {
			t.Fatal(err)
		}
		clk.Add(30 * time.Second)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string]int{}
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.VerifySignInCode(ctx, sam.ID, wrong)
				mu.Lock()
				codes[patchwork.ErrorCode(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[patchwork.EUNAUTHORIZED] != 5 || codes[patchwork.ETOOMANYREQUEST] != 15 {
			t.Fatalf("answers %v, want 5 checked and 15 refused", codes)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`,
			patchwork.AuditTwoFactorFailed, sam.ID); n != 5 {
			t.Fatalf("%d failures audited", n)
		}
		if _, err := svc.VerifySignInCode(ctx, sam.ID, codeAt(t, secret, clk.Now())); patchwork.ErrorCode(err) != patchwork.ETOOMANYREQUEST {
			t.Fatalf("right code while throttled: %v", err)
		}
		// The owner is told once that someone has their password.
		if n := accountJobs(t, db, sqldb.AccountEmailCodeLockout, sam.ID); n != 1 {
			t.Fatalf("code lockout emails queued: %d", n)
		}
		clk.Add(16 * time.Minute)
		if _, err := svc.VerifySignInCode(ctx, sam.ID, codeAt(t, secret, clk.Now())); err != nil {
			t.Fatalf("right code after the window: %v", err)
		}
	})
}

func TestAdminResetsTwoFactor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		kim := w.MustAgent(t, "Kim", w.Council)
		admin := &patchwork.Agent{Email: "admin@ashford.test", Name: "Ada Admin", AgencyID: w.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		secret, _ := mustEnrol(t, db, clk, sam)
		svc := sqldb.NewTwoFactorService(db)
		if _, err := svc.ResetTwoFactor(sqldbtest.As(kim), sam.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("non-admin reset: %v", err)
		}
		// Another district's area admin meets Sam as missing.
		south := w.MustElsewhere(t)
		southAdmin := w.MustAreaAdmin(t, "Sol Southadmin", south.Agency, south.District)
		if _, err := svc.ResetTwoFactor(sqldbtest.As(southAdmin), sam.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("another district's admin: %v", err)
		}
		if _, err := svc.ResetTwoFactor(sqldbtest.As(admin), 999999); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("reset of a missing agent: %v", err)
		}
		if reset, err := svc.ResetTwoFactor(sqldbtest.As(admin), kim.ID); err != nil || reset {
			t.Fatalf("reset of an agent without a second factor: %v %v", reset, err)
		}
		if reset, err := svc.ResetTwoFactor(sqldbtest.As(admin), sam.ID); err != nil || !reset {
			t.Fatalf("reset: %v %v", reset, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2 AND detail = $3`,
			patchwork.AuditTwoFactorAdminReset, admin.ID, "agent="+itoa(sam.ID)); n != 1 {
			t.Fatalf("reset audited %d times", n)
		}
		if n := accountJobs(t, db, sqldb.AccountEmailTwoFactorAdminReset, sam.ID); n != 1 {
			t.Fatalf("reset emails: %d", n)
		}
		if _, err := svc.VerifySignInCode(fromIP("198.51.100.9", nil), sam.ID, codeAt(t, secret, clk.Now())); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Fatalf("old secret after reset: %v", err)
		}
		a, err := sqldb.NewAgentService(db).Authenticate(fromIP("198.51.100.9", nil), sam.Email, sqldbtest.Password)
		if err != nil || a.TwoFactor {
			t.Fatalf("authenticate after reset: %+v %v", a, err)
		}
	})
}
