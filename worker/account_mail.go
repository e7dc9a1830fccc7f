package worker

import (
	"context"
	"fmt"
	"time"

	"patchwork"
	"patchwork/mail"
	"patchwork/sqldb"
)

// lockoutWindow is how long sign-in stays paused after repeated failures, as
// the email tells it (sqldb counts failures over the same window).
const lockoutWindow = 15 * time.Minute

// sendAccountEmail sends one email about an agent's own account. A reset
// link that is no longer live by the time the job runs (used, expired, its
// agent deactivated) is not sent, nor is anything to a deactivated agent.
// The reset token is derived here from the reset's nonce and the secret: it
// is stored nowhere, not even in the job.
func (w *Worker) sendAccountEmail(ctx context.Context, j *patchwork.Job) error {
	e, err := w.DB.LoadAccountEmail(ctx, j.Payload)
	if err != nil {
		return err
	}
	send := e.Active
	n := &mail.AccountNotice{Kind: e.Kind, To: e.To, RecipientName: e.Name, At: j.CreatedAt,
		LockedFor: lockoutWindow, AlertKind: e.AlertKind, AlertDay: e.AlertDay, Deadline: e.Deadline}
	if e.Kind == sqldb.AccountEmailReset || e.Kind == sqldb.AccountEmailInvitation {
		send = e.ResetLive
		n.ResetToken, n.Expires = sqldb.ResetToken(w.Config.Secret, e.Nonce), e.ExpiresAt
	}
	if send {
		m, err := w.Renderer.RenderAccount(n)
		if err != nil {
			return fmt.Errorf("worker: %w: %w", err, patchwork.ErrPermanent)
		}
		m.ID, m.JobID, m.Date = w.messageID(j.ID), j.ID, w.Now()
		if err := w.Sender.Send(ctx, m); err != nil {
			return err
		}
	}
	if err := w.DB.CompleteJob(ctx, j.ID); err != nil {
		return err
	}
	// Ids and kinds only: never the address, never the token.
	w.Log.Info("worker: account email job done", "job", j.ID, "agent", e.AgentID, "kind", e.Kind, "sent", send)
	return nil
}

// sendInvitationEmail invites a new colleague, whose address has no
// account, onto a client's team. An invitation withdrawn, used or expired
// by the time the job runs is not sent. The token is derived here from the
// invitation's nonce and the secret, as for a reset.
func (w *Worker) sendInvitationEmail(ctx context.Context, j *patchwork.Job) error {
	e, err := w.DB.LoadInvitationEmail(ctx, j.Payload)
	if err != nil {
		return err
	}
	if e.Live {
		m, err := w.Renderer.RenderInvitation(&mail.InvitationNotice{To: e.To, InviterName: e.InviterName,
			AgencyName: e.AgencyName, ClientID: e.ClientID, Token: sqldb.InvitationToken(w.Config.Secret, e.Nonce),
			HasMessage: e.HasMessage, NeedsAccess: e.NeedsAccess, Expires: e.ExpiresAt})
		if err != nil {
			return fmt.Errorf("worker: %w: %w", err, patchwork.ErrPermanent)
		}
		m.ID, m.JobID, m.Date = w.messageID(j.ID), j.ID, w.Now()
		if err := w.Sender.Send(ctx, m); err != nil {
			return err
		}
	}
	if err := w.DB.CompleteJob(ctx, j.ID); err != nil {
		return err
	}
	w.Log.Info("worker: invitation email job done", "job", j.ID, "invitation", e.InvitationID, "sent", e.Live)
	return nil
}
