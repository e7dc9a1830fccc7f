package sqldb

import (
	"context"
	"fmt"

	"patchwork"
)

// The admins' list of merges, a page at a time or all of it as an export.

// mergesInReach is the condition that both clients of merge m are in r.
func mergesInReach(r *reach) string {
	return r.client("m.keep_id") + ` AND ` + r.client("m.merge_id")
}

// FindMerges returns a page of the merges of clients in reach, newest
// first; see patchwork.MergeService.
func (s *MergeService) FindMerges(ctx context.Context, page int) ([]*patchwork.ClientMerge, int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+mergeFrom+` WHERE `+mergesInReach(r)).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := scanAll(ctx, s.db.read, `SELECT `+mergeColumns+mergeFrom+` WHERE `+mergesInReach(r)+
		` ORDER BY m.id DESC`+pageClause(page), s.scanMerge)
	if err != nil {
		return nil, 0, err
	}
	return list, total, s.db.auditRead(ctx, patchwork.AuditMergeList, 0, fmt.Sprintf("page=%d rows=%d", max(page, 1), len(list)))
}

// ExportMerges streams every merge in reach; see patchwork.MergeService.
func (s *MergeService) ExportMerges(ctx context.Context, fn func(*patchwork.ClientMerge) error) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditMergeExport, 0, ""); err != nil {
		return err
	}
	return streamRows(ctx, s.db.read, `SELECT `+mergeColumns+mergeFrom+` WHERE `+mergesInReach(r)+` ORDER BY m.id DESC`,
		s.scanMerge, fn)
}
