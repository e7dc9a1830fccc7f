package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"patchwork"
)

// FindAdminInvitations lists pending invitations for admins; see
// patchwork.InvitationService.
func (s *InvitationService) FindAdminInvitations(ctx context.Context, f patchwork.InvitationFilter) ([]*patchwork.Invitation, int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, 0, err
	}
	now := s.db.now()
	where := `i.status = 'pending' AND i.expires_at > $1 AND ` + r.client("i.client_id")
	args := []any{micros(now)}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		args = append(args, "%"+strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)+"%")
		where += fmt.Sprintf(` AND i.email LIKE $%d ESCAPE '\'`, len(args))
	}
	if f.InviterID != 0 {
		args = append(args, f.InviterID)
		where += fmt.Sprintf(` AND i.inviter_id = $%d`, len(args))
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM invitations i WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	query := `SELECT ` + invitationColumns + `, COALESCE(i.resent_at, 0)` + invitationFrom + ` WHERE ` + where +
		` ORDER BY i.created_at DESC, i.id DESC`
	if f.PerPage >= 0 {
		per := f.PerPage
		if per == 0 {
			per = patchwork.AdminPageSize
		}
		query += fmt.Sprintf(` LIMIT %d OFFSET %d`, per, (max(f.Page, 1)-1)*per)
	}
	list, err := scanAll(ctx, s.db.read, query, func(sc interface{ Scan(...any) error }) (*patchwork.Invitation, error) {
		var resent int64
		inv, err := scanInvitation(sc, &resent)
		if err == nil && resent != 0 {
			inv.ResentAt = fromMicros(resent)
		}
		return inv, err
	}, args...)
	if err != nil {
		return nil, 0, err
	}
	// The message is the inviter's words to the invitee, not the admins'.
	for _, inv := range list {
		inv.Message = ""
	}
	action, detail := patchwork.AuditInvitationList, fmt.Sprintf("inviter=%d page=%d shown=%d", f.InviterID, max(f.Page, 1), len(list))
	if f.PerPage < 0 {
		action, detail = patchwork.AuditInvitationExport, fmt.Sprintf("inviter=%d rows=%d", f.InviterID, len(list))
	}
	if err := s.db.inTx(ctx, func(tx *Tx) error { return tx.audit(ctx, action, 0, detail) }); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// ResendInvitation emails a pending invitation again; see
// patchwork.InvitationService.
func (s *InvitationService) ResendInvitation(ctx context.Context, id int64) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		var clientID, expires int64
		var status string
		var invitee, resent sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT i.client_id, i.status, i.expires_at, i.invitee_id, i.resent_at FROM invitations i
			WHERE i.id = $1 AND `+r.client("i.client_id"), id).Scan(&clientID, &status, &expires, &invitee, &resent)
		if errors.Is(err, sql.ErrNoRows) {
			return patchwork.ErrNotFound
		} else if err != nil {
			return err
		}
		switch {
		case status != patchwork.InvitationPending || !fromMicros(expires).After(tx.now):
			return patchwork.Errorf(patchwork.ECONFLICT, "This invitation is no longer pending, so it cannot be sent again.")
		case invitee.Valid:
			return patchwork.Errorf(patchwork.ECONFLICT, "This colleague has an account: they see the invitation "+
				"under Invitations when they sign in, and are told of it as their email settings say.")
		case resent.Valid && tx.now.Before(fromMicros(resent.Int64).Add(patchwork.InvitationResendInterval)):
			wait := int(fromMicros(resent.Int64).Add(patchwork.InvitationResendInterval).Sub(tx.now).Minutes()) + 1
			return patchwork.Errorf(patchwork.ETOOMANYREQUEST,
				"This invitation was sent again less than an hour ago. You can send it again in about %d minutes.", wait)
		}
		// The conditional update lets one of two admins resending at once
		// through; the other meets the limit.
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET resent_at = $1 WHERE id = $2 AND status = 'pending'
			AND (resent_at IS NULL OR resent_at <= $3)`, micros(tx.now), id,
			micros(tx.now.Add(-patchwork.InvitationResendInterval)))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return patchwork.Errorf(patchwork.ETOOMANYREQUEST, "This invitation was just sent again.")
		}
		// The email is written from the invitation as it is when the job
		// runs: the same nonce, so the same link, and the same expiry.
		if _, _, err := tx.enqueueJob(ctx, JobSpec{Kind: JobInvitationEmail, Payload: invitationPayload(id),
			Priority: PriorityImmediate}); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditInvitationResend, clientID, fmt.Sprintf("invitation=%d", id))
	})
}
