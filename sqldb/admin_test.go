package sqldb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestAdminFunctionsRefusedChangeNothing: an agent who is not an admin, and
// an admin whose account was closed, calling each admin-only function
// directly are refused — the non-admin as for a missing page (ENOTFOUND),
// the closed account as signed out (EUNAUTHORIZED) — and nothing is
// written: no agent, agency or area, no deactivation, no retried job, no
// audit row.
func TestAdminFunctionsRefusedChangeNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := sqldbtest.MustWorld(t, db)
		agents := sqldb.NewAgentService(db)
		member := w.MustAgent(t, "Mo Member", w.Council, w.LocalA)
		target := w.MustAgent(t, "Tess Target", w.Council, w.LocalA)
		cl := w.MustClient(t, member, "Ada", "Accessor", "03/04/2012")
		closed := &patchwork.Agent{Email: "closed-admin@ashford.test", Name: "Cleo Closed", AgencyID: w.Council.ID, Admin: true}
		if err := agents.CreateAgent(sqldbtest.System(), closed, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		if err := agents.DeactivateAgent(sqldbtest.System(), closed.ID); err != nil {
			t.Fatal(err)
		}
		closed.Active = false
		if _, _, err := db.EnqueueJob(ctx, sqldb.JobSpec{Kind: "test", MaxAttempts: 1}); err != nil {
			t.Fatal(err)
		}
		claimed, err := db.ClaimJobs(ctx, "w", 1, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %d, %v", len(claimed), err)
		}
		job := claimed[0]
		if failed, err := db.FailJob(ctx, job, errors.New("550 no such user")); err != nil || !failed {
			t.Fatalf("fail job: %v, %v", failed, err)
		}

		calls := map[string]func(ctx context.Context) error{
			"CreateAgent": func(ctx context.Context) error {
				return agents.CreateAgent(ctx, &patchwork.Agent{Email: "new@ashford.test", Name: "New", AgencyID: w.Council.ID}, sqldbtest.Password)
			},
			"DeactivateAgent": func(ctx context.Context) error { return agents.DeactivateAgent(ctx, target.ID) },
			"CreateAgency": func(ctx context.Context) error {
				return sqldb.NewAgencyService(db).CreateAgency(ctx, &patchwork.Agency{Name: "New agency", Sector: "Other"})
			},
			"CreateArea": func(ctx context.Context) error {
				return sqldb.NewAreaService(db).CreateArea(ctx, &patchwork.Area{Kind: patchwork.AreaLocal, Name: "New area", ParentID: w.District.ID})
			},
			"RetryJob": func(ctx context.Context) error { return sqldb.NewJobService(db).RetryJob(ctx, job.ID) },
			"FindFailedJobs": func(ctx context.Context) error {
				jobs, _, err := sqldb.NewJobService(db).FindFailedJobs(ctx, 1)
				if len(jobs) != 0 {
					t.Errorf("FindFailedJobs refused with %v but returned %d jobs", err, len(jobs))
				}
				return err
			},
			"VerifyAudit": func(ctx context.Context) error { _, err := sqldb.NewAuditService(db).VerifyAudit(ctx); return err },
			"FindClientForErasure": func(ctx context.Context) error {
				card, err := sqldb.NewErasureService(db).FindClientForErasure(ctx, cl.ID)
				if card != nil {
					t.Errorf("FindClientForErasure refused with %v but returned the client", err)
				}
				return err
			},
			"FindAudit": func(ctx context.Context) error {
				got, _, err := sqldb.NewAuditViewerService(db).FindAudit(ctx, patchwork.AuditFilter{ClientID: cl.ID})
				if len(got) != 0 {
					t.Errorf("FindAudit refused with %v but returned %d rows", err, len(got))
				}
				return err
			},
			"ExportAudit": func(ctx context.Context) error {
				return sqldb.NewAuditViewerService(db).ExportAudit(ctx, patchwork.AuditFilter{}, func(*patchwork.AuditEntry) error {
					t.Error("ExportAudit gave a row to a refused caller")
					return nil
				})
			},
			"AccessReport": func(ctx context.Context) error {
				r, err := sqldb.NewAuditViewerService(db).AccessReport(ctx, cl.ID)
				if r != nil {
					t.Errorf("AccessReport refused with %v but returned a report", err)
				}
				return err
			},
			"EraseClient": func(ctx context.Context) error {
				return sqldb.NewErasureService(db).EraseClient(ctx, cl.ID, patchwork.ErasureRequest{Reason: "asked to be removed", Confirm: true})
			},
			"FindAuditForClient": func(ctx context.Context) error {
				events, err := sqldb.NewAuditService(db).FindAuditForClient(ctx, cl.ID)
				if len(events) != 0 {
					t.Errorf("FindAuditForClient refused with %v but returned %d events", err, len(events))
				}
				return err
			},
		}
		counts := func() map[string]int {
			out := map[string]int{}
			for _, q := range []string{
				`SELECT COUNT(*) FROM agents`,
				`SELECT COUNT(*) FROM agents WHERE active = 1`,
				`SELECT COUNT(*) FROM agencies`,
				`SELECT COUNT(*) FROM areas`,
				`SELECT COUNT(*) FROM jobs WHERE status = 'failed'`,
				`SELECT COUNT(*) FROM audit_events`,
				`SELECT COUNT(*) FROM clients WHERE erased_at IS NULL`,
			} {
				out[q] = sqldbtest.MustCount(t, db, q)
			}
			return out
		}
		before := counts()
		for _, who := range []struct {
			name   string
			caller *patchwork.Agent
			want   string
		}{
			{"non-admin", member, patchwork.ENOTFOUND},
			{"closed admin account", closed, patchwork.EUNAUTHORIZED},
		} {
			for name, call := range calls {
				if err := call(sqldbtest.As(who.caller)); patchwork.ErrorCode(err) != who.want {
					t.Errorf("%s as a %s: %v, want %s", name, who.name, err, who.want)
				}
			}
		}
		after := counts()
		for q, n := range before {
			if after[q] != n {
				t.Errorf("%s: %d before the refused calls, %d after", q, n, after[q])
			}
		}
		if j, err := db.FindJobByID(ctx, job.ID); err != nil || j.Status != patchwork.JobFailed || j.Attempts != 1 {
			t.Errorf("the failed job after refused retries: %+v, %v", j, err)
		}
	})
}
