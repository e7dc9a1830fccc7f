package worker_test

import (
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// dropAuditGuards drops the triggers that keep the audit log append-only,
// as someone with full database access can.
func dropAuditGuards(t *testing.T, db *sqldb.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`, `DROP TRIGGER audit_head_forward`, `DROP TRIGGER audit_head_no_delete`}
	if db.Dialect.Name == "postgres" {
		stmts = []string{`DROP TRIGGER audit_no_update ON audit_events`, `DROP TRIGGER audit_no_truncate ON audit_events`,
			`DROP TRIGGER audit_head_forward ON audit_head`, `DROP TRIGGER audit_head_no_truncate ON audit_head`}
	}
	for _, s := range stmts {
		if _, err := db.ExecForTest(s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestScheduledAuditVerifyAlerts: the hourly audit check the worker
// schedules passes on an intact log without a word, and on an edited
// row, a deleted row or a cut-off tail opens an alert naming the problem
// and emails every active admin once — not again the next hour for the
// same problem; the email names no row and no client.
func TestScheduledAuditVerifyAlerts(t *testing.T) {
	for _, tc := range []struct {
		name, tamper, want string
	}{
		{"edited row", `UPDATE audit_events SET detail = 'tampered' WHERE id = 3`, "row 3 was altered"},
		{"deleted row", `DELETE FROM audit_events WHERE id = 3`, "row 3 is missing"},
		{"truncated tail", `DELETE FROM audit_events WHERE id > 5`, "the log was cut short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				e := newEnv(t, db)
				admin := &patchwork.Agent{Email: "dpo@ashford.test", Name: "Dora Protection", AgencyID: e.world.Council.ID, Admin: true}
				if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
					t.Fatal(err)
				}
				agent := e.world.MustAgent(t, "Nell Nonadmin", e.world.Council, e.world.LocalA)
				for _, last := range []string{"Audita", "Auditb", "Auditc", "Auditd"} {
					e.world.MustClient(t, agent, "Check", last, "01/01/2010")
				}
				if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events`); n < 8 {
					t.Fatalf("only %d audit rows", n)
				}
				alerts := sqldb.NewAlertService(db)
				e.at(t, 2026, time.March, 2, 10, 5) // the hour's check: the log is intact
				if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = 'done'`, sqldb.JobAuditVerify); n != 1 {
					t.Fatalf("%d audit checks ran, want 1", n)
				}
				if got, _, err := alerts.FindAlerts(sqldbtest.System(), 1); err != nil || len(got) != 0 {
					t.Fatalf("alerts on an intact log: %+v, %v", got, err)
				}
				before := len(e.smtp.Messages())

				dropAuditGuards(t, db)
				if _, err := db.ExecForTest(tc.tamper); err != nil {
					t.Fatal(err)
				}
				e.at(t, 2026, time.March, 2, 11, 5)
				got, _, err := alerts.FindAlerts(sqldbtest.System(), 1)
				if err != nil || len(got) != 1 || !strings.Contains(got[0].Detail, tc.want) {
					t.Fatalf("alerts after tampering: %+v, %v; want one saying %q", got, err, tc.want)
				}
				msgs := e.smtp.WaitFor(before+1, 30*time.Second)
				var toAdmin []string
				for _, m := range msgs[before:] {
					toAdmin = append(toAdmin, m.To...)
					body := string(m.Raw)
					if !strings.Contains(body, "audit log") || strings.Contains(body, tc.want) {
						t.Errorf("alert email:\n%s", body)
					}
				}
				if len(toAdmin) != 1 || toAdmin[0] != admin.Email {
					t.Fatalf("alert emails went to %v, want the admin alone", toAdmin)
				}
				// The same failure the next hour is not told again.
				e.at(t, 2026, time.March, 2, 12, 5)
				if got, _, _ := alerts.FindAlerts(sqldbtest.System(), 1); len(got) != 1 {
					t.Errorf("%d alerts after a second failing check, want 1", len(got))
				}
				if n := len(e.smtp.Messages()); n != before+1 {
					t.Errorf("%d emails after a second failing check, want %d", n, before+1)
				}
			})
		})
	}
}
