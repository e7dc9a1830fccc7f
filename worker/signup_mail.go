package worker

import (
	"context"
	"fmt"

	"patchwork"
	"patchwork/mail"
	"patchwork/sqldb"
)

// sendSignupEmail sends one email to someone who is not yet an agent: a
// sign-up link (not sent if it is no longer live when the job runs) or the
// answer to an access request. The token is derived here from the
// sign-up's nonce and the secret: it is stored nowhere, not even in the job.
func (w *Worker) sendSignupEmail(ctx context.Context, j *patchwork.Job) error {
	e, err := w.DB.LoadSignupEmail(ctx, j.Payload)
	if err != nil {
		return err
	}
	if e.Live {
		n := &mail.SignupNotice{Kind: e.Kind, To: e.To, KnownDomain: e.KnownDomain, Expires: e.ExpiresAt}
		if e.Kind != sqldb.SignupEmailRefused {
			n.Token = sqldb.SignupToken(w.Config.Secret, e.Nonce)
		}
		m, err := w.Renderer.RenderSignup(n)
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
	w.Log.Info("worker: signup email job done", "job", j.ID, "kind", e.Kind, "sent", e.Live)
	return nil
}
