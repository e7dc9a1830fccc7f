package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"patchwork"
)

// emailKinds is the SQL list of the job kinds that send one email each.
const emailKinds = `('` + JobSendEmail + `', '` + JobAccountEmail + `', '` + JobInvitationEmail + `', '` + JobSignupEmail + `')`

// maxEmailBatch bounds how many emails one retry or discard names: a page
// of the list holds far fewer.
const maxEmailBatch = 1000

// emailJobPayload is the union of the email jobs' payloads: ids and kinds
// only.
type emailJobPayload struct {
	AgentID      int64  `json:"agent_id"`
	Digest       string `json:"digest"`
	Kind         string `json:"kind"`
	InvitationID int64  `json:"invitation_id"`
	SignupID     int64  `json:"signup_id"`
	RequestID    int64  `json:"request_id"`
}

// FindFailedEmails lists failed emails; see patchwork.FailedEmailService.
func (s *JobService) FindFailedEmails(ctx context.Context, f patchwork.FailedEmailFilter) ([]*patchwork.FailedEmail, int, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, 0, err
	}
	where, args := `status = 'failed' AND kind IN `+emailKinds, []any{}
	if f.Kind != "" {
		args = append(args, f.Kind)
		where += fmt.Sprintf(` AND kind = $%d`, len(args))
	}
	if f.JobIDs != nil {
		if len(f.JobIDs) > maxEmailBatch {
			return nil, 0, patchwork.Errorf(patchwork.EINVALID, "Choose at most %d emails at once.", maxEmailBatch)
		}
		where += ` AND id IN (NULL`
		for _, id := range f.JobIDs {
			args = append(args, id)
			where += fmt.Sprintf(`, $%d`, len(args))
		}
		where += `)`
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	query := `SELECT id, kind, payload, last_error, attempts, COALESCE(done_at, 0), created_at FROM jobs WHERE ` + where +
		` ORDER BY done_at DESC, id DESC`
	if f.PerPage >= 0 {
		per := f.PerPage
		if per == 0 {
			per = patchwork.AdminPageSize
		}
		query += fmt.Sprintf(` LIMIT %d OFFSET %d`, per, (max(f.Page, 1)-1)*per)
	}
	type row struct {
		e       *patchwork.FailedEmail
		payload string
	}
	rows, err := scanAll(ctx, s.db.read, query, func(sc interface{ Scan(...any) error }) (row, error) {
		r := row{e: &patchwork.FailedEmail{}}
		var done, created int64
		err := sc.Scan(&r.e.JobID, &r.e.Kind, &r.payload, &r.e.Reason, &r.e.Attempts, &done, &created)
		r.e.FailedAt, r.e.Created = fromMicros(done), fromMicros(created)
		return r, err
	}, args...)
	if err != nil {
		return nil, 0, err
	}
	list := make([]*patchwork.FailedEmail, len(rows))
	for i, r := range rows {
		if err := s.db.resolveRecipient(ctx, r.e, r.payload); err != nil {
			return nil, 0, err
		}
		list[i] = r.e
	}
	action, detail := patchwork.AuditEmailList, fmt.Sprintf("kind=%s page=%d shown=%d", f.Kind, max(f.Page, 1), len(list))
	if f.PerPage < 0 {
		action, detail = patchwork.AuditEmailExport, fmt.Sprintf("kind=%s rows=%d", f.Kind, len(list))
	}
	if err := s.db.inTx(ctx, func(tx *Tx) error { return tx.audit(ctx, action, 0, detail) }); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// resolveRecipient fills in whom the email of a job with payload was for,
// as of now, and what it was about. A recipient since deleted leaves the
// fields empty.
func (db *DB) resolveRecipient(ctx context.Context, e *patchwork.FailedEmail, payload string) error {
	var p emailJobPayload
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return nil // shown without a recipient; the reason says what went wrong
	}
	var err error
	agent := func(id int64) error {
		e.RecipientAgentID = id
		return db.read.QueryRowContext(ctx, `SELECT name, email FROM agents WHERE id = $1`, id).
			Scan(&e.RecipientName, &e.RecipientEmail)
	}
	switch e.Kind {
	case JobSendEmail:
		e.Subkind = p.Digest
		err = agent(p.AgentID)
	case JobAccountEmail:
		e.Subkind = p.Kind
		err = agent(p.AgentID)
	case JobInvitationEmail:
		var invitee sql.NullInt64
		err = db.read.QueryRowContext(ctx, `SELECT email, invitee_id FROM invitations WHERE id = $1`, p.InvitationID).
			Scan(&e.RecipientEmail, &invitee)
		if err == nil && invitee.Valid {
			err = agent(invitee.Int64)
		}
	case JobSignupEmail:
		e.Subkind = p.Kind
		if p.SignupID != 0 {
			err = db.read.QueryRowContext(ctx, `SELECT email FROM signups WHERE id = $1`, p.SignupID).Scan(&e.RecipientEmail)
		} else {
			err = db.read.QueryRowContext(ctx, `SELECT email FROM access_requests WHERE id = $1`, p.RequestID).Scan(&e.RecipientEmail)
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		e.RecipientAgentID = 0
		return nil
	}
	return err
}

// RetryEmails queues failed emails again; see patchwork.FailedEmailService.
func (s *JobService) RetryEmails(ctx context.Context, jobIDs []int64) (int, error) {
	return s.decideEmails(ctx, jobIDs, patchwork.AuditEmailRetry, func(tx *Tx, id int64) (bool, error) {
		// Only a failed job is queued, so of two retries of one email
		// (two admins, a double click) one queues it and the other
		// finds it no longer failed: it is sent once.
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'queued', attempts = 0, run_at = $1, locked_until = NULL,
			locked_by = NULL, done_at = NULL WHERE id = $2 AND status = 'failed' AND kind IN `+emailKinds, micros(tx.now), id)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	})
}

// DiscardEmails gives up on failed emails; see patchwork.FailedEmailService.
func (s *JobService) DiscardEmails(ctx context.Context, jobIDs []int64) (int, error) {
	return s.decideEmails(ctx, jobIDs, patchwork.AuditEmailDiscard, func(tx *Tx, id int64) (bool, error) {
		// A discarded job is done: no claim ever takes it again, and
		// cleanup deletes it with the other finished jobs.
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'done', done_at = $1, discarded_at = $1, locked_until = NULL,
			locked_by = NULL WHERE id = $2 AND status = 'failed' AND kind IN `+emailKinds, micros(tx.now), id)
		if err != nil {
			return false, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return false, err
		}
		// Its notifications are handled, as a sent email's are: they
		// stay the agent's history, told of by nothing else.
		_, err = tx.ExecContext(ctx, `UPDATE notifications SET handled_at = $1 WHERE job_id = $2 AND handled_at IS NULL`,
			micros(tx.now), id)
		return true, err
	})
}

// decideEmails applies one decision to each failed email of jobIDs in one
// transaction, writing action's audit row for each it changed.
func (s *JobService) decideEmails(ctx context.Context, jobIDs []int64, action string,
	decide func(tx *Tx, id int64) (bool, error)) (int, error) {
	if _, err := administrator(ctx); err != nil {
		return 0, err
	}
	if len(jobIDs) > maxEmailBatch {
		return 0, patchwork.Errorf(patchwork.EINVALID, "Choose at most %d emails at once.", maxEmailBatch)
	}
	ids := slices.Clone(jobIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var n int
	err := s.db.inTx(ctx, func(tx *Tx) error {
		n = 0
		for _, id := range ids {
			ok, err := decide(tx, id)
			if err != nil {
				return fmt.Errorf("sqldb: %s: %w", action, err)
			}
			if !ok {
				continue
			}
			n++
			if err := tx.audit(ctx, action, 0, fmt.Sprintf("job=%d", id)); err != nil {
				return err
			}
		}
		if n == 0 {
			return patchwork.ErrNotFound
		}
		return nil
	})
	return n, err
}
