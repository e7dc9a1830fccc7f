package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"patchwork"
)

// The duplicates queue: pairs of clients the search engine's duplicate
// check calls likely duplicates, found on demand or by the nightly job, for
// an admin to dismiss or merge.

// JobDuplicateScan is the nightly job that refreshes the duplicates queue.
const JobDuplicateScan = "duplicate_scan"

// openPairsFrom is the FROM clause of the open pairs in r.
func openPairsFrom(r *reach) string {
	return ` FROM duplicate_pairs p JOIN clients ca ON ca.id = p.client_a JOIN clients cb ON cb.id = p.client_b
		WHERE p.status = 'open' AND ca.merged_into IS NULL AND cb.merged_into IS NULL AND ` +
		r.client("p.client_a") + ` AND ` + r.client("p.client_b")
}

// FindDuplicatePairs returns a page of the open pairs in reach.
func (s *MergeService) FindDuplicatePairs(ctx context.Context, page int) ([]*patchwork.DuplicatePair, int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+openPairsFrom(r)).Scan(&total); err != nil {
		return nil, 0, err
	}
	out, err := s.duplicatePairs(ctx, openPairsFrom(r)+` ORDER BY p.id`+pageClause(page))
	if err != nil {
		return nil, 0, err
	}
	return out, total, s.db.auditRead(ctx, patchwork.AuditDuplicateList, 0, fmt.Sprintf("rows=%d", len(out)))
}

// duplicateExportBatch is how many pairs an export reads at a time.
const duplicateExportBatch = 200

// ExportDuplicatePairs streams every open pair in reach; see
// patchwork.MergeService. Each pair needs its two clients read, so the
// pairs are read in batches by id, each batch's rows closed before its
// clients are read.
func (s *MergeService) ExportDuplicatePairs(ctx context.Context, fn func(*patchwork.DuplicatePair) error) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditDuplicateExport, 0, ""); err != nil {
		return err
	}
	for after := int64(0); ; {
		batch, err := s.duplicatePairs(ctx, openPairsFrom(r)+` AND p.id > `+strconv.FormatInt(after, 10)+
			` ORDER BY p.id LIMIT `+itoa(duplicateExportBatch))
		if err != nil {
			return err
		}
		for _, p := range batch {
			if err := fn(p); err != nil {
				return err
			}
		}
		if len(batch) < duplicateExportBatch {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}

// duplicatePairs reads the pairs of from (a FROM clause with its
// conditions, order and limit) and then their two clients.
func (s *MergeService) duplicatePairs(ctx context.Context, from string) ([]*patchwork.DuplicatePair, error) {
	type row struct {
		id, a, b int64
		reasons  string
		at       int64
	}
	rows, err := scanAll(ctx, s.db.read, `SELECT p.id, p.client_a, p.client_b, p.reasons, p.found_at`+from,
		func(sc interface{ Scan(...any) error }) (row, error) {
			var x row
			return x, sc.Scan(&x.id, &x.a, &x.b, &x.reasons, &x.at)
		})
	if err != nil {
		return nil, err
	}
	out := make([]*patchwork.DuplicatePair, 0, len(rows))
	for _, x := range rows {
		p := &patchwork.DuplicatePair{ID: x.id, FoundAt: fromMicros(x.at)}
		if x.reasons != "" {
			p.Reasons = strings.Split(x.reasons, "; ")
		}
		if p.A, err = s.db.adminClient(ctx, s.db.read, x.a); err != nil {
			return nil, err
		}
		if p.B, err = s.db.adminClient(ctx, s.db.read, x.b); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// DismissDuplicatePair takes a pair in reach off the queue.
func (s *MergeService) DismissDuplicatePair(ctx context.Context, id int64) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	var actor any
	if r.actor != nil {
		actor = r.actor.ID
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE duplicate_pairs SET status = 'dismissed', decided_at = $1, decided_by = $2
			WHERE id = $3 AND status = 'open' AND `+r.client("client_a")+` AND `+r.client("client_b"), micros(tx.now), actor, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return patchwork.ErrNotFound
		}
		return tx.audit(ctx, patchwork.AuditDuplicateDismiss, 0, fmt.Sprintf("pair=%d", id))
	})
}
