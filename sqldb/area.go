package sqldb

import (
	"context"
	"fmt"
	"strings"

	"patchwork"
)

// AreaService implements patchwork.AreaService.
type AreaService struct{ db *DB }

// NewAreaService returns an AreaService on db.
func NewAreaService(db *DB) *AreaService { return &AreaService{db: db} }

// FindAreas returns every area: networks, then districts, then local areas.
func (s *AreaService) FindAreas(ctx context.Context) ([]*patchwork.Area, error) {
	if _, err := caller(ctx); err != nil {
		return nil, err
	}
	return scanAll(ctx, s.db.read, `SELECT `+areaColumns+` FROM areas r
		ORDER BY CASE r.kind WHEN 'network' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, r.name`, scanArea)
}

const areaColumns = `r.id, COALESCE(r.parent_id, 0), r.kind, r.name`

// scanArea reads the areaColumns of one row.
func scanArea(sc interface{ Scan(...any) error }) (*patchwork.Area, error) {
	r := &patchwork.Area{}
	return r, sc.Scan(&r.ID, &r.ParentID, &r.Kind, &r.Name)
}

// CreateArea adds an area under its parent; see patchwork.AreaService.
func (s *AreaService) CreateArea(ctx context.Context, r *patchwork.Area) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	r.Name = strings.TrimSpace(r.Name)
	want := map[string]string{patchwork.AreaNetwork: "", patchwork.AreaDistrict: patchwork.AreaNetwork, patchwork.AreaLocal: patchwork.AreaDistrict}
	parentKind, ok := want[r.Kind]
	if !ok || r.Name == "" {
		return patchwork.Invalid(map[string]string{"name": "Enter the area's name and kind"})
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if parentKind != "" {
			var k string
			if err := tx.QueryRowContext(ctx, `SELECT kind FROM areas WHERE id = $1`, r.ParentID).Scan(&k); err != nil || k != parentKind {
				return patchwork.Invalid(map[string]string{"parent_id": fmt.Sprintf("Choose the %s this area belongs to", parentKind)})
			}
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO areas (parent_id, kind, name) VALUES ($1, $2, $3) RETURNING id`,
			nullID(r.ParentID), r.Kind, r.Name).Scan(&r.ID)
		if err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAreaCreate, 0, fmt.Sprintf("area=%d", r.ID))
	})
}
