package sqldb

import (
	"context"
	"strconv"
	"strings"
	"time"

	"patchwork"
	"patchwork/match"
	"patchwork/search"
)

// SearchService implements patchwork.SearchService.
type SearchService struct {
	db     *DB
	engine *search.Engine
	// RateLimit client searches are allowed per agent in each RateWindow;
	// more are refused with ETOOMANYREQUEST. The count is kept in the
	// database, so it holds across instances and restarts.
	RateLimit  int
	RateWindow time.Duration
}

// Default search rate limit: far above what finding people for work needs,
// far below what trawling the register would.
const (
	DefaultSearchRateLimit  = 60
	DefaultSearchRateWindow = 5 * time.Minute
)

// NewSearchService returns a SearchService on db.
func NewSearchService(db *DB) *SearchService {
	return &SearchService{db: db, engine: db.SearchEngine(), RateLimit: DefaultSearchRateLimit, RateWindow: DefaultSearchRateWindow}
}

// searchScopes returns the local areas of the caller (the local scope) and
// of the districts they are in (the district scope), and, when counting,
// how many client searches the caller has made since since: one round trip
// for what every search needs first. A caller with no areas of their own
// has the district of their agency's areas for both scopes (noAreas), so
// that they see their district meanwhile, not nobody.
func (db *DB) searchScopes(ctx context.Context, agentID int64, counting bool, since time.Time) (local, district []int64, searches int, noAreas bool, err error) {
	q := `SELECT 1, area_id FROM agent_areas WHERE agent_id = $1
		UNION ALL SELECT 2, l.id FROM areas l WHERE l.kind = 'local' AND l.parent_id IN
			(SELECT r.parent_id FROM agent_areas aa JOIN areas r ON r.id = aa.area_id WHERE aa.agent_id = $1)
		UNION ALL SELECT 4, l.id FROM areas l WHERE l.kind = 'local' AND l.parent_id IN
			(SELECT r.parent_id FROM agents a JOIN agency_areas ga ON ga.agency_id = a.agency_id
				JOIN areas r ON r.id = ga.area_id WHERE a.id = $1)
			AND NOT EXISTS (SELECT 1 FROM agent_areas mine WHERE mine.agent_id = $1)`
	args := []any{agentID}
	if counting {
		q += ` UNION ALL SELECT 3, COUNT(*) FROM client_searches WHERE agent_id = $1 AND at > $2`
		args = append(args, micros(since))
	}
	type row struct{ kind, v int64 }
	rows, err := scanAll(ctx, db.read, q, func(sc interface{ Scan(...any) error }) (r row, err error) {
		err = sc.Scan(&r.kind, &r.v)
		return r, err
	}, args...)
	if err != nil {
		return nil, nil, 0, false, err
	}
	// No areas is not the whole network (nil): an empty scope finds nobody.
	local, district = []int64{}, []int64{}
	var agencyDistrict []int64
	for _, r := range rows {
		switch r.kind {
		case 1:
			local = append(local, r.v)
		case 2:
			district = append(district, r.v)
		case 3:
			searches = int(r.v)
		case 4:
			agencyDistrict = append(agencyDistrict, r.v)
		}
	}
	if len(local) == 0 {
		local, district, noAreas = agencyDistrict, agencyDistrict, true
		if local == nil {
			local, district = []int64{}, []int64{}
		}
	}
	return local, district, searches, noAreas, nil
}

// Search runs the one search box; see patchwork.SearchService.
func (s *SearchService) Search(ctx context.Context, q patchwork.SearchQuery) (*patchwork.SearchResults, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if !patchwork.CanSearch(c) {
		return nil, patchwork.ErrNotFound
	}
	if q.Scope != patchwork.ScopeDistrict && q.Scope != patchwork.ScopeNetwork {
		q.Scope = patchwork.ScopeLocal
	}
	local, district, searches, noAreas, err := s.db.searchScopes(ctx, c.ID, s.RateLimit > 0, s.db.now().Add(-min(s.RateWindow, SearchCountsKept)))
	if err != nil {
		return nil, err
	}
	if err := checkSearchRate(s.RateLimit, s.RateWindow, searches); err != nil {
		return nil, err
	}
	res := &patchwork.SearchResults{NoAreas: noAreas}
	// Agents and agencies are looked up meanwhile, on another connection.
	type directory struct {
		agents   []*patchwork.Agent
		agencies []*patchwork.Agency
		err      error
	}
	dirc := make(chan directory, 1)
	go func() {
		var d directory
		d.agents, d.agencies, d.err = s.db.searchDirectory(ctx, c, q.Text)
		dirc <- d
	}()
	levels := map[string][]int64{patchwork.ScopeLocal: local, patchwork.ScopeDistrict: district, patchwork.ScopeNetwork: nil}
	mr, err := s.engine.Match(ctx, search.Query{Text: q.Text, Now: s.db.now(), AreaIDs: levels[q.Scope],
		Limit: patchwork.MaxClientResults + 1, CountAreas: levels, PreferAreas: local})
	if err != nil {
		return nil, err
	}
	res.TooShort, res.Counts = mr.TooShort, mr.Counts
	if !res.TooShort {
		res.AddClient = newClientDetails(q.Text, s.db.now())
	}
	matches := mr.Matches
	if len(matches) > patchwork.MaxClientResults {
		matches, res.MoreClients = matches[:patchwork.MaxClientResults], true
	}
	if res.Clients, err = s.db.describeMatches(ctx, c, matches); err != nil {
		return nil, err
	}
	d := <-dirc
	if d.err != nil {
		return nil, d.err
	}
	// Too short a query shows nobody: not clients, not colleagues.
	if !res.TooShort {
		res.Agents, res.Agencies = d.agents, d.agencies
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if !res.TooShort {
			if err := tx.countSearch(ctx, c.ID); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, patchwork.AuditClientSearch, 0, searchAuditDetail(q.Scope, res.Clients)); err != nil {
			return err
		}
		return tx.indexShown(ctx, res.Clients)
	})
	return res, err
}

// newClientDetails reads what a search's text says about a client to
// add: the first name word as the first name, the others as the last name,
// and a full date of birth.
func newClientDetails(text string, now time.Time) patchwork.NewClientDetails {
	words, d := match.TypedNames(text, now)
	var nc patchwork.NewClientDetails
	if len(words) > 0 {
		nc.FirstName, nc.LastName = words[0], strings.Join(words[1:], " ")
	}
	if d.Day != 0 {
		nc.DateOfBirth = d.String()
	}
	return nc
}

// checkSearchRate refuses a client search once the agent has made limit
// of them within window (none when limit is 0 or less); n is how many they
// have made. Searches and duplicate checks count alike.
func checkSearchRate(limit int, window time.Duration, n int) error {
	if limit > 0 && n >= limit {
		return patchwork.Errorf(patchwork.ETOOMANYREQUEST,
			"You have searched for clients %d times in the last %d minutes. Please wait a few minutes before searching again.",
			n, int(window.Minutes()))
	}
	return nil
}

// countSearch records one client search for the rate limit. The hourly
// clean-up (PurgeSearchCounts) trims rows that have left the window:
// deleting them here, on every search, made each search wade through the
// index entries of rows deleted since the last vacuum.
func (tx *Tx) countSearch(ctx context.Context, agentID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO client_searches (agent_id, at) VALUES ($1, $2)`, agentID, micros(tx.now))
	return err
}

// SearchCountsKept is how long client searches are kept for the rate limit:
// longer than any rate window.
const SearchCountsKept = time.Hour

// PurgeSearchCounts deletes the search counts older than SearchCountsKept;
// the worker's hourly clean-up calls it.
func (db *DB) PurgeSearchCounts(ctx context.Context) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM client_searches WHERE at < $1`, micros(db.now().Add(-SearchCountsKept)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// searchAuditDetail records the scope and the ids shown, never the query:
// it holds names, and the audit log must outlive a client's erasure.
func searchAuditDetail(scope string, ms []*patchwork.ClientMatch) string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = strconv.FormatInt(m.ID, 10)
	}
	if scope == "" {
		scope = patchwork.ScopeLocal
	}
	return "scope=" + scope + " shown=" + strings.Join(ids, ",")
}

// describeMatches loads what a search result may show about each match:
// name, date of birth, one local area, team size and whether the caller is a
// member — nothing else.
func (db *DB) describeMatches(ctx context.Context, c *patchwork.Agent, ms []*patchwork.ClientMatch) ([]*patchwork.ClientMatch, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	args := []any{c.ID}
	byID := map[int64]*patchwork.ClientMatch{}
	for _, m := range ms {
		args = append(args, m.ID)
		byID[m.ID] = m
	}
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.first_name, c.last_name, c.date_of_birth,
		COALESCE((SELECT MIN(r.name) FROM client_areas ca JOIN areas r ON r.id = ca.area_id WHERE ca.client_id = c.id), ''),
		(SELECT COUNT(*) FROM memberships m WHERE m.client_id = c.id AND m.left_at IS NULL),
		(SELECT COUNT(DISTINCT a.agency_id) FROM memberships m JOIN agents a ON a.id = m.agent_id
			WHERE m.client_id = c.id AND m.left_at IS NULL),
		(SELECT COUNT(*) FROM memberships m WHERE m.client_id = c.id AND m.agent_id = $1 AND m.left_at IS NULL)
		FROM clients c WHERE c.id IN (`+placeholders(2, len(ms))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var first, last string
		var mine int
		var m patchwork.ClientMatch
		if err := rows.Scan(&id, &first, &last, &m.DateOfBirth, &m.LocalArea, &m.TeamSize, &m.AgencyCount, &mine); err != nil {
			return nil, err
		}
		t := byID[id]
		t.Name, t.DateOfBirth, t.LocalArea, t.TeamSize, t.AgencyCount = strings.TrimSpace(first+" "+last), m.DateOfBirth, m.LocalArea, m.TeamSize, m.AgencyCount
		t.IsMember = mine > 0
		if !t.IsMember {
			if t.JoinTicket, err = db.joinTicket(ctx, c.ID, id); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := ms[:0:0]
	for _, m := range ms {
		if m.Name != "" { // a client erased between match and load is dropped
			out = append(out, m)
		}
	}
	return out, nil
}

// FindPossibleDuplicates lists existing clients that may be the person in
// cl, across the whole network, comparing every field the add-client form
// collects: names, other names, date of birth, address and postcode. The check is audited as a search and
// counts against the caller's search rate limit (ETOOMANYREQUEST once it is
// reached): it searches the whole network and returns join tickets.
func (s *ClientService) FindPossibleDuplicates(ctx context.Context, cl *patchwork.Client) ([]*patchwork.ClientMatch, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if !patchwork.CanSearch(c) {
		return nil, patchwork.ErrNotFound
	}
	if s.RateLimit > 0 {
		var n int
		if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_searches WHERE agent_id = $1 AND at > $2`,
			c.ID, micros(s.db.now().Add(-min(s.RateWindow, SearchCountsKept)))).Scan(&n); err != nil {
			return nil, err
		}
		if err := checkSearchRate(s.RateLimit, s.RateWindow, n); err != nil {
			return nil, err
		}
	}
	mr, err := s.engine.Match(ctx, search.Query{Client: cl, Now: s.db.now(), Limit: patchwork.MaxDuplicateMatches})
	if err != nil {
		return nil, err
	}
	out, err := s.db.describeMatches(ctx, c, mr.Matches)
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if !mr.TooShort {
			if err := tx.countSearch(ctx, c.ID); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, patchwork.AuditClientSearch, 0, "duplicate_check "+searchAuditDetail(patchwork.ScopeNetwork, out)); err != nil {
			return err
		}
		return tx.indexShown(ctx, out)
	})
	return out, err
}
