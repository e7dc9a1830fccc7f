package sqldb

import (
	"context"
	"fmt"
	"strings"

	"patchwork"
	"patchwork/match"
)

// AgencyAdminService implements patchwork.AgencyAdminService.
type AgencyAdminService struct{ db *DB }

// NewAgencyAdminService returns an AgencyAdminService on db.
func NewAgencyAdminService(db *DB) *AgencyAdminService { return &AgencyAdminService{db: db} }

const adminAgencyColumns = agencyColumns + `, g.created_at,
	(SELECT COUNT(*) FROM agents sa WHERE sa.agency_id = g.id AND sa.active = 1),
	(SELECT COUNT(*) FROM agency_suspended_agents ss WHERE ss.agency_id = g.id)`

func scanAdminAgency(sc interface{ Scan(...any) error }) (*patchwork.AdminAgency, error) {
	var created int64
	out := &patchwork.AdminAgency{}
	g, err := scanAgency(scanFunc(func(dest ...any) error {
		return sc.Scan(append(dest, &created, &out.Agents, &out.Suspended)...)
	}))
	if err != nil {
		return nil, err
	}
	out.Agency, out.CreatedAt = g, fromMicros(created)
	return out, nil
}

// requireAgency returns ENOTFOUND unless agency id exists and is in reach.
func (r *reach) requireAgency(ctx context.Context, q querier, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM agencies g WHERE g.id = $1 AND `+r.agency("g.id"), id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return patchwork.ErrNotFound
	}
	return nil
}

// FindAgencyList returns a page of the agencies in reach that f selects.
func (s *AgencyAdminService) FindAgencyList(ctx context.Context, f patchwork.AgencyFilter) ([]*patchwork.AdminAgency, int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, 0, err
	}
	var args sqlArgs
	where := []string{r.agency("g.id")}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, args.nameContains("g.name_norm", q))
	}
	if f.Sector != "" {
		where = append(where, `g.sector = `+args.add(f.Sector))
	}
	if f.AreaID != 0 {
		p := args.add(f.AreaID)
		where = append(where, `EXISTS (SELECT 1 FROM agency_areas fx JOIN areas fl ON fl.id = fx.area_id
			WHERE fx.agency_id = g.id AND (fl.id = `+p+` OR fl.parent_id = `+p+`))`)
	}
	switch f.Status {
	case patchwork.AgencyPending, patchwork.AgencyActive, patchwork.AgencySuspended:
		where = append(where, `g.status = `+args.add(f.Status))
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM agencies g WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := ""
	if f.PerPage != -1 {
		per := f.PerPage
		if per <= 0 {
			per = patchwork.AdminPageSize
		}
		limit = fmt.Sprintf(` LIMIT %d OFFSET %d`, per, (max(f.Page, 1)-1)*per)
	}
	list, err := scanAll(ctx, s.db.read, `SELECT `+adminAgencyColumns+` FROM agencies g WHERE `+cond+` ORDER BY g.name_norm, g.id`+limit,
		scanAdminAgency, args...)
	if err != nil {
		return nil, 0, err
	}
	if err := s.db.loadAgencyDetails(ctx, list); err != nil {
		return nil, 0, err
	}
	action := patchwork.AuditAgencyList
	if f.PerPage == -1 {
		action = patchwork.AuditAgencyExport
	}
	if err := s.db.auditRead(ctx, action, 0, fmt.Sprintf("rows=%d", len(list))); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// loadAgencyDetails fills in the areas and sign-up domains of each listed
// agency, one statement of each per 500 agencies.
func (db *DB) loadAgencyDetails(ctx context.Context, list []*patchwork.AdminAgency) error {
	byID := make(map[int64]*patchwork.Agency, len(list))
	for start := 0; start < len(list); start += 500 {
		var args sqlArgs
		var ph []string
		for _, g := range list[start:min(start+500, len(list))] {
			byID[g.Agency.ID] = g.Agency
			ph = append(ph, args.add(g.Agency.ID))
		}
		in := strings.Join(ph, ", ")
		rows, err := db.read.QueryContext(ctx, `SELECT x.agency_id, `+areaColumns+` FROM agency_areas x JOIN areas r ON r.id = x.area_id
			WHERE x.agency_id IN (`+in+`) ORDER BY r.name, r.id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			ar := &patchwork.Area{}
			if err := rows.Scan(&id, &ar.ID, &ar.ParentID, &ar.Kind, &ar.Name); err != nil {
				rows.Close()
				return err
			}
			byID[id].Areas = append(byID[id].Areas, ar)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = db.read.QueryContext(ctx, `SELECT agency_id, domain FROM agency_domains WHERE agency_id IN (`+in+`)
			ORDER BY domain`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var d string
			if err := rows.Scan(&id, &d); err != nil {
				rows.Close()
				return err
			}
			byID[id].Domains = append(byID[id].Domains, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// FindAdminAgency returns one agency in reach.
func (s *AgencyAdminService) FindAdminAgency(ctx context.Context, id int64) (*patchwork.AdminAgency, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, err
	}
	list, err := scanAll(ctx, s.db.read, `SELECT `+adminAgencyColumns+` FROM agencies g WHERE g.id = $1 AND `+r.agency("g.id"),
		scanAdminAgency, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, patchwork.ErrNotFound
	}
	if err := s.db.loadAgencyDetails(ctx, list); err != nil {
		return nil, err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditAgencyView, 0, fmt.Sprintf("agency=%d", id)); err != nil {
		return nil, err
	}
	return list[0], nil
}

// checkAgency validates g for a create (id 0) or an update of agency id
// inside tx, with the checks that need the database: its areas are local
// areas in reach (an area admin gives at least one of theirs), and no
// other agency the caller may know of has the name. It returns the
// fields' messages, or nil.
func (r *reach) checkAgency(ctx context.Context, tx *Tx, id int64, g *patchwork.Agency) (map[string]string, error) {
	f := patchwork.ErrorFields(g.Validate())
	if f == nil {
		f = map[string]string{}
	}
	seen := map[int64]bool{}
	var areas []*patchwork.Area
	for _, a := range g.Areas {
		if a == nil || seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		cond := "1 = 1"
		if !r.all {
			cond = r.inDistricts("r.id")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM areas r WHERE r.id = $1 AND r.kind = 'local' AND `+cond, a.ID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			f["areas"] = "Select the agency's local areas from the list"
			continue
		}
		areas = append(areas, &patchwork.Area{ID: a.ID})
	}
	g.Areas = areas
	if !r.all && len(areas) == 0 && f["areas"] == "" {
		f["areas"] = "Select at least one local area of your districts"
	}
	if f["name"] == "" {
		// The bulk import finds agencies by name, so names stay unique. A
		// sensitive agency out of the caller's reach is known to them by
		// its generic label only, and its name is not given away here.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agencies g WHERE g.name_norm = $1 AND g.id <> $2
			AND (g.sensitive = 0 OR `+r.agency("g.id")+`)`, match.Fold(g.Name), id).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			f["name"] = "Another agency is already called that: enter a different name"
		}
	}
	if len(f) == 0 {
		return nil, nil
	}
	return f, nil
}

// CreateAdminAgency adds an agency; see patchwork.AgencyAdminService.
func (s *AgencyAdminService) CreateAdminAgency(ctx context.Context, g *patchwork.Agency) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	switch g.Status {
	case "":
		g.Status = patchwork.AgencyActive
	case patchwork.AgencyActive, patchwork.AgencyPending:
	default:
		return patchwork.Invalid(map[string]string{"status": "Choose whether the agency can be used now"})
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		f, err := r.checkAgency(ctx, tx, 0, g)
		if err != nil {
			return err
		}
		if f != nil {
			return patchwork.Invalid(f)
		}
		return tx.insertAgency(ctx, g)
	})
}

// UpdateAgency changes an agency in reach; see patchwork.AgencyAdminService.
func (s *AgencyAdminService) UpdateAgency(ctx context.Context, id int64, g *patchwork.Agency) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		// Reach before the form: out of reach, a form with mistakes gets
		// the same 404 as a good one.
		if err := r.requireAgency(ctx, tx, id); err != nil {
			return err
		}
		f, err := r.checkAgency(ctx, tx, id, g)
		if err != nil {
			return err
		}
		if f != nil {
			return patchwork.Invalid(f)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agencies SET name = $1, sector = $2, phone = $3, email = $4, address = $5,
			contact_route = $6, sensitive = $7, generic_label = $8, email_domain = $9, name_norm = $10, generic_email = $11,
			generic_phone = $12, publish_direct = $13 WHERE id = $14`,
			g.Name, g.Sector, g.Phone, g.Email, g.Address, g.ContactRoute, b2i(g.Sensitive), g.GenericLabel, g.EmailDomain,
			match.Fold(g.Name), g.GenericEmail, g.GenericPhone, b2i(g.PublishDirect), id); err != nil {
			return fmt.Errorf("sqldb: update agency: %w", err)
		}
		// An area admin replaces the areas of their districts only.
		drop := `DELETE FROM agency_areas WHERE agency_id = $1`
		if !r.all {
			drop += ` AND ` + r.inDistricts("agency_areas.area_id")
		}
		if _, err := tx.ExecContext(ctx, drop, id); err != nil {
			return err
		}
		for _, a := range g.Areas {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agency_areas (agency_id, area_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
				id, a.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agency_domains WHERE agency_id = $1`, id); err != nil {
			return err
		}
		for _, d := range g.Domains {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agency_domains (agency_id, domain) VALUES ($1, $2)`, id, d); err != nil {
				return err
			}
		}
		// Its staff are found by its name, label and sector too.
		if err := tx.indexAgency(ctx, id); err != nil {
			return err
		}
		agents, err := queryIDs(ctx, tx, `SELECT id FROM agents WHERE agency_id = $1 ORDER BY id`, id)
		if err != nil {
			return err
		}
		for _, a := range agents {
			if err := tx.indexAgent(ctx, a); err != nil {
				return err
			}
		}
		g.ID = id
		return tx.audit(ctx, patchwork.AuditAgencyUpdate, 0, fmt.Sprintf("agency=%d", id))
	})
}
