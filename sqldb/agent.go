package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"patchwork"
	"patchwork/match"
	"patchwork/password"
)

// AgentService implements patchwork.AgentService.
type AgentService struct {
	db *DB
	// DemoMode allows the demo password. It is accepted only when the
	// server runs in demo mode and the database was seeded as a demo.
	DemoMode bool
}

// NewAgentService returns an AgentService on db.
func NewAgentService(db *DB) *AgentService { return &AgentService{db: db} }

// DemoPassword is the password of every demo agent. It is accepted only while
// the database is marked as holding demo data.
const DemoPassword = "demo"

const agentColumns = `a.id, a.email, a.name, a.role, a.sensitive_role, a.generic_role, a.agency_id,
	a.mobile, a.landline, a.contact_email, a.preferred_contact, a.working_hours, a.is_admin, a.active, a.created_at,
	g.id, g.name, g.sector, g.phone, g.email, g.address, g.contact_route, g.sensitive, g.generic_label, g.email_domain,
	g.generic_email, g.generic_phone, g.publish_direct`

const agentFrom = ` FROM agents a JOIN agencies g ON g.id = a.agency_id`

func scanAgent(sc interface{ Scan(...any) error }) (*patchwork.Agent, error) {
	a := &patchwork.Agent{Agency: &patchwork.Agency{}}
	g := a.Agency
	var created int64
	err := sc.Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.SensitiveRole, &a.GenericRole, &a.AgencyID,
		&a.Mobile, &a.Landline, &a.ContactEmail, &a.PreferredContact, &a.WorkingHours, &a.Admin, &a.Active, &created,
		&g.ID, &g.Name, &g.Sector, &g.Phone, &g.Email, &g.Address, &g.ContactRoute, &g.Sensitive, &g.GenericLabel, &g.EmailDomain,
		&g.GenericEmail, &g.GenericPhone, &g.PublishDirect)
	if err != nil {
		return nil, err
	}
	a.CreatedAt = fromMicros(created)
	return a, nil
}

func (db *DB) findAgent(ctx context.Context, q querier, where string, args ...any) (*patchwork.Agent, error) {
	a, err := scanAgent(q.QueryRowContext(ctx, `SELECT `+agentColumns+agentFrom+` WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, patchwork.ErrNotFound
	}
	return a, err
}

// areasOf loads the areas linked to owner ids through a link table such as
// agent_areas(agent_id, area_id).
func (db *DB) areasOf(ctx context.Context, q querier, table, col string, id int64) ([]*patchwork.Area, error) {
	return scanAll(ctx, q, `SELECT `+areaColumns+` FROM `+table+` l
		JOIN areas r ON r.id = l.area_id WHERE l.`+col+` = $1 ORDER BY r.name`, scanArea, id)
}

// agentAreas loads an agent's areas; with origin, it also says which a
// team added (Area.FromTeam), which only the agent themself is shown.
func (db *DB) agentAreas(ctx context.Context, id int64, origin bool) ([]*patchwork.Area, error) {
	return scanAll(ctx, db.read, `SELECT `+areaColumns+`, CASE WHEN l.from_client_id IS NULL THEN 0 ELSE 1 END
		FROM agent_areas l JOIN areas r ON r.id = l.area_id WHERE l.agent_id = $1 ORDER BY r.name`,
		func(sc interface{ Scan(...any) error }) (*patchwork.Area, error) {
			r := &patchwork.Area{}
			var fromTeam int
			err := sc.Scan(&r.ID, &r.ParentID, &r.Kind, &r.Name, &fromTeam)
			r.FromTeam = origin && fromTeam == 1
			return r, err
		}, id)
}

// Authenticate checks credentials; see patchwork.AgentService.
func (s *AgentService) Authenticate(ctx context.Context, email, pw string) (*patchwork.Agent, error) {
	bad := patchwork.Errorf(patchwork.EUNAUTHORIZED, "Enter a correct email address and password.")
	// An email with bytes no database can hold (PostgreSQL refuses them), or
	// a value longer than any account's, gets the ordinary answer at once:
	// no password is verified, so this is no way to guess one. The password
	// is only hashed, so its bytes are the password policy's business.
	if !patchwork.ValidText(email) || len(email) > patchwork.MaxEmailLength || len(pw) > patchwork.MaxPasswordLength {
		_ = password.VerifyDummy(ctx, "")
		return nil, bad
	}
	email = strings.ToLower(strings.TrimSpace(email))
	ip := patchwork.RequestMetaFromContext(ctx).IP
	// The attempt is counted before the password is checked: checked
	// first and recorded after, eighty guesses sent at once were all
	// checked before the first was recorded.
	if reserved, err := s.db.reserveSignIn(ctx, email, ip); err != nil {
		return nil, err
	} else if !reserved {
		return nil, patchwork.Errorf(patchwork.ETOOMANYREQUEST,
			"Too many failed sign-in attempts. Wait 15 minutes and try again, or reset your password.")
	}
	var hash string
	a, err := s.db.findAgent(ctx, s.db.read, `a.email = $1`, email)
	if err == nil {
		err = s.db.read.QueryRowContext(ctx, `SELECT password_hash FROM agents WHERE id = $1`, a.ID).Scan(&hash)
	}
	if err != nil && patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
		return nil, err
	}
	ok := false
	if a == nil {
		_ = password.VerifyDummy(ctx, pw)
	} else if verr := password.Verify(ctx, pw, hash); verr == nil && a.Active {
		ok = pw != DemoPassword || (s.DemoMode && s.isDemo(ctx))
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if !ok {
			// The reserved slots stay taken: they are this failure.
			var actor int64
			if a != nil {
				actor = a.ID
			}
			if a != nil {
				if err := tx.noticeLockout(ctx, a, email); err != nil {
					return err
				}
			}
			return tx.auditAs(ctx, actor, patchwork.AuditLoginFailed, 0, "")
		}
		if err := tx.releaseSignIn(ctx, email, ip); err != nil {
			return err
		}
		// Signing in answers an inactivity warning.
		if _, err := tx.ExecContext(ctx, `UPDATE agents SET inactivity_warned_at = NULL
			WHERE id = $1 AND inactivity_warned_at IS NOT NULL`, a.ID); err != nil {
			return err
		}
		return tx.auditAs(ctx, a.ID, patchwork.AuditLogin, 0, "")
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, bad
	}
	if a.TwoFactor, err = s.db.hasTwoFactor(ctx, s.db.read, a.ID); err != nil {
		return nil, err
	}
	return a, nil
}

func (s *AgentService) isDemo(ctx context.Context) bool {
	v, err := s.db.Setting(ctx, "demo")
	return err == nil && v == "true"
}

// FindCaller loads an active agent for a session.
func (s *AgentService) FindCaller(ctx context.Context, id int64) (*patchwork.Agent, error) {
	a, err := s.db.findAgent(ctx, s.db.read, `a.id = $1 AND a.active = 1`, id)
	if err != nil {
		return nil, err
	}
	// An area admin's districts decide what the admin pages reach.
	if a.AdminDistricts, err = s.db.adminDistrictsOf(ctx, s.db.read, id); err != nil {
		return nil, err
	}
	return a, nil
}

// FindAgentByID returns a phone-book entry as the caller may see it.
func (s *AgentService) FindAgentByID(ctx context.Context, id int64) (*patchwork.Agent, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	// The agents of an agency the phone book does not list are as missing,
	// except to themselves.
	a, err := s.db.findAgent(ctx, s.db.read, `a.id = $1 AND (`+listedAgency(c)+` OR a.id = $2)`, id, c.ID)
	if err != nil {
		return nil, err
	}
	if !a.Active && !c.Admin {
		return nil, patchwork.ErrNotFound
	}
	if a.Areas, err = s.db.agentAreas(ctx, a.ID, c.ID == a.ID); err != nil {
		return nil, err
	}
	// A sensitive agency that publishes its staff's direct contacts to team
	// members shows them to those who share a client's team with the agent.
	if g := a.Agency; g.Sensitive && g.PublishDirect && c.ID != a.ID && !c.Admin && c.AgencyID != g.ID {
		var n int
		if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships mine
			JOIN memberships theirs ON theirs.client_id = mine.client_id AND theirs.agent_id = $2 AND theirs.left_at IS NULL
			WHERE mine.agent_id = $1 AND mine.left_at IS NULL`, c.ID, a.ID).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return a.AsTeammateSeenBy(c), nil
		}
	}
	return a.AsSeenBy(c), nil
}

// CreateAgent adds an agent; see patchwork.AgentService.
func (s *AgentService) CreateAgent(ctx context.Context, a *patchwork.Agent, pw string) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	f := map[string]string{}
	if err := a.Validate(); err != nil {
		f = patchwork.ErrorFields(err)
	}
	// The demo password passes only in demo mode; every real password
	// meets the policy of docs/security.md.
	if !(pw == DemoPassword && s.DemoMode) {
		if err := password.Check(pw, a.Email); err != nil {
			f["password"] = password.Message(err)
		}
	}
	if a.PreferredContact == "" {
		a.PreferredContact = patchwork.ContactEmail
	}
	if err := patchwork.Invalid(f); err != nil {
		return err
	}
	hash, err := password.Hash(ctx, pw)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		return tx.insertAgent(ctx, a, hash)
	})
}

// insertAgent writes an agent with an already computed password hash (the
// demo seeder shares one hash between its agents) and audits it as created
// by the caller.
func (tx *Tx) insertAgent(ctx context.Context, a *patchwork.Agent, hash string) error {
	if err := tx.insertAgentRow(ctx, a, hash); err != nil {
		return err
	}
	return tx.audit(ctx, patchwork.AuditAgentCreate, 0, fmt.Sprintf("agent=%d", a.ID))
}

// insertAgentRow writes an agent, its areas and its phone-book words; an
// address already taken is ECONFLICT on the "email" field.
func (tx *Tx) insertAgentRow(ctx context.Context, a *patchwork.Agent, hash string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE email = $1`, a.Email).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &patchwork.Error{Code: patchwork.ECONFLICT, Message: "An agent with this email address already exists.",
			Fields: map[string]string{"email": "An agent with this email address already exists"}}
	}
	a.Active = true
	a.CreatedAt = tx.now
	err := tx.QueryRowContext(ctx, `INSERT INTO agents (email, password_hash, name, name_norm, role, sensitive_role,
		generic_role, agency_id, mobile, landline, contact_email, preferred_contact, working_hours, is_admin, active, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15) RETURNING id`,
		a.Email, hash, a.Name, match.Fold(a.Name), a.Role, b2i(a.SensitiveRole), a.GenericRole, a.AgencyID,
		a.Mobile, a.Landline, a.ContactEmail, a.PreferredContact, a.WorkingHours, b2i(a.Admin), micros(tx.now)).Scan(&a.ID)
	if isUniqueViolation(err) {
		// Two sign-ups of one address racing: the count above saw neither.
		return &patchwork.Error{Code: patchwork.ECONFLICT, Message: "An agent with this email address already exists.",
			Fields: map[string]string{"email": "An agent with this email address already exists"}}
	} else if err != nil {
		return fmt.Errorf("sqldb: insert agent: %w", err)
	}
	for _, r := range a.Areas {
		if _, err := tx.ExecContext(ctx, `INSERT INTO agent_areas (agent_id, area_id) VALUES ($1, $2)`, a.ID, r.ID); err != nil {
			return err
		}
	}
	return tx.indexAgent(ctx, a.ID)
}

// UpdateProfile changes the caller's own profile.
func (s *AgentService) UpdateProfile(ctx context.Context, u patchwork.AgentUpdate) (*patchwork.Agent, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE agents SET name = $1, name_norm = $2, role = $3, sensitive_role = $4,
			generic_role = $5, mobile = $6, landline = $7, contact_email = $8, preferred_contact = $9, working_hours = $10
			WHERE id = $11`, u.Name, match.Fold(u.Name), u.Role, b2i(u.SensitiveRole), u.GenericRole, u.Mobile, u.Landline,
			u.ContactEmail, u.PreferredContact, u.WorkingHours, c.ID); err != nil {
			return err
		}
		// Areas kept keep their origin: one a team added stays the team's,
		// to go when the agent leaves it (releaseAreas).
		keep := []any{c.ID}
		marks := make([]string, 0, len(u.AreaIDs))
		for _, id := range u.AreaIDs {
			keep = append(keep, id)
			marks = append(marks, fmt.Sprintf("$%d", len(keep)))
		}
		del := `DELETE FROM agent_areas WHERE agent_id = $1`
		if len(marks) > 0 {
			del += ` AND area_id NOT IN (` + strings.Join(marks, ", ") + `)`
		}
		if _, err := tx.ExecContext(ctx, del, keep...); err != nil {
			return err
		}
		for _, id := range u.AreaIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO agent_areas (agent_id, area_id)
				SELECT $1, id FROM areas WHERE id = $2 AND kind = 'local' ON CONFLICT DO NOTHING`, c.ID, id); err != nil {
				return err
			}
		}
		if err := tx.indexAgent(ctx, c.ID); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditProfile, 0, "")
	})
	if err != nil {
		return nil, err
	}
	return s.FindAgentByID(ctx, c.ID)
}

// DeactivateAgent ends an agent's access and memberships; each team is
// told. Area admins may deactivate the agents of their districts
// (AdminService.DeactivateAgent).
func (s *AgentService) DeactivateAgent(ctx context.Context, id int64) error {
	return NewAdminService(s.db).DeactivateAgent(ctx, id)
}

// deactivateAgent ends agent id's access, memberships and sessions.
func (tx *Tx) deactivateAgent(ctx context.Context, id int64) error {
	return tx.deactivateAgentBecause(ctx, id, patchwork.LeaveDeactivated)
}

// deactivateAgentBecause is deactivateAgent with the leave reason each
// team's trail shows (LeaveDeactivated, or LeaveAgencySuspended for an
// agency's suspension).
func (tx *Tx) deactivateAgentBecause(ctx context.Context, id int64, reason string) error {
	return tx.deactivateAgentFor(ctx, id, reason, "")
}

// deactivateAgentFor is deactivateAgentBecause with why (if any) in the
// audit row: the inactivity rule says it was the rule.
func (tx *Tx) deactivateAgentFor(ctx context.Context, id int64, reason, why string) error {
	res, err := tx.ExecContext(ctx, `UPDATE agents SET active = 0, deactivated_at = $1, inactivity_warned_at = NULL
		WHERE id = $2 AND active = 1`, micros(tx.now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return patchwork.ErrNotFound
	}
	clients, err := queryIDs(ctx, tx, `SELECT client_id FROM memberships WHERE agent_id = $1 AND left_at IS NULL`, id)
	if err != nil {
		return err
	}
	for _, cid := range clients {
		if err := tx.endMembership(ctx, cid, id, patchwork.LeaveRequest{Reason: reason}); err != nil {
			return err
		}
	}
	// Their sessions end with the deactivation, not at their next
	// request: nothing is left to resume if they were reactivated.
	if _, err := tx.endSessions(ctx, id, ""); err != nil {
		return err
	}
	detail := fmt.Sprintf("agent=%d", id)
	if why != "" {
		detail += " reason=" + why
	}
	return tx.audit(ctx, patchwork.AuditAgentDeact, 0, detail)
}

// FindSharedClients returns only the clients the caller and agentID share.
func (s *AgentService) FindSharedClients(ctx context.Context, agentID int64) ([]*patchwork.ClientSummary, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.db.clientSummaries(ctx, `JOIN memberships mine ON mine.client_id = c.id AND mine.agent_id = $1 AND mine.left_at IS NULL
		JOIN memberships theirs ON theirs.client_id = c.id AND theirs.agent_id = $2 AND theirs.left_at IS NULL`, c.ID, agentID)
}
