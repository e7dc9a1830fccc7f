package worker

import (
	"context"
	"errors"

	"patchwork"
	"patchwork/sqldb"
)

// auditVerify checks the audit log's chain and checkpoints as `patchwork
// audit verify` does, and alerts the admins (an alert page row and an
// email each) when it fails. A check that cannot be made (no key, no
// database) is retried like any failed job and, failing for good, shows
// on the failed-jobs page.
func (w *Worker) auditVerify(ctx context.Context, j *patchwork.Job) error {
	n, err := sqldb.NewAuditService(w.DB).VerifyAudit(patchwork.NewSystemContext(ctx))
	var report *sqldb.AuditError
	switch {
	case errors.As(err, &report):
		opened, err := w.DB.RecordAuditCheck(ctx, report.Error())
		if err != nil {
			return err
		}
		// Row numbers only: the report itself is on the alert page.
		w.Log.Error("worker: the audit log failed its check", "job", j.ID, "rows", n, "problems", len(report.Problems), "alerted", opened)
	case err != nil:
		return err
	default:
		w.Log.Info("worker: audit log verified", "job", j.ID, "rows", n)
	}
	return w.DB.CompleteJob(ctx, j.ID)
}

// retention applies the retention rule: clients without a team member for
// the retention period are listed for review, and erased after the grace
// period unless someone joins (sqldb.RunRetention).
func (w *Worker) retention(ctx context.Context, j *patchwork.Job) error {
	listed, erased, err := w.DB.RunRetention(ctx)
	if err != nil {
		return err
	}
	w.Log.Info("worker: retention", "job", j.ID, "listed", listed, "erased", erased)
	return w.DB.CompleteJob(ctx, j.ID)
}

// unusualAccess looks for the patterns of a curious insider in the audit
// log and alerts the admins of each new one (sqldb.RunUnusualAccess).
func (w *Worker) unusualAccess(ctx context.Context, j *patchwork.Job) error {
	opened, err := w.DB.RunUnusualAccess(ctx)
	if err != nil {
		return err
	}
	w.Log.Info("worker: unusual access checked", "job", j.ID, "alerts_opened", opened)
	return w.DB.CompleteJob(ctx, j.ID)
}

// inactivity applies the inactivity rule: agents who have not signed in
// for the period are warned, and deactivated after the grace period
// unless they sign in (sqldb.RunInactivity).
func (w *Worker) inactivity(ctx context.Context, j *patchwork.Job) error {
	warned, deactivated, err := w.DB.RunInactivity(ctx)
	if err != nil {
		return err
	}
	w.Log.Info("worker: inactivity", "job", j.ID, "warned", warned, "deactivated", deactivated)
	return w.DB.CompleteJob(ctx, j.ID)
}
