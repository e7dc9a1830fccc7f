package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"patchwork"
)

// TeamService implements patchwork.TeamService: a member's contact dates,
// the staleness review and the lead professional.
type TeamService struct{ db *DB }

// NewTeamService returns a TeamService on db.
func NewTeamService(db *DB) *TeamService { return &TeamService{db: db} }

// reviewPeriod is the deployment's review period (DB.ReviewDays).
func (db *DB) reviewPeriod() time.Duration {
	days := db.ReviewDays
	if days <= 0 {
		days = patchwork.DefaultReviewDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// UpdateContact sets the caller's contact dates; see patchwork.TeamService.
func (s *TeamService) UpdateContact(ctx context.Context, clientID int64, u patchwork.ContactUpdate) error {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return err
	}
	if err := u.Validate(s.db.now()); err != nil {
		return err
	}
	// A next contact is its date, time and kind together: a new date
	// without a time or kind clears the old ones.
	if u.NextContactOn != nil {
		if u.NextContactTime == nil {
			u.NextContactTime = new(string)
		}
		if u.NextContactKind == nil {
			u.NextContactKind = new(string)
		}
	}
	var sets []string
	var args sqlArgs
	for col, v := range map[string]*string{"last_contact_on": u.LastContactOn, "next_contact_on": u.NextContactOn,
		"next_contact_time": u.NextContactTime, "next_contact_kind": u.NextContactKind} {
		if v != nil {
			sets = append(sets, col+" = "+args.add(*v))
		}
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		sets := append(sets, "reviewed_at = "+args.add(micros(tx.now)))
		res, err := tx.ExecContext(ctx, `UPDATE memberships SET `+strings.Join(sets, ", ")+`
			WHERE client_id = `+args.add(clientID)+` AND agent_id = `+args.add(c.ID)+` AND left_at IS NULL`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return patchwork.ErrNotFound
		}
		// Without a next date, its time and kind mean nothing.
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET next_contact_time = '', next_contact_kind = ''
			WHERE client_id = $1 AND agent_id = $2 AND left_at IS NULL AND next_contact_on = ''`, clientID, c.ID); err != nil {
			return err
		}
		_, err = tx.addActivity(ctx, clientID, c.ID, patchwork.ActivityContactUpdated, "")
		return err
	})
}

// ConfirmMembership records that the caller still works with the client.
func (s *TeamService) ConfirmMembership(ctx context.Context, clientID int64) error {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE memberships SET reviewed_at = $1
			WHERE client_id = $2 AND agent_id = $3 AND left_at IS NULL`, micros(tx.now), clientID, c.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return patchwork.ErrNotFound
		}
		_, err = tx.addActivity(ctx, clientID, c.ID, patchwork.ActivityMembershipConfirmed, "")
		return err
	})
}

// FindMyPlannedContacts returns the caller's next contacts, soonest first.
func (s *TeamService) FindMyPlannedContacts(ctx context.Context) ([]*patchwork.PlannedContact, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return scanAll(ctx, s.db.read, `SELECT m.client_id, cl.first_name, cl.last_name, m.next_contact_on, m.next_contact_time, m.next_contact_kind
		FROM memberships m JOIN clients cl ON cl.id = m.client_id
		WHERE m.agent_id = $1 AND m.left_at IS NULL AND m.next_contact_on <> ''
		ORDER BY m.next_contact_on, m.next_contact_time, m.client_id LIMIT 200`,
		func(sc interface{ Scan(...any) error }) (*patchwork.PlannedContact, error) {
			p := &patchwork.PlannedContact{}
			var first, last string
			err := sc.Scan(&p.ClientID, &first, &last, &p.On, &p.Time, &p.Kind)
			p.ClientName = strings.TrimSpace(first + " " + last)
			return p, err
		}, c.ID)
}

// FindMyReviews returns the caller's memberships due for review.
func (s *TeamService) FindMyReviews(ctx context.Context) ([]*patchwork.MembershipReview, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return scanAll(ctx, s.db.read, `SELECT m.client_id, cl.first_name, cl.last_name, COALESCE(m.reviewed_at, m.joined_at)
		FROM memberships m JOIN clients cl ON cl.id = m.client_id
		WHERE m.agent_id = $1 AND m.left_at IS NULL AND COALESCE(m.reviewed_at, m.joined_at) < $2
		ORDER BY 4, m.client_id LIMIT 200`,
		func(sc interface{ Scan(...any) error }) (*patchwork.MembershipReview, error) {
			r := &patchwork.MembershipReview{}
			var first, last string
			var since int64
			err := sc.Scan(&r.ClientID, &first, &last, &since)
			r.ClientName, r.Since = strings.TrimSpace(first+" "+last), fromMicros(since)
			return r, err
		}, c.ID, micros(s.db.now().Add(-s.db.reviewPeriod())))
}

// leadProposal returns the client's pending lead proposal, if its agent is
// still on the team.
func (db *DB) leadProposal(ctx context.Context, q querier, clientID int64) (*patchwork.LeadProposal, error) {
	p := &patchwork.LeadProposal{}
	var at int64
	err := q.QueryRowContext(ctx, `SELECT lp.agent_id, a.name, lp.proposed_by, b.name, lp.created_at
		FROM lead_proposals lp JOIN agents a ON a.id = lp.agent_id JOIN agents b ON b.id = lp.proposed_by
		JOIN memberships m ON m.client_id = lp.client_id AND m.agent_id = lp.agent_id AND m.left_at IS NULL
		WHERE lp.client_id = $1`, clientID).Scan(&p.AgentID, &p.AgentName, &p.ProposedByID, &p.ProposedByName, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	p.At = fromMicros(at)
	return p, nil
}

// ProposeLead proposes a member as lead; see patchwork.TeamService.
func (s *TeamService) ProposeLead(ctx context.Context, clientID, agentID int64) error {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := requireMember(ctx, tx, c, clientID); err != nil {
			return err
		}
		if ok, err := isMember(ctx, tx, clientID, agentID); err != nil {
			return err
		} else if !ok {
			return patchwork.Invalid(map[string]string{"agent_id": "Select a member of the team"})
		}
		if agentID == c.ID {
			// Proposing oneself needs no answer.
			return tx.makeLead(ctx, clientID, c.ID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM lead_proposals WHERE client_id = $1`, clientID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lead_proposals (client_id, agent_id, proposed_by, created_at)
			VALUES ($1, $2, $3, $4)`, clientID, agentID, c.ID, micros(tx.now)); err != nil {
			return err
		}
		return tx.recordTeamEvent(ctx, clientID, c.ID, patchwork.ActivityLeadChanged, patchwork.LeadProposed)
	})
}

// makeLead makes agentID the client's one lead professional, clears any
// proposal and tells the team.
func (tx *Tx) makeLead(ctx context.Context, clientID, agentID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM lead_proposals WHERE client_id = $1`, clientID); err != nil {
		return err
	}
	// The old lead steps down first: the unique index allows one.
	if _, err := tx.ExecContext(ctx, `UPDATE memberships SET is_lead = 0 WHERE client_id = $1 AND is_lead = 1 AND left_at IS NULL`,
		clientID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE memberships SET is_lead = 1 WHERE client_id = $1 AND agent_id = $2 AND left_at IS NULL`,
		clientID, agentID); err != nil {
		return err
	}
	return tx.recordTeamEvent(ctx, clientID, agentID, patchwork.ActivityLeadChanged, patchwork.LeadAccepted)
}

// AnswerLead accepts or declines a proposal; see patchwork.TeamService.
func (s *TeamService) AnswerLead(ctx context.Context, clientID int64, accept bool) error {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := requireMember(ctx, tx, c, clientID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM lead_proposals WHERE client_id = $1 AND agent_id = $2`,
			clientID, c.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return patchwork.ErrNotFound
		}
		if accept {
			return tx.makeLead(ctx, clientID, c.ID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM lead_proposals WHERE client_id = $1`, clientID); err != nil {
			return err
		}
		return tx.recordTeamEvent(ctx, clientID, c.ID, patchwork.ActivityLeadChanged, patchwork.LeadDeclined)
	})
}
