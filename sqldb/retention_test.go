package sqldb_test

import (
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestRetention: a client whose last member left a year ago is listed for
// review, one someone rejoins is taken off the list, and a month after
// being listed a client still without a team is erased for good, audited
// as an erasure by the system with the rule as its reason.
func TestRetention(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Ann Agent", w.Council, w.LocalA)
		b := w.MustAgent(t, "Ben Agent", w.Council, w.LocalA)
		admin := mustAdminAgent(t, w)
		clients := sqldb.NewClientService(db)
		leave := func(cl *patchwork.Client) {
			t.Helper()
			if err := clients.LeaveTeam(sqldbtest.As(a), cl.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
				t.Fatal(err)
			}
		}
		clock.Set(time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC))
		gone := w.MustClient(t, a, "Gwen", "Goneaway", "01/01/2010")
		back := w.MustClient(t, a, "Bert", "Backagain", "01/01/2011")
		kept := w.MustClient(t, a, "Kim", "Keptonteam", "01/01/2012")
		leave(gone)
		leave(back)
		run := func(wantListed, wantErased int) {
			t.Helper()
			listed, erased, err := db.RunRetention(sqldbtest.System())
			if err != nil || listed != wantListed || erased != wantErased {
				t.Fatalf("retention: listed %d, erased %d, %v; want %d, %d", listed, erased, err, wantListed, wantErased)
			}
		}
		clock.Add(300 * 24 * time.Hour)
		run(0, 0)
		clock.Add(70 * 24 * time.Hour) // 370 days without a member
		run(2, 0)
		review, _, err := sqldb.NewRetentionService(db).FindRetentionReview(sqldbtest.As(admin), 1)
		if err != nil || len(review) != 2 || review[0].ClientID != gone.ID || review[1].ClientID != back.ID {
			t.Fatalf("review list: %+v, %v", review, err)
		}
		if _, _, err := sqldb.NewRetentionService(db).FindRetentionReview(sqldbtest.As(a), 1); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("review list for an agent: %v", err)
		}
		w.MustJoin(t, b, back)
		clock.Add(31 * 24 * time.Hour)
		run(0, 1)
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients WHERE id = $1 AND erased_at IS NOT NULL AND last_name = ''`, gone.ID); n != 1 {
			t.Fatal("the client without a team was not erased")
		}
		for _, cl := range []*patchwork.Client{back, kept} {
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients WHERE id = $1 AND erased_at IS NULL AND retention_flagged_at IS NULL`, cl.ID); n != 1 {
				t.Errorf("client %d was erased or is still listed", cl.ID)
			}
		}
		var detail string
		var actor int64
		if err := db.QueryRowForTest(`SELECT COALESCE(actor_id, 0), detail FROM audit_events WHERE action = $1 AND client_id = $2`,
			patchwork.AuditClientErase, gone.ID).Scan(&actor, &detail); err != nil || actor != 0 ||
			detail != "reason=Retention: no team member for 365 days, then 30 more days on the review list" {
			t.Fatalf("retention erasure audit: %d %q %v", actor, detail, err)
		}
		if n, err := sqldb.NewAuditService(db).VerifyAudit(sqldbtest.System()); err != nil {
			t.Fatalf("verify after retention (%d rows): %v", n, err)
		}
	})
}
