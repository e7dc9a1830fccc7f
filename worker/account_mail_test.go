package worker_test

import (
	"testing"

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
