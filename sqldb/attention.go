package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"

	"patchwork"
)

// AttentionService implements patchwork.AttentionService.
type AttentionService struct{ db *DB }

// NewAttentionService returns an AttentionService on db.
func NewAttentionService(db *DB) *AttentionService { return &AttentionService{db: db} }

// RaiseAttention adds an attention and alerts the rest of the team.
func (s *AttentionService) RaiseAttention(ctx context.Context, clientID int64, in patchwork.AttentionInput) (*patchwork.Attention, error) {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	a := &patchwork.Attention{ClientID: clientID, RaisedBy: c.ID, RaisedByName: c.Name, Category: in.Category,
		Message: in.Message, Urgent: in.Urgent}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		// Membership is checked again inside the transaction: the caller may
		// have left between the check above and now.
		if err := requireMember(ctx, tx, c, clientID); err != nil {
			return err
		}
		a.CreatedAt = tx.now
		if err := tx.QueryRowContext(ctx, `INSERT INTO attentions (client_id, raised_by, category, message, urgent, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, clientID, c.ID, in.Category, in.Message, b2i(in.Urgent),
			micros(tx.now)).Scan(&a.ID); err != nil {
			return err
		}
		detail := ""
		if in.Urgent {
			detail = patchwork.DetailUrgent
		}
		if err := tx.recordTeamEvent(ctx, clientID, c.ID, patchwork.ActivityAttentionRaised, detail); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAttentionRaise, clientID, "attention="+strconv.FormatInt(a.ID, 10))
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

const attentionColumns = `t.id, t.client_id, t.raised_by, ra.name, t.category, t.message, t.urgent, t.created_at,
	t.resolved_at, COALESCE(rb.name, ''), t.resolution_note`

const attentionFrom = ` FROM attentions t JOIN agents ra ON ra.id = t.raised_by LEFT JOIN agents rb ON rb.id = t.resolved_by`

func scanAttention(sc interface{ Scan(...any) error }, extra ...any) (*patchwork.Attention, error) {
	a := &patchwork.Attention{}
	var created int64
	var resolved sql.NullInt64
	err := sc.Scan(append([]any{&a.ID, &a.ClientID, &a.RaisedBy, &a.RaisedByName, &a.Category, &a.Message, &a.Urgent, &created,
		&resolved, &a.ResolvedByName, &a.ResolutionNote}, extra...)...)
	if err != nil {
		return nil, err
	}
	a.CreatedAt, a.ResolvedAt = fromMicros(created), nullMicros(resolved)
	return a, nil
}

// FindAttentions returns a client's attentions for a team member.
func (s *AttentionService) FindAttentions(ctx context.Context, clientID int64) ([]*patchwork.Attention, error) {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return nil, err
	}
	return loadAttentions(ctx, s.db.read, clientID, c.ID)
}

// loadAttentions reads a client's attentions, open first, as viewer (a
// member of the team) sees them.
func loadAttentions(ctx context.Context, q querier, clientID, viewer int64) ([]*patchwork.Attention, error) {
	out, err := scanAll(ctx, q, `SELECT `+attentionColumns+attentionFrom+`
		WHERE t.client_id = $1 ORDER BY CASE WHEN t.resolved_at IS NULL THEN 0 ELSE 1 END, t.id DESC LIMIT 50`,
		func(sc interface{ Scan(...any) error }) (*patchwork.Attention, error) { return scanAttention(sc) }, clientID)
	if err != nil || len(out) == 0 {
		return out, err
	}
	return out, fillSeen(ctx, q, clientID, viewer, out)
}

// FindAttention returns one attention for a member of its client's team;
// to anyone else it does not exist (ENOTFOUND).
func (s *AttentionService) FindAttention(ctx context.Context, id int64) (*patchwork.Attention, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var first, last string
	a, err := scanAttention(s.db.read.QueryRowContext(ctx, `SELECT `+attentionColumns+`, cl.first_name, cl.last_name`+attentionFrom+`
		JOIN clients cl ON cl.id = t.client_id WHERE t.id = $1`, id), &first, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, patchwork.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	if err := requireMember(ctx, s.db.read, c, a.ClientID); err != nil {
		return nil, err
	}
	a.ClientName = strings.TrimSpace(first + " " + last)
	if err := fillSeen(ctx, s.db.read, a.ClientID, c.ID, []*patchwork.Attention{a}); err != nil {
		return nil, err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditClientView, a.ClientID, "attention="+strconv.FormatInt(id, 10)); err != nil {
		return nil, err
	}
	return a, nil
}

// fillSeen sets who among the current team has and has not seen each
// attention.
func fillSeen(ctx context.Context, q querier, clientID, viewer int64, as []*patchwork.Attention) error {
	rows, err := q.QueryContext(ctx, `SELECT t.id, a.id, a.name,
		(SELECT COUNT(*) FROM attention_acks k WHERE k.attention_id = t.id AND k.agent_id = a.id)
		FROM attentions t JOIN memberships m ON m.client_id = t.client_id AND m.left_at IS NULL
		JOIN agents a ON a.id = m.agent_id
		WHERE t.client_id = $1 AND a.id <> t.raised_by ORDER BY a.name`, clientID)
	if err != nil {
		return err
	}
	defer rows.Close()
	byID := map[int64]*patchwork.Attention{}
	for _, a := range as {
		byID[a.ID] = a
	}
	for rows.Next() {
		var attID, agentID int64
		var name string
		var seen int
		if err := rows.Scan(&attID, &agentID, &name, &seen); err != nil {
			return err
		}
		a := byID[attID]
		if a == nil {
			continue
		}
		if seen > 0 {
			a.SeenBy = append(a.SeenBy, name)
			a.SeenByMe = a.SeenByMe || agentID == viewer
		} else {
			a.NotSeenBy = append(a.NotSeenBy, name)
		}
	}
	return rows.Err()
}

// FindMyOpenAttentions lists open attentions on the caller's clients, those
// the caller has not acknowledged (and did not raise) first.
func (s *AttentionService) FindMyOpenAttentions(ctx context.Context) ([]*patchwork.Attention, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	out, err := scanAll(ctx, s.db.read, `SELECT `+attentionColumns+`, cl.first_name, cl.last_name,
		(SELECT COUNT(*) FROM attention_acks k WHERE k.attention_id = t.id AND k.agent_id = $1)`+attentionFrom+`
		JOIN memberships mine ON mine.client_id = t.client_id AND mine.agent_id = $1 AND mine.left_at IS NULL
		JOIN clients cl ON cl.id = t.client_id
		WHERE t.resolved_at IS NULL ORDER BY t.id DESC LIMIT 50`, func(sc interface{ Scan(...any) error }) (*patchwork.Attention, error) {
		var first, last string
		var seen int
		a, err := scanAttention(sc, &first, &last, &seen)
		if err != nil {
			return nil, err
		}
		a.ClientName = strings.TrimSpace(first + " " + last)
		a.SeenByMe = seen > 0 || a.RaisedBy == c.ID
		return a, nil
	}, c.ID)
	sort.SliceStable(out, func(i, j int) bool { return !out[i].SeenByMe && out[j].SeenByMe })
	return out, err
}

// attentionClient returns the client of an attention the caller may act on:
// ENOTFOUND if it does not exist or the caller is not on the team.
func (tx *Tx) attentionClient(ctx context.Context, id int64, c *patchwork.Agent) (int64, bool, error) {
	var clientID int64
	var resolved sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT client_id, resolved_at FROM attentions WHERE id = $1`, id).Scan(&clientID, &resolved)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, patchwork.ErrNotFound
	} else if err != nil {
		return 0, false, err
	}
	if err := requireMember(ctx, tx, c, clientID); err != nil {
		return 0, false, err
	}
	return clientID, resolved.Valid, nil
}

// AcknowledgeAttention records that the caller has seen an attention.
// Acknowledging twice changes nothing.
func (s *AttentionService) AcknowledgeAttention(ctx context.Context, id int64) (int64, error) {
	c, err := caller(ctx)
	if err != nil {
		return 0, err
	}
	var clientID int64
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		if clientID, _, err = tx.attentionClient(ctx, id, c); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO attention_acks (attention_id, agent_id, at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, id, c.ID, micros(tx.now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := tx.addActivity(ctx, clientID, c.ID, patchwork.ActivityAttentionSeen, ""); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAttentionAck, clientID, "attention="+strconv.FormatInt(id, 10))
	})
	return clientID, err
}

// ResolveAttention closes an open attention with a note.
func (s *AttentionService) ResolveAttention(ctx context.Context, id int64, note string) (int64, error) {
	c, err := caller(ctx)
	if err != nil {
		return 0, err
	}
	in := patchwork.ResolveInput{Note: note}
	var clientID int64
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var resolved bool
		var err error
		if clientID, resolved, err = tx.attentionClient(ctx, id, c); err != nil {
			return err
		}
		switch {
		case resolved:
			return patchwork.Errorf(patchwork.ECONFLICT, "This attention has already been resolved.")
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE attentions SET resolved_at = $1, resolved_by = $2, resolution_note = $3
			WHERE id = $4`, micros(tx.now), c.ID, in.Note, id); err != nil {
			return err
		}
		if _, err := tx.addActivity(ctx, clientID, c.ID, patchwork.ActivityAttentionResolved, ""); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAttentionResolve, clientID, "attention="+strconv.FormatInt(id, 10))
	})
	return clientID, err
}
