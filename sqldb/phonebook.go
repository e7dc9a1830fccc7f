package sqldb

import (
	"context"
	"strconv"
	"strings"

	"patchwork"
	"patchwork/match"
)

// FindAgents lists the phone book's people; see patchwork.AgentService.
// Every agent is shown through AsSeenBy alone, as search shows them: the
// direct contacts a sensitive agency publishes to team members appear only
// on the agent's own page, for those who share a team with them.
func (s *AgentService) FindAgents(ctx context.Context, f patchwork.PhoneBookFilter) ([]*patchwork.Agent, int, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"a.active = 1", listedAgency(c)}, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// The name is matched in its folded form, the form it is stored in, so
	// that case, accents and apostrophes do not matter. Folding leaves
	// letters, digits and spaces only: no LIKE wildcard gets through.
	for _, w := range strings.Fields(match.Fold(f.Name)) {
		where = append(where, `a.name_norm LIKE `+arg("%"+w+"%"))
	}
	if f.AgencyID != 0 {
		where = append(where, "a.agency_id = "+arg(f.AgencyID))
	}
	if f.Sector != "" {
		where = append(where, "g.sector = "+arg(f.Sector))
	}
	if f.AreaID != 0 {
		p := arg(f.AreaID)
		where = append(where, `EXISTS (SELECT 1 FROM agent_areas aa JOIN areas l ON l.id = aa.area_id
			LEFT JOIN areas d ON d.id = l.parent_id
			WHERE aa.agent_id = a.id AND (l.id = `+p+` OR l.parent_id = `+p+` OR d.parent_id = `+p+`))`)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+agentFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	out, err := scanAll(ctx, s.db.read, `SELECT `+agentColumns+agentFrom+cond+` ORDER BY a.name_norm, a.id
		LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(max(f.Offset, 0)),
		func(sc interface{ Scan(...any) error }) (*patchwork.Agent, error) {
			a, err := scanAgent(sc)
			if err != nil {
				return nil, err
			}
			return a.AsSeenBy(c), nil
		}, args...)
	return out, total, err
}
