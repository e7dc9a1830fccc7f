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

// tellAdminsOfAccessRequest emails every active system admin, inside the
// transaction that records an access request, that requests wait. Only
// system admins decide them (the page is theirs), so area admins are not
// told. Each admin gets at most one such email an hour (the job's unique
// key), however many requests arrive: a sign-up link per request is
// already throttled per address and per network address, and this bounds
// what a flood of requests can send to the admins.
func (tx *Tx) tellAdminsOfAccessRequest(ctx context.Context) error {
	admins, err := queryIDs(ctx, tx, `SELECT id FROM agents WHERE is_admin = 1 AND active = 1 ORDER BY id`)
	if err != nil {
		return err
	}
	hour := tx.now.UTC().Truncate(time.Hour).Format("2006-01-02T15")
	for _, id := range admins {
		p, err := json.Marshal(accountEmailPayload{Kind: AccountEmailAccessRequest, AgentID: id})
		if err != nil {
			return err
		}
		if _, _, err := tx.enqueueJob(ctx, JobSpec{Kind: JobAccountEmail, Payload: string(p), Priority: PriorityImmediate,
			UniqueKey: fmt.Sprintf("access-request:%d:%s", id, hour)}); err != nil {
			return err
		}
	}
	return nil
}

const accessRequestColumns = `id, email, agency_name, manager_name, manager_email, reason, status, COALESCE(agency_id, 0),
	created_at, COALESCE(decided_at, 0)`

func scanAccessRequest(sc interface{ Scan(...any) error }) (*patchwork.AccessRequest, error) {
	r := &patchwork.AccessRequest{}
	var created, decided int64
	err := sc.Scan(&r.ID, &r.Email, &r.AgencyName, &r.ManagerName, &r.ManagerEmail, &r.Reason, &r.Status, &r.AgencyID,
		&created, &decided)
	r.CreatedAt, r.DecidedAt = fromMicros(created), fromMicros(decided)
	return r, err
}

// Access requests in the admins' order: the pending ones oldest first,
// the decided ones most recently decided first.
const (
	pendingAccessRequests = ` FROM access_requests WHERE status = 'pending'`
	pendingAccessOrder    = ` ORDER BY created_at, id`
	decidedAccessRequests = ` FROM access_requests WHERE status <> 'pending'`
	decidedAccessOrder    = ` ORDER BY decided_at DESC, id DESC`
)

// FindAccessRequests returns a page of access requests for admins; see
// patchwork.SignupService.
func (s *SignupService) FindAccessRequests(ctx context.Context, f patchwork.AccessRequestFilter) ([]*patchwork.AccessRequest, int, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, 0, err
	}
	from, order := pendingAccessRequests, pendingAccessOrder
	if f.Decided {
		from, order = decidedAccessRequests, decidedAccessOrder
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+from).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := scanAll(ctx, s.db.read, `SELECT `+accessRequestColumns+from+order+pageClause(f.Page), scanAccessRequest)
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// ExportAccessRequests streams every access request; see
// patchwork.SignupService.
func (s *SignupService) ExportAccessRequests(ctx context.Context, fn func(*patchwork.AccessRequest) error) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditAccessExport, 0, ""); err != nil {
		return err
	}
	if err := streamRows(ctx, s.db.read, `SELECT `+accessRequestColumns+pendingAccessRequests+pendingAccessOrder,
		scanAccessRequest, fn); err != nil {
		return err
	}
	return streamRows(ctx, s.db.read, `SELECT `+accessRequestColumns+decidedAccessRequests+decidedAccessOrder,
		scanAccessRequest, fn)
}

// decideAccessRequest marks a pending request decided inside tx and returns
// it; ENOTFOUND unless it is pending. The conditional update makes two
// admins deciding at once decide once.
func (tx *Tx) decideAccessRequest(ctx context.Context, id int64, status string, agencyID int64) (*patchwork.AccessRequest, error) {
	var decider int64
	if a := patchwork.CallerFromContext(ctx); a != nil {
		decider = a.ID
	}
	res, err := tx.ExecContext(ctx, `UPDATE access_requests SET status = $1, agency_id = $2, decided_by = $3, decided_at = $4
		WHERE id = $5 AND status = 'pending'`, status, nullID(agencyID), nullID(decider), micros(tx.now), id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, patchwork.ErrNotFound
	}
	r, err := scanAccessRequest(tx.QueryRowContext(ctx, `SELECT `+accessRequestColumns+` FROM access_requests WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, patchwork.ErrNotFound
	}
	return r, err
}

// errAgencyNotActive refuses to let anyone in to a pending or suspended
// agency.
var errAgencyNotActive = patchwork.Errorf(patchwork.ECONFLICT,
	"That agency is waiting for approval or suspended: approve it, or lift the suspension, first.")

// ApproveAccessRequest approves a request; see patchwork.SignupService.
func (s *SignupService) ApproveAccessRequest(ctx context.Context, id, agencyID int64, addDomain bool) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	nonce, err := newNonce()
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM agencies WHERE id = $1`, agencyID).Scan(&status); errors.Is(err, sql.ErrNoRows) {
			return patchwork.ErrNotFound
		} else if err != nil {
			return err
		}
		if status != patchwork.AgencyActive {
			return errAgencyNotActive
		}
		r, err := tx.decideAccessRequest(ctx, id, patchwork.AccessApproved, agencyID)
		if err != nil {
			return err
		}
		if addDomain {
			if err := tx.addAgencyDomain(ctx, agencyID, patchwork.EmailDomain(r.Email)); err != nil {
				return err
			}
		}
		signupID, err := tx.insertSignup(ctx, nonce, s.secret, r.Email, agencyID, "", ApprovedSignupTTL)
		if err != nil {
			return err
		}
		if err := tx.enqueueSignupEmail(ctx, SignupEmailApproved, signupID, r.ID); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAccessApprove, 0,
			fmt.Sprintf("request=%d agency=%d add_domain=%t", r.ID, agencyID, addDomain))
	})
}

// RefuseAccessRequest refuses a request; see patchwork.SignupService.
func (s *SignupService) RefuseAccessRequest(ctx context.Context, id int64) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.decideAccessRequest(ctx, id, patchwork.AccessRefused, 0)
		if err != nil {
			return err
		}
		if err := tx.enqueueSignupEmail(ctx, SignupEmailRefused, 0, r.ID); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditAccessRefuse, 0, fmt.Sprintf("request=%d", r.ID))
	})
}
