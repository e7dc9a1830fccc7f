package sqldb

import (
	"context"
	"fmt"
	"time"

	"patchwork"
)

// JobRetention applies the retention rule once a day.
const JobRetention = "retention"

// RetentionJob is the retention run of now's day (UTC).
func RetentionJob(now time.Time) JobSpec {
	day := now.UTC().Truncate(24 * time.Hour)
	return JobSpec{Kind: JobRetention, UniqueKey: "retention:" + day.Format(time.DateOnly), Priority: PriorityNormal, RunAt: day}
}

func (db *DB) retentionPeriods() (days, grace int) {
	days, grace = db.RetentionDays, db.RetentionGraceDays
	if days <= 0 {
		days = patchwork.DefaultRetentionDays
	}
	if grace <= 0 {
		grace = patchwork.DefaultRetentionGraceDays
	}
	return days, grace
}

// noCurrentMember is true for a client row c without a current member.
const noCurrentMember = `NOT EXISTS (SELECT 1 FROM memberships m WHERE m.client_id = c.id AND m.left_at IS NULL)`

// RunRetention applies the retention rule: a client that has had no team
// member for RetentionDays (since its last member left, or since it was
// added) is listed for review; a listed client someone has joined since is
// taken off the list; and a client listed for RetentionGraceDays and still
// without a member is erased as an admin's erasure is (EraseClient, by the
// system, with the rule as its reason), each in its own transaction. It
// returns how many it listed and erased.
func (db *DB) RunRetention(ctx context.Context) (listed, erased int, err error) {
	days, grace := db.retentionPeriods()
	now := db.now()
	cutoff := micros(now.AddDate(0, 0, -days))
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET retention_flagged_at = NULL
			WHERE retention_flagged_at IS NOT NULL
			AND EXISTS (SELECT 1 FROM memberships m WHERE m.client_id = clients.id AND m.left_at IS NULL)`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE clients SET retention_flagged_at = $1
			WHERE erased_at IS NULL AND retention_flagged_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.client_id = clients.id AND m.left_at IS NULL)
			AND COALESCE((SELECT MAX(m.left_at) FROM memberships m WHERE m.client_id = clients.id), clients.created_at) < $2`,
			micros(tx.now), cutoff)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		listed = int(n)
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	due, err := queryIDs(ctx, db.read, `SELECT c.id FROM clients c WHERE c.retention_flagged_at < $1 AND c.erased_at IS NULL
		AND `+noCurrentMember+` ORDER BY c.id`, micros(now.AddDate(0, 0, -grace)))
	if err != nil {
		return listed, 0, err
	}
	svc := NewErasureService(db)
	reason := fmt.Sprintf("Retention: no team member for %d days, then %d more days on the review list", days, grace)
	for _, id := range due {
		err := svc.EraseClient(patchwork.NewSystemContext(ctx), id, patchwork.ErasureRequest{Reason: reason, Confirm: true})
		if err != nil && patchwork.ErrorCode(err) != patchwork.ENOTFOUND && patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			return listed, erased, err
		}
		if err == nil {
			erased++
		}
	}
	return listed, erased, nil
}

// RetentionService implements patchwork.RetentionService.
type RetentionService struct{ db *DB }

// NewRetentionService returns a RetentionService on db.
func NewRetentionService(db *DB) *RetentionService { return &RetentionService{db: db} }

// retentionListed are the clients on the review list, the soonest erased
// first.
const (
	retentionListed = ` FROM clients c WHERE c.retention_flagged_at IS NOT NULL AND c.erased_at IS NULL`
	retentionOrder  = ` ORDER BY c.retention_flagged_at, c.id`
)

// FindRetentionReview lists a page of the clients on the review list; see
// patchwork.RetentionService.
func (s *RetentionService) FindRetentionReview(ctx context.Context, page int) ([]*patchwork.RetentionItem, int, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+retentionListed).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := scanAll(ctx, s.db.read, `SELECT c.id, c.retention_flagged_at`+retentionListed+retentionOrder+pageClause(page),
		s.scanRetentionItem())
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// ExportRetentionReview streams every client on the review list; see
// patchwork.RetentionService.
func (s *RetentionService) ExportRetentionReview(ctx context.Context, fn func(*patchwork.RetentionItem) error) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditRetentionExport, 0, ""); err != nil {
		return err
	}
	return streamRows(ctx, s.db.read, `SELECT c.id, c.retention_flagged_at`+retentionListed+retentionOrder, s.scanRetentionItem(), fn)
}

// scanRetentionItem reads a listed client, with the day it will be erased.
func (s *RetentionService) scanRetentionItem() func(interface{ Scan(...any) error }) (*patchwork.RetentionItem, error) {
	_, grace := s.db.retentionPeriods()
	return func(sc interface{ Scan(...any) error }) (*patchwork.RetentionItem, error) {
		it := &patchwork.RetentionItem{}
		var at int64
		err := sc.Scan(&it.ClientID, &at)
		it.FlaggedAt = fromMicros(at)
		it.EraseOn = it.FlaggedAt.AddDate(0, 0, grace)
		return it, err
	}
}
