package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"patchwork"
)

// AdminService implements patchwork.AdminService.
type AdminService struct{ db *DB }

// NewAdminService returns an AdminService on db.
func NewAdminService(db *DB) *AdminService { return &AdminService{db: db} }

// reach is what an admin may touch: everything (a system admin, the system
// caller) or the records of some districts (an area admin).
type reach struct {
	actor     *patchwork.Agent // nil for the system caller
	all       bool
	districts []int64
}

// adminReach returns the caller's reach: EUNAUTHORIZED without a caller,
// ENOTFOUND for an agent who is no admin of any kind.
func adminReach(ctx context.Context) (*reach, error) {
	if patchwork.IsSystemContext(ctx) {
		return &reach{all: true}, nil
	}
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if !patchwork.CanReachAdmin(a) {
		return nil, patchwork.ErrNotFound
	}
	return &reach{actor: a, all: a.Admin, districts: a.AdminDistricts}, nil
}

// inDistricts is the SQL condition that the area with id expression area
// is one of the reach's districts or a local area in one. The ids are
// integers written into the statement, never text from a request.
func (r *reach) inDistricts(area string) string {
	ids := make([]string, len(r.districts))
	for i, d := range r.districts {
		ids[i] = strconv.FormatInt(d, 10)
	}
	list := strings.Join(ids, ", ")
	if list == "" {
		list = "NULL"
	}
	return `EXISTS (SELECT 1 FROM areas rl WHERE rl.id = ` + area + ` AND (rl.id IN (` + list + `) OR rl.parent_id IN (` + list + `)))`
}

// agency is the condition that the agency with id expression id is in reach.
func (r *reach) agency(id string) string {
	if r.all {
		return "1 = 1"
	}
	return `EXISTS (SELECT 1 FROM agency_areas rx WHERE rx.agency_id = ` + id + ` AND ` + r.inDistricts("rx.area_id") + `)`
}

// agent is the condition that the agent a (aliased so in the statement) is
// in reach: one of their areas or their agency's is in a district.
func (r *reach) agent() string {
	if r.all {
		return "1 = 1"
	}
	return `(EXISTS (SELECT 1 FROM agent_areas rx WHERE rx.agent_id = a.id AND ` + r.inDistricts("rx.area_id") + `) OR ` +
		r.agency("a.agency_id") + `)`
}

// client is the condition that the client with id expression id is in reach.
func (r *reach) client(id string) string {
	if r.all {
		return "1 = 1"
	}
	return `EXISTS (SELECT 1 FROM client_areas rx WHERE rx.client_id = ` + id + ` AND ` + r.inDistricts("rx.area_id") + `)`
}

// requireAgent returns ENOTFOUND unless agent id exists and is in reach.
func (r *reach) requireAgent(ctx context.Context, q querier, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents a WHERE a.id = $1 AND `+r.agent(), id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return patchwork.ErrNotFound
	}
	return nil
}

// requireClient returns ENOTFOUND unless client id exists and is in reach.
func (r *reach) requireClient(ctx context.Context, q querier, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM clients c WHERE c.id = $1 AND `+r.client("c.id"), id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return patchwork.ErrNotFound
	}
	return nil
}

// adminDistrictsOf returns the districts agent id administers.
func (db *DB) adminDistrictsOf(ctx context.Context, q querier, id int64) ([]int64, error) {
	return queryIDs(ctx, q, `SELECT district_id FROM admin_districts WHERE agent_id = $1 ORDER BY district_id`, id)
}

const adminAgentColumns = agentColumns + `, COALESCE(a.deactivated_at, 0),
	COALESCE((SELECT MAX(e.at) FROM audit_events e WHERE e.actor_id = a.id AND e.action = '` + patchwork.AuditLogin + `'), 0)`

func scanAdminAgent(sc interface{ Scan(...any) error }) (*patchwork.AdminAgent, error) {
	var deact, last int64
	a, err := scanAgent(scanFunc(func(dest ...any) error { return sc.Scan(append(dest, &deact, &last)...) }))
	if err != nil {
		return nil, err
	}
	out := &patchwork.AdminAgent{Agent: a}
	if deact > 0 {
		out.DeactivatedAt = fromMicros(deact)
	}
	if last > 0 {
		out.LastSignIn = fromMicros(last)
	}
	return out, nil
}

// FindAdminAgents returns a page of the agents in reach that f selects.
func (s *AdminService) FindAdminAgents(ctx context.Context, f patchwork.AgentFilter) ([]*patchwork.AdminAgent, int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, 0, err
	}
	var args sqlArgs
	where := []string{r.agent()}
	if q := strings.TrimSpace(f.Query); q != "" {
		where = append(where, "("+args.contains("a.email", strings.ToLower(q))+" OR "+args.nameContains("a.name_norm", q)+")")
	}
	if f.AgencyID != 0 {
		where = append(where, `a.agency_id = `+args.add(f.AgencyID))
	}
	if f.AreaID != 0 {
		p := args.add(f.AreaID)
		where = append(where, `EXISTS (SELECT 1 FROM agent_areas fx JOIN areas fl ON fl.id = fx.area_id
			WHERE fx.agent_id = a.id AND (fl.id = `+p+` OR fl.parent_id = `+p+`))`)
	}
	switch f.Status {
	case patchwork.AgentStatusActive:
		where = append(where, `a.active = 1`)
	case patchwork.AgentStatusDeactivated:
		where = append(where, `a.active = 0`)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+agentFrom+` WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := ""
	switch {
	case f.PerPage == -1:
	default:
		per := f.PerPage
		if per <= 0 {
			per = patchwork.AdminPageSize
		}
		page := max(f.Page, 1)
		limit = fmt.Sprintf(` LIMIT %d OFFSET %d`, per, (page-1)*per)
	}
	list, err := scanAll(ctx, s.db.read, `SELECT `+adminAgentColumns+agentFrom+` WHERE `+cond+` ORDER BY a.name_norm, a.id`+limit,
		scanAdminAgent, args...)
	if err != nil {
		return nil, 0, err
	}
	if err := s.db.loadAgentAreas(ctx, list); err != nil {
		return nil, 0, err
	}
	action := patchwork.AuditAgentList
	if f.PerPage == -1 {
		action = patchwork.AuditAgentExport
	}
	if err := s.db.auditRead(ctx, action, 0, fmt.Sprintf("rows=%d", len(list))); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// loadAgentAreas fills in the areas of each listed agent, in batches of
// one statement.
func (db *DB) loadAgentAreas(ctx context.Context, list []*patchwork.AdminAgent) error {
	byID := make(map[int64]*patchwork.Agent, len(list))
	for start := 0; start < len(list); start += 500 {
		var args sqlArgs
		var ph []string
		for _, a := range list[start:min(start+500, len(list))] {
			byID[a.Agent.ID] = a.Agent
			ph = append(ph, args.add(a.Agent.ID))
		}
		rows, err := db.read.QueryContext(ctx, `SELECT x.agent_id, `+areaColumns+` FROM agent_areas x JOIN areas r ON r.id = x.area_id
			WHERE x.agent_id IN (`+strings.Join(ph, ", ")+`) ORDER BY r.name`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var agent int64
			ar := &patchwork.Area{}
			if err := rows.Scan(&agent, &ar.ID, &ar.ParentID, &ar.Kind, &ar.Name); err != nil {
				rows.Close()
				return err
			}
			byID[agent].Areas = append(byID[agent].Areas, ar)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// FindAdminAgent returns one agent in reach.
func (s *AdminService) FindAdminAgent(ctx context.Context, id int64) (*patchwork.AdminAgent, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, err
	}
	list, err := scanAll(ctx, s.db.read, `SELECT `+adminAgentColumns+agentFrom+` WHERE a.id = $1 AND `+r.agent(), scanAdminAgent, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, patchwork.ErrNotFound
	}
	a := list[0]
	if a.Agent.Areas, err = s.db.areasOf(ctx, s.db.read, "agent_areas", "agent_id", id); err != nil {
		return nil, err
	}
	if a.Agent.AdminDistricts, err = s.db.adminDistrictsOf(ctx, s.db.read, id); err != nil {
		return nil, err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditAgentView, 0, fmt.Sprintf("agent=%d", id)); err != nil {
		return nil, err
	}
	return a, nil
}

// DeactivateAgent ends the access of an agent in reach.
func (s *AdminService) DeactivateAgent(ctx context.Context, id int64) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := r.requireAgent(ctx, tx, id); err != nil {
			return err
		}
		return tx.deactivateAgent(ctx, id)
	})
}

// ReactivateAgent lets a deactivated agent in reach sign in again.
func (s *AdminService) ReactivateAgent(ctx context.Context, id int64) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := r.requireAgent(ctx, tx, id); err != nil {
			return err
		}
		// An agent of a suspended agency comes back with the agency
		// (UnsuspendAgency), not on their own.
		if err := agentsAgencyActive(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE agents SET active = 1, deactivated_at = NULL,
			reactivated_at = $2, inactivity_warned_at = NULL WHERE id = $1 AND active = 0`, id, micros(tx.now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return patchwork.ErrNotFound
		}
		return tx.audit(ctx, patchwork.AuditAgentReact, 0, fmt.Sprintf("agent=%d", id))
	})
}

// MoveAgent moves an agent in reach to an agency in reach.
func (s *AdminService) MoveAgent(ctx context.Context, id, agencyID int64) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := r.requireAgent(ctx, tx, id); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agencies g WHERE g.id = $1 AND g.status <> 'suspended' AND `+
			r.agency("g.id"), agencyID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return patchwork.Invalid(map[string]string{"agency_id": "Select the agency to move them to"})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agents SET agency_id = $1 WHERE id = $2`, agencyID, id); err != nil {
			return err
		}
		if err := tx.indexAgent(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAgentMove, 0, fmt.Sprintf("agent=%d agency=%d", id, agencyID))
	})
}

// SetAdminDistricts makes an agent the area admin of districtIDs.
func (s *AdminService) SetAdminDistricts(ctx context.Context, agentID int64, districtIDs []int64) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE id = $1`, agentID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return patchwork.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM admin_districts WHERE agent_id = $1`, agentID); err != nil {
			return err
		}
		for _, d := range districtIDs {
			res, err := tx.ExecContext(ctx, `INSERT INTO admin_districts (agent_id, district_id)
				SELECT $1, id FROM areas WHERE id = $2 AND kind = 'district' ON CONFLICT DO NOTHING`, agentID, d)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return patchwork.Invalid(map[string]string{"district_id": "Select a district"})
			}
		}
		return tx.audit(ctx, patchwork.AuditAdminDistricts, 0, fmt.Sprintf("agent=%d districts=%d", agentID, len(districtIDs)))
	})
}

// FindAdminAgencies returns the agencies in reach.
func (s *AdminService) FindAdminAgencies(ctx context.Context) ([]*patchwork.Agency, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, err
	}
	return scanAll(ctx, s.db.read, `SELECT `+agencyColumns+` FROM agencies g WHERE `+r.agency("g.id")+` ORDER BY g.name, g.id`, scanAgency)
}
