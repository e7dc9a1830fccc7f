package worker_test

import (
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestResetEmailOnlyWhileLive: a reset email is written when its job runs,
// from the database as it is then, so a link used up or an agent
// deactivated before the worker got to it sends nothing.
func TestResetEmailOnlyWhileLive(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		sam := e.world.MustAgent(t, "Sam Reset", e.world.Council)
		gil := e.world.MustAgent(t, "Gil Gone", e.world.Council)
		drain(t, e.w)
		svc := sqldb.NewPasswordService(db, secret)
		ctx := patchwork.NewContextWithRequestMeta(t.Context(), patchwork.RequestMeta{IP: "198.51.100.7"})
		for _, a := range []*patchwork.Agent{sam, gil} {
			if err := svc.RequestPasswordReset(ctx, a.Email); err != nil {
				t.Fatal(err)
			}
		}
		var nonce string
		if err := db.QueryRowForTest(`SELECT nonce FROM password_resets WHERE agent_id = $1`, sam.ID).Scan(&nonce); err != nil {
			t.Fatal(err)
		}
		if err := svc.ResetPassword(ctx, sqldb.ResetToken(secret, nonce), "lantern marigold tractor"); err != nil {
			t.Fatal(err)
		}
		if err := sqldb.NewAgentService(db).DeactivateAgent(sqldbtest.System(), gil.ID); err != nil {
			t.Fatal(err)
		}
		drain(t, e.w)
		got := summary(e.smtp.Messages())
		if len(got) != 1 || len(got[sam.Email]) != 1 || got[sam.Email][0] != "Your Patchwork password was changed" {
			t.Fatalf("emails = %v; want only Sam's password-changed email", got)
		}
		for _, m := range e.smtp.Messages() {
			checkNoClientData(t, m)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status <> 'done'`, sqldb.JobAccountEmail); n != 0 {
			t.Fatalf("%d account email jobs not done", n)
		}
	})
}

// TestCleanupExpiresInvitations: the hourly clean-up marks an invitation
// left 14 days expired and records it in the client's activity; a newer
// one stays pending, and a new colleague's invitation email withdrawn
// before the worker ran is not sent.
func TestCleanupExpiresInvitations(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		c, alice, _ := e.team(t, 0)
		svc := sqldb.NewInvitationService(db, []byte("worker test secret"))
		old, err := svc.CreateInvitation(sqldbtest.As(alice), c.ID, patchwork.InvitationRequest{Email: "old.colleague@ashford.test"})
		if err != nil {
			t.Fatal(err)
		}
		drain(t, e.w)
		if got := e.smtp.To("old.colleague@ashford.test"); len(got) != 1 {
			t.Fatalf("%d invitation emails to the new colleague", len(got))
		}
		e.clk.Add(patchwork.InvitationTTL - time.Hour)
		withdrawn, err := svc.CreateInvitation(sqldbtest.As(alice), c.ID, patchwork.InvitationRequest{Email: "late.colleague@ashford.test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.WithdrawInvitation(sqldbtest.As(alice), c.ID, withdrawn.ID); err != nil {
			t.Fatal(err)
		}
		e.clk.Add(time.Hour)
		drain(t, e.w)
		if got := e.smtp.To("late.colleague@ashford.test"); len(got) != 0 {
			t.Fatalf("a withdrawn invitation was emailed")
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM invitations WHERE id = $1 AND status = 'expired'`, old.ID); n != 1 {
			t.Fatalf("the fortnight-old invitation is not marked expired")
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND kind = $2`,
			c.ID, patchwork.ActivityInvitationExpired); n != 1 {
			t.Fatalf("%d expiry activities, want 1", n)
		}
	})
}
