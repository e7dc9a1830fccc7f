package sqldb_test

import (
	"strings"
	"testing"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func TestAuditChain(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Audrey Audit", w.Council, w.LocalA)
		cl := w.MustClient(t, a, "Ivo", "Inspect", "2014-01-02")
		svc := sqldb.NewClientService(db)
		for i := 0; i < 3; i++ {
			if _, err := svc.FindClientProfile(sqldbtest.As(a), cl.ID); err != nil {
				t.Fatal(err)
			}
		}
		audit := sqldb.NewAuditService(db)
		n, err := audit.VerifyAudit(sqldbtest.System())
		if err != nil || n < 8 {
			t.Fatalf("verify: %d rows, %v", n, err)
		}
		// Admins can answer "who has looked at this client?"; others cannot.
		if _, err := audit.FindAuditForClient(sqldbtest.As(a), cl.ID); err == nil {
			t.Fatal("non-admin read the audit log")
		}
		admin := w.MustAgent(t, "Ada Admin", w.Council)
		admin.Admin = true
		events, err := audit.FindAuditForClient(sqldbtest.As(admin), cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		views := 0
		for _, e := range events {
			if e.Action == "client.view" && e.ActorID == a.ID {
				views++
			}
		}
		if views != 3 {
			t.Fatalf("views recorded = %d, want 3", views)
		}
		// The table refuses edits and deletions outright…
		if _, err := db.ExecForTest(`UPDATE audit_events SET detail = 'x' WHERE id = 2`); err == nil {
			t.Fatal("audit row was updated")
		}
		if _, err := db.ExecForTest(`DELETE FROM audit_events WHERE id = 2`); err == nil {
			t.Fatal("audit row was deleted")
		}
		// …and someone who gets round that (dropping the guard) is caught.
		dropGuard(t, db)
		if _, err := db.ExecForTest(`UPDATE audit_events SET detail = 'tampered' WHERE id = 3`); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.VerifyAudit(sqldbtest.System()); err == nil || !strings.Contains(err.Error(), "row 3 was altered") {
			t.Fatalf("edit not detected: %v", err)
		}
		if _, err := db.ExecForTest(`DELETE FROM audit_events WHERE id = 3`); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.VerifyAudit(sqldbtest.System()); err == nil || !strings.Contains(err.Error(), "row 3 is missing") {
			t.Fatalf("deletion not detected: %v", err)
		}
	})
}

// dropGuard drops the triggers that keep audit_events append-only, as
// someone with full database access can.
func dropGuard(t *testing.T, db *sqldb.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}
	if db.Dialect.Name == "postgres" {
		stmts = []string{`DROP TRIGGER audit_no_update ON audit_events`, `DROP TRIGGER audit_no_truncate ON audit_events`}
	}
	for _, s := range stmts {
		if _, err := db.ExecForTest(s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConcurrentViewsAudited: views from many requests at once are appended
// together, each one recorded, and the chain stays intact.
func TestConcurrentViewsAudited(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Cora Concurrent", w.Council, w.LocalA)
		cl := w.MustClient(t, a, "Vera", "Viewed", "2015-03-04")
		svc := sqldb.NewClientService(db)
		const n = 40
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			go func() {
				_, err := svc.FindClientProfile(sqldbtest.As(a), cl.ID)
				errs <- err
			}()
		}
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		var views int
		if err := db.QueryRowForTest(`SELECT COUNT(*) FROM audit_events WHERE action = 'client.view' AND client_id = $1`, cl.ID).Scan(&views); err != nil {
			t.Fatal(err)
		}
		if views != n {
			t.Fatalf("views audited = %d, want %d", views, n)
		}
		if _, err := sqldb.NewAuditService(db).VerifyAudit(sqldbtest.System()); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkAuditAppend measures audit rows appended through the batcher
// (the path every client view and search takes): serially, where each row is
// its own commit, and from 16 goroutines per core, where rows share commits.
func BenchmarkAuditAppend(b *testing.B) {
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			db := sqldbtest.MustOpen(b, d)
			ctx := sqldbtest.System()
			b.Run("serial", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if err := db.AuditRead(ctx, "bench.view", 0, ""); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := db.AuditRead(ctx, "bench.view", 0, ""); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}
