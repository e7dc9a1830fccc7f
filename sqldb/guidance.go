package sqldb

import (
	"context"
	"slices"

	"patchwork"
)

// GuidanceService implements patchwork.GuidanceService.
type GuidanceService struct{ db *DB }

// NewGuidanceService returns a GuidanceService on db.
func NewGuidanceService(db *DB) *GuidanceService { return &GuidanceService{db: db} }

// FindGuidance returns the guidance the caller should still see. The
// caller's profile comes from the context, loaded afresh for each request.
func (s *GuidanceService) FindGuidance(ctx context.Context) (*patchwork.Guidance, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	items, err := scanAll(ctx, s.db.read, `SELECT item FROM guidance_dismissals WHERE agent_id = $1`,
		func(sc interface{ Scan(...any) error }) (string, error) {
			var item string
			err := sc.Scan(&item)
			return item, err
		}, c.ID)
	if err != nil {
		return nil, err
	}
	g := &patchwork.Guidance{
		Walkthrough: !slices.Contains(items, patchwork.GuidanceWalkthrough),
		NoPhone:     c.Mobile == "" && c.Landline == "" && !slices.Contains(items, patchwork.GuidanceNoPhone),
	}
	if !slices.Contains(items, patchwork.GuidanceNoTeams) {
		var n int
		if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM memberships
			WHERE agent_id = $1 AND left_at IS NULL LIMIT 1) m`, c.ID).Scan(&n); err != nil {
			return nil, err
		}
		g.NoTeams = n == 0
	}
	return g, nil
}

// DismissGuidance remembers that the caller dismissed item.
func (s *GuidanceService) DismissGuidance(ctx context.Context, item string) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(patchwork.GuidanceItems, item) {
		return patchwork.Errorf(patchwork.EINVALID, "There is no such guidance to dismiss.")
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO guidance_dismissals (agent_id, item, dismissed_at) VALUES ($1, $2, $3)
			ON CONFLICT (agent_id, item) DO NOTHING`, c.ID, item, micros(tx.now))
		return err
	})
}
