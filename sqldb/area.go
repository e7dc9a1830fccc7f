package sqldb

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"patchwork"
	"patchwork/match"
)

// AreaService implements patchwork.AreaService and
// patchwork.AreaAdminService.
type AreaService struct{ db *DB }

// NewAreaService returns an AreaService on db.
func NewAreaService(db *DB) *AreaService { return &AreaService{db: db} }

// FindAreas returns every area: networks, then districts, then local areas.
func (s *AreaService) FindAreas(ctx context.Context) ([]*patchwork.Area, error) {
	if _, err := caller(ctx); err != nil {
		return nil, err
	}
	return scanAll(ctx, s.db.read, `SELECT `+areaColumns+` FROM areas r `+areaOrder, scanArea)
}

const (
	areaColumns = `r.id, COALESCE(r.parent_id, 0), r.kind, r.name`
	areaOrder   = `ORDER BY CASE r.kind WHEN 'network' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, r.name, r.id`
)

// scanArea reads the areaColumns of one row.
func scanArea(sc interface{ Scan(...any) error }) (*patchwork.Area, error) {
	r := &patchwork.Area{}
	return r, sc.Scan(&r.ID, &r.ParentID, &r.Kind, &r.Name)
}

// parentKinds maps each kind of area to the kind of its parent.
var parentKinds = map[string]string{patchwork.AreaNetwork: "", patchwork.AreaDistrict: patchwork.AreaNetwork,
	patchwork.AreaLocal: patchwork.AreaDistrict}

// area is the condition that the area with id expression id is in reach:
// for an area admin, one of their districts or a local area in one.
func (r *reach) area(id string) string {
	if r.all {
		return "1 = 1"
	}
	return r.inDistricts(id)
}

// CreateArea adds an area under its parent; see patchwork.AreaService. An
// area admin may add local areas to their districts; networks and
// districts are for system admins and the system caller.
func (s *AreaService) CreateArea(ctx context.Context, a *patchwork.Area) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	parentKind, ok := parentKinds[a.Kind]
	if !ok {
		return patchwork.Invalid(map[string]string{"name": "Enter the area's name and kind"})
	}
	if !r.all && a.Kind != patchwork.AreaLocal {
		return patchwork.ErrNotFound
	}
	if !r.all && a.ParentID <= 0 {
		return patchwork.ErrNotFound
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if parentKind != "" && !r.all {
			// The parent named is a record: outside reach it is missing.
			if err := r.requireArea(ctx, tx, a.ParentID); err != nil {
				return err
			}
		}
		if err := tx.lockAreas(ctx); err != nil {
			return err
		}
		if err := tx.checkAreaPlace(ctx, r, 0, a.Kind, parentKind, a.ParentID); err != nil {
			return err
		}
		name, err := tx.checkAreaName(ctx, 0, a.Kind, a.ParentID, a.Name)
		if err != nil {
			return err
		}
		a.Name = name
		if err := tx.QueryRowContext(ctx, `INSERT INTO areas (parent_id, kind, name) VALUES ($1, $2, $3) RETURNING id`,
			nullID(a.ParentID), a.Kind, a.Name).Scan(&a.ID); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAreaCreate, 0, fmt.Sprintf("area=%d kind=%s parent=%d", a.ID, a.Kind, a.ParentID))
	})
}

// requireArea returns ENOTFOUND unless area id exists and is in reach.
func (r *reach) requireArea(ctx context.Context, q querier, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM areas ra WHERE ra.id = $1 AND `+r.area("ra.id"), id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return patchwork.ErrNotFound
	}
	return nil
}

// lockAreas makes the area writers of a deployment take turns, so that two
// admins cannot both add the same name at once: on PostgreSQL it locks the
// network rows (there are few), on SQLite the write transaction already
// holds the database.
func (tx *Tx) lockAreas(ctx context.Context) error {
	_, err := tx.ExecContext(ctx, `UPDATE areas SET name = name WHERE kind = 'network'`)
	return err
}

// checkAreaPlace checks that parentID is an area of parentKind (none for
// a network) in the caller's reach, other than the area id itself.
func (tx *Tx) checkAreaPlace(ctx context.Context, r *reach, id int64, kind, parentKind string, parentID int64) error {
	if parentKind == "" {
		if parentID != 0 {
			return patchwork.Invalid(map[string]string{"parent_id": "A network belongs to no other area"})
		}
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM areas ra WHERE ra.id = $1 AND ra.id <> $2 AND ra.kind = $3 AND `+
		r.area("ra.id"), parentID, id, parentKind).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return patchwork.Invalid(map[string]string{"parent_id": fmt.Sprintf("Choose the %s this %s belongs to", parentKind, kindName(kind))})
	}
	return nil
}

// kindName is how a page names a kind of area.
func kindName(kind string) string {
	if kind == patchwork.AreaLocal {
		return "local area"
	}
	return kind
}

// checkAreaName trims name and checks it: not empty, not too long, and not
// the name (folded) of another area that would make it ambiguous — another
// network, another district of the same network, or any other local area
// (imports and forms name a local area alone).
func (tx *Tx) checkAreaName(ctx context.Context, id int64, kind string, parentID int64, name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", patchwork.Invalid(map[string]string{"name": "Enter the " + kindName(kind) + "'s name"})
	case utf8.RuneCountInString(name) > patchwork.MaxAreaName:
		return "", patchwork.Invalid(map[string]string{"name": fmt.Sprintf("The name must be %d characters or fewer", patchwork.MaxAreaName)})
	}
	q, args := `SELECT name FROM areas WHERE kind = $1 AND id <> $2`, []any{kind, id}
	if kind == patchwork.AreaDistrict {
		q += ` AND parent_id = $3`
		args = append(args, parentID)
	}
	names, err := queryColumn[string](ctx, tx, q, args...)
	if err != nil {
		return "", err
	}
	folded := match.Fold(name)
	for _, other := range names {
		if match.Fold(other) == folded {
			where := ""
			if kind == patchwork.AreaDistrict {
				where = " in this network"
			}
			return "", patchwork.Invalid(map[string]string{"name": fmt.Sprintf("There is already a %s called %q%s: choose another name", kindName(kind), other, where)})
		}
	}
	return name, nil
}

// FindAdminAreas returns the areas in the caller's reach.
func (s *AreaService) FindAdminAreas(ctx context.Context) ([]*patchwork.Area, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, err
	}
	return scanAll(ctx, s.db.read, `SELECT `+areaColumns+` FROM areas r WHERE `+r.area("r.id")+` `+areaOrder, scanArea)
}

// areaTree is the statement selecting the ids of area $1 and every area
// below it.
const areaTree = `SELECT t.id FROM areas t WHERE t.id = $1 OR t.parent_id = $1
	OR t.parent_id IN (SELECT t2.id FROM areas t2 WHERE t2.parent_id = $1)`

// FindAdminArea returns one area in reach with what belongs to it.
func (s *AreaService) FindAdminArea(ctx context.Context, id int64) (*patchwork.AdminArea, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, err
	}
	q := s.db.read
	list, err := scanAll(ctx, q, `SELECT `+areaColumns+` FROM areas r WHERE r.id = $1 AND `+r.area("r.id"), scanArea, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, patchwork.ErrNotFound
	}
	out := &patchwork.AdminArea{Area: list[0]}
	if out.Area.ParentID != 0 {
		parents, err := scanAll(ctx, q, `SELECT `+areaColumns+` FROM areas r WHERE r.id = $1`, scanArea, out.Area.ParentID)
		if err != nil {
			return nil, err
		}
		if len(parents) == 1 {
			out.Parent = parents[0]
		}
	}
	if out.Children, err = scanAll(ctx, q, `SELECT `+areaColumns+` FROM areas r WHERE r.parent_id = $1 ORDER BY r.name, r.id`, scanArea, id); err != nil {
		return nil, err
	}
	if out.Area.Kind != patchwork.AreaNetwork {
		// A network's agencies are every agency: the districts list them.
		if out.Agencies, err = scanAll(ctx, q, `SELECT `+agencyColumns+` FROM agencies g WHERE EXISTS (SELECT 1 FROM agency_areas x
			WHERE x.agency_id = g.id AND x.area_id IN (`+areaTree+`)) ORDER BY g.name, g.id`, scanAgency, id); err != nil {
			return nil, err
		}
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT agent_id) FROM agent_areas WHERE area_id IN (`+areaTree+`)`, id).Scan(&out.Agents); err != nil {
		return nil, err
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT ca.client_id) FROM client_areas ca JOIN clients c ON c.id = ca.client_id
		WHERE c.merged_into IS NULL AND ca.area_id IN (`+areaTree+`)`, id).Scan(&out.Clients); err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateArea renames or moves an area in reach; see
// patchwork.AreaAdminService.
func (s *AreaService) UpdateArea(ctx context.Context, id int64, upd patchwork.AreaUpdate) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := r.requireArea(ctx, tx, id); err != nil {
			return err
		}
		a, err := scanArea(tx.QueryRowContext(ctx, `SELECT `+areaColumns+` FROM areas r WHERE r.id = $1`, id))
		if err != nil {
			return err
		}
		if !r.all && a.Kind != patchwork.AreaLocal {
			// An area admin's own district is theirs to look at, not to
			// rename: its name is the system admins'.
			return patchwork.Invalid(map[string]string{"name": "Only a system administrator can rename or move a " + a.Kind})
		}
		if err := tx.lockAreas(ctx); err != nil {
			return err
		}
		parent := a.ParentID
		if upd.ParentID != 0 {
			parent = upd.ParentID
		}
		if parent != a.ParentID {
			if err := tx.checkAreaPlace(ctx, r, id, a.Kind, parentKinds[a.Kind], parent); err != nil {
				return err
			}
		}
		name, err := tx.checkAreaName(ctx, id, a.Kind, parent, upd.Name)
		if err != nil {
			return err
		}
		if name == a.Name && parent == a.ParentID {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE areas SET name = $1, parent_id = $2 WHERE id = $3`, name, nullID(parent), id); err != nil {
			return err
		}
		if name != a.Name {
			// The phone book finds agents and agencies by their areas' names.
			if err := tx.reindexArea(ctx, id); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("area=%d", id)
		if name != a.Name {
			detail += " renamed"
		}
		if parent != a.ParentID {
			detail += fmt.Sprintf(" parent=%d->%d", a.ParentID, parent)
		}
		return tx.audit(ctx, patchwork.AuditAreaUpdate, 0, detail)
	})
}

// reindexArea rewrites the phone-book words of every agent and agency in
// area id.
func (tx *Tx) reindexArea(ctx context.Context, id int64) error {
	agents, err := queryIDs(ctx, tx, `SELECT agent_id FROM agent_areas WHERE area_id = $1 ORDER BY agent_id`, id)
	if err != nil {
		return err
	}
	for _, a := range agents {
		if err := tx.indexAgent(ctx, a); err != nil {
			return err
		}
	}
	agencies, err := queryIDs(ctx, tx, `SELECT agency_id FROM agency_areas WHERE area_id = $1 ORDER BY agency_id`, id)
	if err != nil {
		return err
	}
	for _, g := range agencies {
		if err := tx.indexAgency(ctx, g); err != nil {
			return err
		}
	}
	return nil
}
