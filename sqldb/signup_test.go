package sqldb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// lastSignupToken derives the token of the newest sign-up for email, as the
// worker does for the email.
func lastSignupToken(t *testing.T, db *sqldb.DB, email string) string {
	t.Helper()
	var nonce string
	if err := db.QueryRowForTest(`SELECT nonce FROM signups WHERE email = $1 ORDER BY id DESC LIMIT 1`, email).Scan(&nonce); err != nil {
		t.Fatal(err)
	}
	return sqldb.SignupToken(resetSecret, nonce)
}

// newcomer is a complete profile for a sign-up.
func newcomer(w *sqldbtest.World) patchwork.AgentUpdate {
	return patchwork.AgentUpdate{Name: "Nia Newcomer", Role: "Health visitor", PreferredContact: patchwork.ContactEmail,
		AreaIDs: []int64{w.LocalA.ID, w.District.ID}}
}

// TestSignupTokenOnce: a sign-up link creates one agent, once, even when
// two requests race with it; the agent gets only the local areas chosen.
func TestSignupTokenOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		svc := sqldb.NewSignupService(db, resetSecret)
		ctx := fromIP("192.0.2.1", nil)
		const addr = "nia@ashford.test"
		if err := svc.RequestSignup(ctx, addr); err != nil {
			t.Fatal(err)
		}
		token := lastSignupToken(t, db, addr)
		su, err := svc.FindSignup(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if su.Email != addr || len(su.Agencies) != 1 || su.Agencies[0].ID != w.Council.ID || len(su.Areas) != 2 {
			t.Fatalf("signup = %+v", su)
		}
		// A forged token and a reset token of the same nonce are not it.
		if _, err := svc.FindSignup(ctx, token+"x"); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("forged token: %v", err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = svc.CompleteSignup(ctx, token, w.Council.ID, newcomer(w), "lantern marigold tractor")
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch patchwork.ErrorCode(err) {
			case "":
				ok++
			case patchwork.ENOTFOUND:
			default:
				t.Errorf("racing completion: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("completions that passed = %d, want 1", ok)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agents WHERE email = $1 AND active = 1`, addr); n != 1 {
			t.Fatalf("agents = %d", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agent_areas r JOIN agents a ON a.id = r.agent_id
			WHERE a.email = $1`, addr); n != 1 {
			t.Errorf("areas = %d, want the one local area", n)
		}
		if _, err := svc.FindSignup(ctx, token); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("used token: %v", err)
		}
		if _, err := sqldb.NewAgentService(db).Authenticate(ctx, addr, "lantern marigold tractor"); err != nil {
			t.Errorf("the new agent cannot sign in: %v", err)
		}
	})
}

// TestSignupExpiry: a link works until SignupTTL after it was sent; an
// admin's approval link for ApprovedSignupTTL.
func TestSignupExpiry(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		svc := sqldb.NewSignupService(db, resetSecret)
		ctx := fromIP("192.0.2.1", nil)
		if err := svc.RequestSignup(ctx, "late@ashford.test"); err != nil {
			t.Fatal(err)
		}
		token := lastSignupToken(t, db, "late@ashford.test")
		clk.Add(sqldb.SignupTTL - time.Second)
		if _, err := svc.FindSignup(ctx, token); err != nil {
			t.Fatalf("just before expiry: %v", err)
		}
		clk.Add(time.Second)
		if _, err := svc.FindSignup(ctx, token); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("at expiry: %v", err)
		}
		if _, err := svc.CompleteSignup(ctx, token, w.Council.ID, newcomer(w), "lantern marigold tractor"); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("complete after expiry: %v", err)
		}
		// The worker's cleanup keeps expired links a day, then deletes them.
		if n, err := db.PurgeSignups(context.Background()); err != nil || n != 0 {
			t.Fatalf("purge at expiry: %d, %v", n, err)
		}
		clk.Add(25 * time.Hour)
		if n, err := db.PurgeSignups(context.Background()); err != nil || n != 1 {
			t.Fatalf("purge a day later: %d, %v", n, err)
		}
	})
}

// TestSignupAddresses: an address with an account gets an account email
// instead of a link, a deactivated one nothing, and any address at most
// three emails an hour; the answer is nil for each.
func TestSignupAddresses(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		gone := w.MustAgent(t, "Gil", w.Council)
		if err := sqldb.NewAgentService(db).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		svc := sqldb.NewSignupService(db, resetSecret)
		ctx := fromIP("192.0.2.1", nil)
		for _, addr := range []string{sam.Email, " " + sam.Email + " ", gone.Email, "not an address", "x@unknown.test"} {
			if err := svc.RequestSignup(ctx, addr); err != nil {
				t.Errorf("%q: %v", addr, err)
			}
		}
		if n := accountJobs(t, db, sqldb.AccountEmailSignupExists, sam.ID); n != 2 {
			t.Errorf("account emails to the owner = %d, want 2", n)
		}
		if n := accountJobs(t, db, sqldb.AccountEmailSignupExists, gone.ID); n != 0 {
			t.Errorf("account emails to the deactivated agent = %d", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM signups`); n != 1 {
			t.Errorf("sign-up links = %d, want the unknown domain's only", n)
		}
		for range 4 {
			if err := svc.RequestSignup(ctx, "x@unknown.test"); err != nil {
				t.Fatal(err)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM signups WHERE email = 'x@unknown.test'`); n != 3 {
			t.Errorf("links to one address = %d, want 3", n)
		}
		su, err := svc.FindSignup(ctx, lastSignupToken(t, db, "x@unknown.test"))
		if err != nil || len(su.Agencies) != 0 {
			t.Fatalf("unknown domain's sign-up: %+v, %v", su, err)
		}
		if _, err := svc.CompleteSignup(ctx, lastSignupToken(t, db, "x@unknown.test"), w.Council.ID, newcomer(w),
			"lantern marigold tractor"); patchwork.ErrorFields(err)["agency"] == "" {
			t.Fatalf("an unknown domain joined an agency: %v", err)
		}
	})
}

// TestSignupIPLimit: one network address gets 20 requests an hour, however
// many arrive together.
func TestSignupIPLimit(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sqldbtest.MustWorld(t, db)
		svc := sqldb.NewSignupService(db, resetSecret)
		ctx := fromIP("192.0.2.9", nil)
		var wg sync.WaitGroup
		errs := make([]error, 30)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = svc.RequestSignup(ctx, "p"+itoa(int64(i))+"@ashford.test")
			}()
		}
		wg.Wait()
		limited := 0
		for _, err := range errs {
			if patchwork.ErrorCode(err) == patchwork.ETOOMANYREQUEST {
				limited++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		if limited != 10 {
			t.Fatalf("refused = %d, want 10", limited)
		}
		if err := svc.RequestSignup(fromIP("192.0.2.10", nil), "q@ashford.test"); err != nil {
			t.Fatalf("another network address: %v", err)
		}
	})
}

// TestAccessRequestDecisions: a request is decided once; approval can add
// the domain to the agency and sends a link into that agency only.
func TestAccessRequestDecisions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		svc := sqldb.NewSignupService(db, resetSecret)
		ctx := fromIP("192.0.2.1", nil)
		ask := func(addr string) *patchwork.AccessRequest {
			t.Helper()
			if err := svc.RequestSignup(ctx, addr); err != nil {
				t.Fatal(err)
			}
			token := lastSignupToken(t, db, addr)
			r := &patchwork.AccessRequest{AgencyName: "New Trust", ManagerName: "Morgan", ManagerEmail: "m@newtrust.test",
				Reason: "Health visitor"}
			if err := svc.RequestAccess(ctx, token, &patchwork.AccessRequest{}); patchwork.ErrorFields(err)["agency_name"] == "" {
				t.Fatalf("empty request: %v", err)
			}
			if err := svc.RequestAccess(ctx, token, r); err != nil {
				t.Fatal(err)
			}
			if err := svc.RequestAccess(ctx, token, r); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Fatalf("the token asked twice: %v", err)
			}
			return r
		}
		a, b := ask("rowan@newtrust.test"), ask("pat@nowhere.test")
		sys := sqldbtest.System()
		if err := svc.ApproveAccessRequest(sys, a.ID, 999999, true); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("approve for a missing agency: %v", err)
		}
		if err := svc.ApproveAccessRequest(sys, a.ID, w.Sensitive.ID, false); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{svc.ApproveAccessRequest(sys, a.ID, w.Council.ID, true), svc.RefuseAccessRequest(sys, a.ID)} {
			if patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Fatalf("a decided request decided again: %v", err)
			}
		}
		su, err := svc.FindSignup(ctx, lastSignupToken(t, db, a.Email))
		if err != nil || len(su.Agencies) != 1 || su.Agencies[0].ID != w.Sensitive.ID {
			t.Fatalf("approved sign-up: %+v, %v", su, err)
		}
		domains, err := db.FindAgencyDomains(context.Background(), w.Sensitive.ID)
		if err != nil || len(domains) != 1 {
			t.Fatalf("without add_domain the domains are %v, %v", domains, err)
		}
		if err := svc.RefuseAccessRequest(sys, b.ID); err != nil {
			t.Fatal(err)
		}
		reqs, _, err := svc.FindAccessRequests(sys, patchwork.AccessRequestFilter{Decided: true})
		if err != nil || len(reqs) != 2 || reqs[0].Status == patchwork.AccessPending {
			t.Fatalf("requests = %+v, %v", reqs, err)
		}
		// Approving with the domain lets the domain sign up directly.
		c := ask("kit@later.test")
		if err := svc.ApproveAccessRequest(sys, c.ID, w.Council.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := svc.RequestSignup(ctx, "lee@later.test"); err != nil {
			t.Fatal(err)
		}
		su, err = svc.FindSignup(ctx, lastSignupToken(t, db, "lee@later.test"))
		if err != nil || len(su.Agencies) != 1 || su.Agencies[0].ID != w.Council.ID {
			t.Fatalf("a colleague at the added domain: %+v, %v", su, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, sqldb.JobSignupEmail); n != 3+2+1+1 {
			t.Errorf("sign-up emails queued = %d, want 7", n)
		}
	})
}

// TestBeginVerifiedSignup: an address proven elsewhere (an invitation)
// starts at the profile step, and carries where to go afterwards.
func TestBeginVerifiedSignup(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		svc := sqldb.NewSignupService(db, resetSecret)
		token, err := svc.BeginVerifiedSignup(context.Background(), "Invited@Ashford.test", "/invitations/abc")
		if err != nil {
			t.Fatal(err)
		}
		su, err := svc.FindSignup(context.Background(), token)
		if err != nil || su.Email != "invited@ashford.test" || su.Next != "/invitations/abc" || len(su.Agencies) != 1 {
			t.Fatalf("signup = %+v, %v", su, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs`); n != 0 {
			t.Errorf("%d jobs queued: nothing is emailed", n)
		}
		if _, err := svc.CompleteSignup(context.Background(), token, w.Council.ID, newcomer(w), "lantern marigold tractor"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAgencyDomains: an agency's own domain is its first; the CLI and demo
// add more, only as admins or the system.
func TestAgencyDomains(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		agencies := sqldb.NewAgencyService(db)
		member := w.MustAgent(t, "Mo", w.Council)
		if err := agencies.AddAgencyDomain(sqldbtest.As(member), w.Council.ID, "x.test"); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("a non-admin added a domain: %v", err)
		}
		if err := agencies.AddAgencyDomain(sqldbtest.System(), w.Council.ID, "not a domain"); patchwork.ErrorFields(err)["domain"] == "" {
			t.Fatalf("bad domain: %v", err)
		}
		for range 2 {
			if err := agencies.AddAgencyDomain(sqldbtest.System(), w.Council.ID, "Patchwork.TEST"); err != nil {
				t.Fatal(err)
			}
		}
		domains, err := db.FindAgencyDomains(context.Background(), w.Council.ID)
		if err != nil || len(domains) != 2 || domains[0] != "ashford.test" || domains[1] != "patchwork.test" {
			t.Fatalf("domains = %v, %v", domains, err)
		}
	})
}
