package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"patchwork"
)

// JobSignupEmail sends one email to someone who is not (yet) an agent: a
// sign-up link, or the answer to their access request. Such an email names
// no client and no agent.
const JobSignupEmail = "signup_email"

// Kinds of sign-up email.
const (
	SignupEmailVerify   = "signup_verify"
	SignupEmailApproved = "access_approved"
	SignupEmailRefused  = "access_refused"
)

// signupEmailPayload is the payload of a signup_email job: ids only, never
// the address or a token.
type signupEmailPayload struct {
	Kind      string `json:"kind"`
	SignupID  int64  `json:"signup_id,omitempty"`
	RequestID int64  `json:"request_id,omitempty"`
}

// enqueueSignupEmail queues a sign-up email inside tx, so that it is sent if
// and only if the change it tells of commits.
func (tx *Tx) enqueueSignupEmail(ctx context.Context, kind string, signupID, requestID int64) error {
	p, err := json.Marshal(signupEmailPayload{Kind: kind, SignupID: signupID, RequestID: requestID})
	if err != nil {
		return err
	}
	_, _, err = tx.enqueueJob(ctx, JobSpec{Kind: JobSignupEmail, Payload: string(p), Priority: PriorityImmediate})
	return err
}

// SignupEmail is what the worker needs to write a sign-up email.
type SignupEmail struct {
	Kind string
	To   string
	// KnownDomain says whether an agency takes sign-ups from the address's
	// domain (a verify email then leads to sign-up, otherwise to an access
	// request).
	KnownDomain bool
	Live        bool      // the link is unused and unexpired
	Nonce       string    // from which SignupToken derives the link
	ExpiresAt   time.Time // when the link stops working
}

// LoadSignupEmail reads what the sign-up email of the job with this
// payload needs, as of now. It checks no caller: only the worker calls it.
func (db *DB) LoadSignupEmail(ctx context.Context, payload string) (*SignupEmail, error) {
	var p signupEmailPayload
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return nil, fmt.Errorf("sqldb: signup email payload: %w: %w", err, patchwork.ErrPermanent)
	}
	e := &SignupEmail{Kind: p.Kind}
	if p.Kind == SignupEmailRefused {
		err := db.read.QueryRowContext(ctx, `SELECT email FROM access_requests WHERE id = $1`, p.RequestID).Scan(&e.To)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("sqldb: signup email: no access request %d: %w", p.RequestID, patchwork.ErrPermanent)
		}
		e.Live = err == nil
		return e, err
	}
	var expires int64
	var used sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT email, nonce, expires_at, used_at FROM signups WHERE id = $1`, p.SignupID).
		Scan(&e.To, &e.Nonce, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqldb: signup email: no signup %d: %w", p.SignupID, patchwork.ErrPermanent)
	} else if err != nil {
		return nil, err
	}
	e.ExpiresAt = fromMicros(expires)
	e.Live = !used.Valid && e.ExpiresAt.After(db.now())
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM agency_domains d JOIN agencies g ON g.id = d.agency_id
		WHERE d.domain = $1 AND g.status = 'active'`,
		patchwork.EmailDomain(e.To)).Scan(&n); err != nil {
		return nil, err
	}
	e.KnownDomain = n > 0
	return e, nil
}

// PurgeSignups deletes sign-up links that expired more than a day ago and
// the sign-up counts past their window; the worker's cleanup calls it. It
// checks no caller.
func (db *DB) PurgeSignups(ctx context.Context) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM signups WHERE expires_at < $1`,
		micros(db.now().Add(-24*time.Hour)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
