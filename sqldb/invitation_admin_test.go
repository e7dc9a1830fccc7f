package sqldb_test

import (
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestResendInvitationStore: admins list the pending invitations in their
// reach (an area admin of another district none) without the inviter's
// message, filtered by address and inviter; a resend queues one email with
// the same nonce and expiry, at most once an hour, only for a new
// colleague's pending invitation, audited; anyone else meets ENOTFOUND.
func TestResendInvitationStore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		south := w.MustElsewhere(t)
		member := w.MustAgent(t, "Mo Member", w.Council, w.LocalA)
		colleague := w.MustAgent(t, "Cal Colleague", w.Council, w.LocalA)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		north := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		southAdmin := w.MustAreaAdmin(t, "Sol Southadmin", south.Agency, south.District)
		cl := w.MustClient(t, member, "Ada", "Invitee", "03/04/2012")
		invs := sqldb.NewInvitationService(db, invitationSecret)
		toNew, err := invs.CreateInvitation(sqldbtest.As(member), cl.ID,
			patchwork.InvitationRequest{Email: "nia.new@ashford.test", Message: "Private words"})
		if err != nil {
			t.Fatal(err)
		}
		toAgent, err := invs.CreateInvitation(sqldbtest.As(member), cl.ID, patchwork.InvitationRequest{AgentID: colleague.ID})
		if err != nil {
			t.Fatal(err)
		}
		emailJobs := func() int {
			return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, sqldb.JobInvitationEmail)
		}
		before := emailJobs()
		nonce := func() string {
			var n string
			if err := db.QueryRowForTest(`SELECT nonce || ':' || token_hash || ':' || CAST(expires_at AS TEXT) FROM invitations WHERE id = $1`,
				toNew.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		was := nonce()

		list, n, err := invs.FindAdminInvitations(sqldbtest.As(sys), patchwork.InvitationFilter{})
		if err != nil || n != 2 || len(list) != 2 {
			t.Fatalf("system admin's list: %d, %v", n, err)
		}
		for _, inv := range list {
			if inv.Message != "" {
				t.Error("the admins' list carries the inviter's message")
			}
		}
		if got, n, _ := invs.FindAdminInvitations(sqldbtest.As(north), patchwork.InvitationFilter{Query: "NIA.new"}); n != 1 || got[0].ID != toNew.ID {
			t.Errorf("by address: %d", n)
		}
		if _, n, _ := invs.FindAdminInvitations(sqldbtest.As(north), patchwork.InvitationFilter{InviterID: colleague.ID}); n != 0 {
			t.Errorf("by another inviter: %d, want 0", n)
		}
		if _, n, _ := invs.FindAdminInvitations(sqldbtest.As(north), patchwork.InvitationFilter{Query: "%"}); n != 0 {
			t.Errorf("a %% matched %d: it must be a plain character", n)
		}
		if _, n, err := invs.FindAdminInvitations(sqldbtest.As(southAdmin), patchwork.InvitationFilter{}); err != nil || n != 0 {
			t.Errorf("another district's admin lists %d, %v", n, err)
		}
		if _, _, err := invs.FindAdminInvitations(sqldbtest.As(member), patchwork.InvitationFilter{}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("an agent's list: %v, want ENOTFOUND", err)
		}

		for name, a := range map[string]*patchwork.Agent{"agent": member, "other district": southAdmin} {
			if err := invs.ResendInvitation(sqldbtest.As(a), toNew.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("%s resends: %v, want ENOTFOUND", name, err)
			}
		}
		if err := invs.ResendInvitation(sqldbtest.As(north), 999999); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("a missing invitation: %v", err)
		}
		if emailJobs() != before {
			t.Fatal("a refused resend queued an email")
		}
		if err := invs.ResendInvitation(sqldbtest.As(north), toNew.ID); err != nil {
			t.Fatal(err)
		}
		if emailJobs() != before+1 || nonce() != was {
			t.Errorf("resend: %d jobs (want %d); link and expiry %q, were %q", emailJobs(), before+1, nonce(), was)
		}
		if err := invs.ResendInvitation(sqldbtest.As(sys), toNew.ID); patchwork.ErrorCode(err) != patchwork.ETOOMANYREQUEST {
			t.Errorf("a second resend at once: %v, want ETOOMANYREQUEST", err)
		}
		if err := invs.ResendInvitation(sqldbtest.As(sys), toAgent.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Errorf("resending to an agent: %v, want ECONFLICT", err)
		}
		clk.Add(patchwork.InvitationResendInterval + time.Minute)
		if err := invs.ResendInvitation(sqldbtest.As(sys), toNew.ID); err != nil {
			t.Errorf("a resend an hour later: %v", err)
		}
		if err := invs.WithdrawInvitation(sqldbtest.As(member), cl.ID, toNew.ID); err != nil {
			t.Fatal(err)
		}
		clk.Add(patchwork.InvitationResendInterval + time.Minute)
		if err := invs.ResendInvitation(sqldbtest.As(sys), toNew.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Errorf("resending a withdrawn invitation: %v, want ECONFLICT", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditInvitationResend); n != 2 {
			t.Errorf("resend audit rows = %d, want 2", n)
		}
	})
}
