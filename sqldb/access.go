package sqldb

import (
	"context"

	"patchwork"
)

// Who the caller is and what they may touch. Every service starts with one
// of these helpers, so the rules of docs/security.md are applied the same
// way everywhere, through the rule functions of the root package.

// caller returns the active signed-in agent in ctx, or EUNAUTHORIZED when
// there is none: no caller is never trusted. The system caller is no agent
// either, so it is refused here too.
func caller(ctx context.Context) (*patchwork.Agent, error) {
	a := patchwork.CallerFromContext(ctx)
	if !patchwork.CanUse(a) {
		return nil, patchwork.ErrUnauthorized
	}
	return a, nil
}

// administrator allows the system caller (patchwork.NewSystemContext) and
// active admins. It returns the admin, or nil for the system; EUNAUTHORIZED
// without a caller; ENOTFOUND for any other agent, so that an admin function
// looks to them exactly like a missing page.
func administrator(ctx context.Context) (*patchwork.Agent, error) {
	if patchwork.IsSystemContext(ctx) {
		return nil, nil
	}
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if !patchwork.CanAdminister(a) {
		return nil, patchwork.ErrNotFound
	}
	return a, nil
}

// isMember reports whether agentID is currently on clientID's team.
func isMember(ctx context.Context, q querier, clientID, agentID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND agent_id = $2 AND left_at IS NULL`,
		clientID, agentID).Scan(&n)
	return n > 0, err
}

// requireMember returns ENOTFOUND unless c may see clientID's profile, that
// is unless c is currently on its team (patchwork.CanViewClient): to anyone
// else the client does not exist. Read it through q = a transaction to
// check again inside the change, since the caller may have left meanwhile.
func requireMember(ctx context.Context, q querier, c *patchwork.Agent, clientID int64) error {
	member, err := isMember(ctx, q, clientID, c.ID)
	if err != nil {
		return err
	}
	if !patchwork.CanViewClient(c, member) {
		return patchwork.ErrNotFound
	}
	return nil
}

// memberCaller returns the caller in ctx if they are on clientID's team:
// EUNAUTHORIZED without a caller, ENOTFOUND for anyone not on the team.
func memberCaller(ctx context.Context, q querier, clientID int64) (*patchwork.Agent, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireMember(ctx, q, c, clientID); err != nil {
		return nil, err
	}
	return c, nil
}
