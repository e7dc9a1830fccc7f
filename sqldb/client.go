package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"patchwork"
	"patchwork/match"
	"patchwork/search"
)

// ClientService implements patchwork.ClientService.
type ClientService struct {
	db     *DB
	engine *search.Engine
	// JoinLimit is how many teams an agent may join in JoinWindow; more
	// are refused with ETOOMANYREQUEST. The count is kept in the database,
	// so it holds across instances and restarts. 0 or less is no limit and
	// the joins are not counted: for seeding, never for a deployment that
	// serves agents.
	JoinLimit int
	// RateLimit and RateWindow bound the duplicate checks of new clients
	// as SearchService's bound searches: a duplicate check searches the
	// whole network and returns join tickets, so it counts as a client
	// search, against the same count.
	RateLimit  int
	RateWindow time.Duration
}

// NewClientService returns a ClientService on db with the default join
// and search limits.
func NewClientService(db *DB) *ClientService {
	return &ClientService{db: db, engine: db.SearchEngine(), JoinLimit: DefaultJoinLimit,
		RateLimit: DefaultSearchRateLimit, RateWindow: DefaultSearchRateWindow}
}

// FindClientProfile returns a client's page for a current team member.
func (s *ClientService) FindClientProfile(ctx context.Context, id int64) (*patchwork.ClientProfile, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var p *patchwork.ClientProfile
	if err := s.db.inReadTx(ctx, func(q querier) error {
		p, err = s.db.loadProfile(ctx, q, c, id)
		return err
	}); err != nil {
		return nil, err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditClientView, id, ""); err != nil {
		return nil, err
	}
	return p, nil
}

// FindClientPage returns the client's page for a current team member; see
// patchwork.ClientService. Its reads share one read transaction: one
// snapshot, and on SQLite one start of a read instead of one a statement.
func (s *ClientService) FindClientPage(ctx context.Context, id int64) (*patchwork.ClientPage, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	page := &patchwork.ClientPage{}
	if err := s.db.inReadTx(ctx, func(q querier) error {
		if page.Profile, err = s.db.loadProfile(ctx, q, c, id); err != nil {
			return err
		}
		if page.Attentions, err = loadAttentions(ctx, q, id, c.ID); err != nil {
			return err
		}
		if page.Circle, err = s.db.loadCircleAndHints(ctx, q, c, id); err != nil {
			return err
		}
		page.Invitations, err = s.db.loadInvitations(ctx, q, id)
		return err
	}); err != nil {
		return nil, err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditClientView, id, ""); err != nil {
		return nil, err
	}
	return page, nil
}

// loadProfile reads a client's profile for c, ENOTFOUND unless c is on
// the team. The team is loaded first: it both answers "is the caller a
// member?" and is needed for the page, saving a query on the hottest page.
func (db *DB) loadProfile(ctx context.Context, q querier, c *patchwork.Agent, id int64) (*patchwork.ClientProfile, error) {
	team, err := db.loadTeam(ctx, q, id, c)
	if err != nil {
		return nil, err
	}
	member := false
	for _, m := range team {
		member = member || m.Agent.ID == c.ID
	}
	if !patchwork.CanViewClient(c, member) {
		return nil, patchwork.ErrNotFound
	}
	p := &patchwork.ClientProfile{IsMember: true, Team: team}
	if p.Client, err = db.loadClient(ctx, q, id); err != nil {
		return nil, err
	}
	p.Agencies = teamAgencies(p.Team)
	if p.LeadProposal, err = db.leadProposal(ctx, q, id); err != nil {
		return nil, err
	}
	if p.Activity, err = db.loadActivity(ctx, q, `t.client_id = $1`, 20, id); err != nil {
		return nil, err
	}
	return p, nil
}

func (db *DB) loadClient(ctx context.Context, q querier, id int64) (*patchwork.Client, error) {
	cl := &patchwork.Client{ID: id}
	var created, updated int64
	err := q.QueryRowContext(ctx, `SELECT first_name, last_name, date_of_birth, address, postcode, phone, created_at, updated_at
		FROM clients WHERE id = $1 AND erased_at IS NULL`, id).Scan(&cl.FirstName, &cl.LastName, &cl.DateOfBirth, &cl.Address, &cl.Postcode,
		&cl.Phone, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, patchwork.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	cl.CreatedAt, cl.UpdatedAt = fromMicros(created), fromMicros(updated)
	if cl.Aliases, err = queryColumn[string](ctx, q, `SELECT display FROM client_names WHERE client_id = $1 AND is_alias = 1
		ORDER BY id`, id); err != nil {
		return nil, err
	}
	if cl.Areas, err = db.areasOf(ctx, q, "client_areas", "client_id", id); err != nil {
		return nil, err
	}
	return cl, nil
}

// loadTeam returns the current members of a client's team as viewer, a
// member of that team, may see them (Agent.AsTeammateSeenBy), the lead
// professional first, then the earliest to join. A viewer who is not a member must be given nothing of it.
func (db *DB) loadTeam(ctx context.Context, q querier, clientID int64, viewer *patchwork.Agent) ([]*patchwork.TeamMember, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+agentColumns+`, m.id, m.joined_at, m.how_joined, m.basis,
		m.last_contact_on, m.next_contact_on, m.next_contact_time, m.next_contact_kind, COALESCE(m.reviewed_at, m.joined_at), m.is_lead
		`+agentFrom+` JOIN memberships m ON m.agent_id = a.id
		WHERE m.client_id = $1 AND m.left_at IS NULL ORDER BY m.is_lead DESC, m.joined_at, m.id`, clientID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var team []*patchwork.TeamMember
	for rows.Next() {
		m := &patchwork.Membership{ClientID: clientID}
		var joined, reviewed int64
		a, err := scanAgent(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &m.ID, &joined, &m.HowJoined, &m.Basis, &m.LastContactOn, &m.NextContactOn,
				&m.NextContactTime, &m.NextContactKind, &reviewed, &m.IsLead)...)
		}))
		if err != nil {
			return nil, err
		}
		m.AgentID, m.JoinedAt, m.ReviewedAt = a.ID, fromMicros(joined), fromMicros(reviewed)
		m.MayBeOutOfDate = db.now().Sub(m.ReviewedAt) > 2*db.reviewPeriod()
		team = append(team, &patchwork.TeamMember{Agent: a.AsTeammateSeenBy(viewer), Membership: m})
	}
	return team, rows.Err()
}

// scanFunc adapts a function to the Scan method scanAgent expects, so that
// extra columns can follow the agent's.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// teamAgencies lists the distinct agencies on a team, by displayed name.
func teamAgencies(team []*patchwork.TeamMember) []*patchwork.Agency {
	seen := map[int64]bool{}
	var out []*patchwork.Agency
	for _, m := range team {
		if g := m.Agent.Agency; g != nil && !seen[g.ID] {
			seen[g.ID] = true
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FindMyClients returns the caller's clients, most recently active first.
func (s *ClientService) FindMyClients(ctx context.Context) ([]*patchwork.ClientSummary, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.db.clientSummaries(ctx, `JOIN memberships mine ON mine.client_id = c.id AND mine.agent_id = $1 AND mine.left_at IS NULL`, c.ID)
}

// clientSummaries loads dashboard cards for the clients selected by join.
// Callers must restrict join to clients the caller is a member of.
func (db *DB) clientSummaries(ctx context.Context, join string, args ...any) ([]*patchwork.ClientSummary, error) {
	return scanAll(ctx, db.read, `SELECT c.id, c.first_name, c.last_name, c.date_of_birth,
		(SELECT COUNT(*) FROM memberships m WHERE m.client_id = c.id AND m.left_at IS NULL),
		(SELECT COUNT(DISTINCT a.agency_id) FROM memberships m JOIN agents a ON a.id = m.agent_id
			WHERE m.client_id = c.id AND m.left_at IS NULL),
		COALESCE((SELECT MAX(t.created_at) FROM activities t WHERE t.client_id = c.id), c.created_at),
		COALESCE((SELECT MIN(ar.name) FROM client_areas ca JOIN areas ar ON ar.id = ca.area_id WHERE ca.client_id = c.id), ''),
		(SELECT COUNT(*) FROM attentions t WHERE t.client_id = c.id AND t.resolved_at IS NULL)
		FROM clients c `+join+` ORDER BY 7 DESC, c.id LIMIT 500`, func(sc interface{ Scan(...any) error }) (*patchwork.ClientSummary, error) {
		cs := &patchwork.ClientSummary{}
		var first, last string
		var lastAct int64
		if err := sc.Scan(&cs.ID, &first, &last, &cs.DateOfBirth, &cs.TeamSize, &cs.AgencyCount, &lastAct, &cs.Area, &cs.OpenAttentions); err != nil {
			return nil, err
		}
		cs.Name = strings.TrimSpace(first + " " + last)
		cs.LastActivity = fromMicros(lastAct)
		return cs, nil
	}, args...)
}

// CreateClient validates and adds a client with the caller as first member.
// The date of birth must already be in c.DateOfBirth as typed; it is parsed
// here so that the rule lives in one place.
func (s *ClientService) CreateClient(ctx context.Context, cl *patchwork.Client) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	if err := cl.Validate(cl.DateOfBirth, s.db.now()); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		now := micros(tx.now)
		if err := tx.QueryRowContext(ctx, `INSERT INTO clients (first_name, last_name, date_of_birth, address, postcode, phone,
			created_by, created_at, updated_at, household_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id`,
			cl.FirstName, cl.LastName, cl.DateOfBirth, cl.Address, cl.Postcode, cl.Phone, c.ID, now,
			HouseholdKey(cl.Address, cl.Postcode)).Scan(&cl.ID); err != nil {
			return fmt.Errorf("sqldb: insert client: %w", err)
		}
		cl.CreatedAt, cl.UpdatedAt = tx.now, tx.now
		if err := tx.writeClientNames(ctx, cl); err != nil {
			return err
		}
		if err := tx.writeClientAreas(ctx, cl, c); err != nil {
			return err
		}
		// Working with a client in an area puts the agent in that area, so
		// local-first search shows its clients first; they may remove it.
		if err := tx.allocateAreas(ctx, c.ID, cl.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (client_id, agent_id, joined_at, how_joined)
			VALUES ($1, $2, $3, $4)`, cl.ID, c.ID, now, patchwork.JoinedAsCreator); err != nil {
			return err
		}
		if _, err := tx.addActivity(ctx, cl.ID, c.ID, patchwork.ActivityClientCreated, ""); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditClientCreate, cl.ID, "")
	})
}

// writeClientNames stores the primary name and each alias in client_names
// and indexes them (writeClientsNames).
func (tx *Tx) writeClientNames(ctx context.Context, cl *patchwork.Client) error {
	return tx.writeClientsNames(ctx, []*patchwork.Client{cl})
}

// writeClientsNames stores the primary name and each alias of every client
// of cls in client_names and indexes their keys, a few statements for all
// of them (an import writes five hundred clients at a time).
func (tx *Tx) writeClientsNames(ctx context.Context, cls []*patchwork.Client) error {
	var names [][]any
	keys := make([]clientKeys, len(cls))
	for i, cl := range cls {
		names = append(names, []any{cl.ID, 0, cl.Name(), match.Fold(cl.FirstName), match.Fold(cl.LastName)})
		for _, a := range cl.Aliases {
			given, family := match.SplitAlias(a)
			names = append(names, []any{cl.ID, 1, a, match.Fold(given), match.Fold(family)})
		}
		keys[i] = clientKeys{cl.ID, ClientNameKeys(cl.FirstName, cl.LastName, cl.Aliases)}
	}
	if err := tx.insertRows(ctx, "client_names", []string{"client_id", "is_alias", "display", "given_norm", "family_norm"}, names, ""); err != nil {
		return fmt.Errorf("sqldb: insert client names: %w", err)
	}
	return tx.writeKeys(ctx, keys)
}

// writeClientAreas links the client to the chosen local areas, or to the
// creator's own local areas when none were chosen.
func (tx *Tx) writeClientAreas(ctx context.Context, cl *patchwork.Client, creator *patchwork.Agent) error {
	ids := cl.AreaIDs
	if len(ids) == 0 {
		var err error
		if ids, err = queryIDs(ctx, tx, `SELECT area_id FROM agent_areas WHERE agent_id = $1`, creator.ID); err != nil {
			return err
		}
	}
	if len(ids) == 0 {
		return nil
	}
	// One statement, so that on PostgreSQL the areas' locks (migration
	// 032) are taken in order, whatever order the areas were chosen in.
	var args sqlArgs
	args.add(cl.ID)
	_, err := tx.ExecContext(ctx, `INSERT INTO client_areas (client_id, area_id)
		SELECT $1, id FROM areas WHERE id IN (`+strings.Join(addAll(&args, ids), ", ")+`) AND kind = 'local' ON CONFLICT DO NOTHING`, args...)
	return err
}
