package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"patchwork"
)

// JobAuditVerify runs `patchwork audit verify` inside the server: the
// worker schedules one an hour and alerts the admins when it fails.
const JobAuditVerify = "audit_verify"

// AccountEmailAuditAlert tells an admin that the audit log failed its
// scheduled check. It names no row and no client: the alert page does.
const AccountEmailAuditAlert = "audit_alert"

// AuditVerifyJob is the audit check of now's hour (UTC).
func AuditVerifyJob(now time.Time) JobSpec {
	hour := now.UTC().Truncate(time.Hour)
	return JobSpec{Kind: JobAuditVerify, UniqueKey: "audit-verify:" + hour.Format("2006-01-02T15"), Priority: PriorityNormal, RunAt: hour}
}

// RecordAuditCheck records the outcome of a scheduled audit check. A
// failure (problems, the verifier's report: row numbers and what is wrong,
// never client data) opens an alert and emails every active admin, in one
// transaction, unless the newest open alert reports the same problems,
// so a standing failure is told once, not every hour. It reports whether
// it opened an alert. A pass changes nothing: an alert stays until an
// admin has read it and the log is mended.
func (db *DB) RecordAuditCheck(ctx context.Context, problems string) (bool, error) {
	if problems == "" {
		return false, nil
	}
	opened := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var last string
		err := tx.QueryRowContext(ctx, `SELECT detail FROM admin_alerts WHERE kind = $1 ORDER BY id DESC LIMIT 1`,
			patchwork.AlertAuditVerify).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if last == problems {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO admin_alerts (kind, detail, created_at) VALUES ($1, $2, $3)`,
			patchwork.AlertAuditVerify, problems, micros(tx.now)); err != nil {
			return err
		}
		admins, err := queryIDs(ctx, tx, `SELECT id FROM agents WHERE is_admin = 1 AND active = 1 ORDER BY id`)
		if err != nil {
			return err
		}
		for _, id := range admins {
			if err := tx.enqueueAccountEmail(ctx, AccountEmailAuditAlert, id, 0); err != nil {
				return err
			}
		}
		opened = true
		return nil
	})
	return opened, err
}

// AlertService implements patchwork.AlertService.
type AlertService struct{ db *DB }

// NewAlertService returns an AlertService on db.
func NewAlertService(db *DB) *AlertService { return &AlertService{db: db} }

// alertsInReach is the FROM clause of the alerts r reaches: an area
// admin's are those about the agents they reach, none about themselves,
// and none of the audit check (a system matter).
func alertsInReach(r *reach) string {
	from := ` FROM admin_alerts al LEFT JOIN agents a ON a.id = al.agent_id`
	if r.all {
		return from
	}
	return from + ` WHERE al.agent_id IS NOT NULL AND al.agent_id <> ` + strconv.FormatInt(r.actor.ID, 10) + ` AND ` + r.agent()
}

const alertColumns = `al.id, al.kind, al.detail, al.created_at, COALESCE(al.agent_id, 0), COALESCE(a.name, ''),
	COALESCE(al.pattern_day, 0), al.pattern_rows`

func scanAlert(sc interface{ Scan(...any) error }) (*patchwork.Alert, error) {
	a := &patchwork.Alert{}
	var at, day int64
	err := sc.Scan(&a.ID, &a.Kind, &a.Detail, &at, &a.AgentID, &a.AgentName, &day, &a.Count)
	a.At = fromMicros(at)
	if day != 0 {
		a.Day = fromMicros(day)
	}
	return a, err
}

// FindAlerts returns a page of the alerts in the caller's reach, newest
// first; see patchwork.AlertService.
func (s *AlertService) FindAlerts(ctx context.Context, page int) ([]*patchwork.Alert, int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+alertsInReach(r)).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := scanAll(ctx, s.db.read, `SELECT `+alertColumns+alertsInReach(r)+` ORDER BY al.id DESC`+pageClause(page), scanAlert)
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// ExportAlerts streams every alert in the caller's reach; see
// patchwork.AlertService.
func (s *AlertService) ExportAlerts(ctx context.Context, fn func(*patchwork.Alert) error) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditAlertExport, 0, ""); err != nil {
		return err
	}
	return streamRows(ctx, s.db.read, `SELECT `+alertColumns+alertsInReach(r)+` ORDER BY al.id DESC`, scanAlert, fn)
}
