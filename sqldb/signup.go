package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"patchwork"
	"patchwork/password"
)

// Sign-up limits. Requests are counted in the database so that the limits
// hold across instances and restarts.
const (
	// SignupTTL is how long an emailed sign-up link works.
	SignupTTL = 24 * time.Hour
	// ApprovedSignupTTL is how long the link sent with an approved access
	// request works: the requester may not read it the same day.
	ApprovedSignupTTL = 7 * 24 * time.Hour
	// signupWindow is the period the limits below count over.
	signupWindow = time.Hour
	// maxSignupsPerAddress bounds the emails one address can be sent: the
	// form must not be a way to flood someone's inbox.
	maxSignupsPerAddress = 3
	// maxSignupsPerIP bounds the requests from one network address,
	// whatever the email addresses typed.
	maxSignupsPerIP = 20
)

// SignupService implements patchwork.SignupService.
type SignupService struct {
	db     *DB
	secret []byte
}

// NewSignupService returns a SignupService on db whose tokens are derived
// with secret: the secret the worker writes sign-up emails with.
func NewSignupService(db *DB, secret []byte) *SignupService {
	return &SignupService{db: db, secret: secret}
}

func signupAddressKey(email string) string { return "address:" + email }
func signupIPKey(ip string) string         { return "ip:" + ip }

// RequestSignup emails a sign-up link, or tells an existing account's owner
// that they have one; see patchwork.SignupService. Every address takes the
// same path, one transaction that counts the request, so that neither the
// answer nor its timing tells them apart.
func (s *SignupService) RequestSignup(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if !patchwork.ValidEmail(email) {
		return nil // nobody's address; the same answer
	}
	ip := patchwork.RequestMetaFromContext(ctx).IP
	var agentID int64
	var active bool
	err := s.db.read.QueryRowContext(ctx, `SELECT id, active FROM agents WHERE email = $1`, email).Scan(&agentID, &active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	nonce, err := newNonce()
	if err != nil {
		return err
	}
	limited := false
	err = s.db.inTx(ctx, func(tx *Tx) error {
		byAddress, ipLimited, err := tx.countRequest(ctx, requestWindow{Table: "signup_requests", Lock: advisorySignup,
			Window: signupWindow, PerIP: maxSignupsPerIP}, signupAddressKey(email), signupIPKey(ip), ip)
		if err != nil || ipLimited {
			limited = ipLimited
			return err
		}
		switch {
		case byAddress >= maxSignupsPerAddress:
			// Nothing more to this inbox this hour.
		case agentID != 0 && active:
			if err := tx.enqueueAccountEmail(ctx, AccountEmailSignupExists, agentID, 0); err != nil {
				return err
			}
		case agentID != 0:
			// A deactivated account: no email, as for a reset.
		default:
			id, err := tx.insertSignup(ctx, nonce, s.secret, email, 0, "", SignupTTL)
			if err != nil {
				return err
			}
			if err := tx.enqueueSignupEmail(ctx, SignupEmailVerify, id, 0); err != nil {
				return err
			}
		}
		// Audited alike whatever happened, with no detail: the typed
		// address may be nobody's.
		return tx.auditAs(ctx, agentID, patchwork.AuditSignupRequest, 0, "")
	})
	if err != nil {
		return err
	}
	if limited {
		return patchwork.Errorf(patchwork.ETOOMANYREQUEST,
			"Too many sign-up requests have come from your network. Wait an hour and try again.")
	}
	return nil
}

// insertSignup stores a sign-up link for email that lives for ttl and
// returns its id; the token is SignupToken(secret, nonce).
func (tx *Tx) insertSignup(ctx context.Context, nonce string, secret []byte, email string, agencyID int64, next string,
	ttl time.Duration) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO signups (email, nonce, token_hash, agency_id, next, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, email, nonce, tokenHash(SignupToken(secret, nonce)),
		nullID(agencyID), next, micros(tx.now), micros(tx.now.Add(ttl))).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("sqldb: insert signup: %w", err)
	}
	return id, nil
}

// BeginVerifiedSignup starts a sign-up for an address the caller has
// already proven (a new colleague's invitation token, emailed to it) and
// returns the token of its next step, for /signup/verify?token=…, without
// emailing anything; next is where the new agent goes once signed in. It
// checks no caller: it must never be reached with an address someone
// merely typed. The link lives SignupTTL.
func (s *SignupService) BeginVerifiedSignup(ctx context.Context, email, next string) (string, error) {
	var token string
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		token, err = tx.BeginVerifiedSignup(ctx, s.secret, email, next)
		return err
	})
	return token, err
}

// BeginVerifiedSignup is SignupService.BeginVerifiedSignup inside tx, for a
// use case that proves the address in the same transaction; secret is the
// deployment secret.
func (tx *Tx) BeginVerifiedSignup(ctx context.Context, secret []byte, email, next string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !patchwork.ValidEmail(email) {
		return "", patchwork.Invalid(map[string]string{"email": "Enter an email address in the correct format, like name@example.org"})
	}
	nonce, err := newNonce()
	if err != nil {
		return "", err
	}
	if _, err := tx.insertSignup(ctx, nonce, secret, email, 0, next, SignupTTL); err != nil {
		return "", err
	}
	return SignupToken(secret, nonce), nil
}

// liveSignup returns the id, address, approved agency and continuation of a
// live sign-up token, or ENOTFOUND.
func (s *SignupService) liveSignup(ctx context.Context, q querier, token string) (id int64, su *patchwork.Signup, agencyID int64, err error) {
	if token == "" {
		return 0, nil, 0, patchwork.ErrNotFound
	}
	su = &patchwork.Signup{}
	var agency sql.NullInt64
	var expires int64
	err = q.QueryRowContext(ctx, `SELECT id, email, agency_id, next, expires_at FROM signups
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`, tokenHash(token), micros(s.db.now())).
		Scan(&id, &su.Email, &agency, &su.Next, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, 0, patchwork.ErrNotFound
	} else if err != nil {
		return 0, nil, 0, err
	}
	su.Expires = fromMicros(expires)
	return id, su, agency.Int64, nil
}

// signupAgencies returns the agencies a sign-up may join: the one approved
// for it, or those taking sign-ups from the address's domain; only active
// ones (a pending or suspended agency takes no sign-ups).
func (db *DB) signupAgencies(ctx context.Context, q querier, email string, agencyID int64) ([]*patchwork.Agency, error) {
	if agencyID != 0 {
		return scanAll(ctx, q, `SELECT `+agencyColumns+` FROM agencies g WHERE g.id = $1 AND g.status = 'active'`, scanAgency, agencyID)
	}
	return scanAll(ctx, q, `SELECT `+agencyColumns+` FROM agencies g JOIN agency_domains d ON d.agency_id = g.id
		WHERE d.domain = $1 AND g.status = 'active' ORDER BY g.name, g.id`, scanAgency, patchwork.EmailDomain(email))
}

// FindSignup returns the live sign-up a token stands for; see
// patchwork.SignupService.
func (s *SignupService) FindSignup(ctx context.Context, token string) (*patchwork.Signup, error) {
	_, su, agencyID, err := s.liveSignup(ctx, s.db.read, token)
	if err != nil {
		return nil, err
	}
	if su.Agencies, err = s.db.signupAgencies(ctx, s.db.read, su.Email, agencyID); err != nil {
		return nil, err
	}
	su.Areas, err = scanAll(ctx, s.db.read, `SELECT `+areaColumns+` FROM areas r WHERE r.kind = 'local' ORDER BY r.name`, scanArea)
	return su, err
}

// CompleteSignup creates the agent; see patchwork.SignupService.
func (s *SignupService) CompleteSignup(ctx context.Context, token string, agencyID int64, u patchwork.AgentUpdate,
	pw string) (*patchwork.Agent, error) {
	su, err := s.FindSignup(ctx, token)
	if err != nil {
		return nil, err
	}
	f := map[string]string{}
	if err := u.Validate(); err != nil {
		if f = patchwork.ErrorFields(err); f == nil {
			return nil, err
		}
	}
	if su.Agency(agencyID) == nil {
		f["agency"] = "Select the agency you work for"
	}
	if err := password.Check(pw, su.Email); err != nil {
		f["password"] = password.Message(err)
	}
	if err := patchwork.Invalid(f); err != nil {
		return nil, err
	}
	// Hashing takes some 40 ms: done before the transaction.
	hash, err := password.Hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	a := &patchwork.Agent{Email: su.Email, Name: u.Name, Role: u.Role, SensitiveRole: u.SensitiveRole,
		GenericRole: u.GenericRole, AgencyID: agencyID, Mobile: u.Mobile, Landline: u.Landline,
		ContactEmail: u.ContactEmail, PreferredContact: u.PreferredContact, WorkingHours: u.WorkingHours}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		// Using the token up is the first write: of two requests racing
		// with one token, only one gets past it.
		res, err := tx.ExecContext(ctx, `UPDATE signups SET used_at = $1
			WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1`, micros(tx.now), tokenHash(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return patchwork.ErrNotFound
		}
		// Only local areas, as the profile takes them.
		for _, id := range u.AreaIDs {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM areas WHERE id = $1 AND kind = 'local'`, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				a.Areas = append(a.Areas, &patchwork.Area{ID: id})
			}
		}
		if err := tx.insertAgentRow(ctx, a, hash); err != nil {
			return err
		}
		// Every other link sent to the address dies with this one.
		if _, err := tx.ExecContext(ctx, `UPDATE signups SET used_at = $1 WHERE email = $2 AND used_at IS NULL`,
			micros(tx.now), a.Email); err != nil {
			return err
		}
		return tx.auditAs(ctx, a.ID, patchwork.AuditSignup, 0, fmt.Sprintf("agent=%d agency=%d", a.ID, agencyID))
	})
	if err != nil {
		return nil, err
	}
	return s.db.findAgent(ctx, s.db.read, `a.id = $1`, a.ID)
}

// RequestAccess records an access request; see patchwork.SignupService.
func (s *SignupService) RequestAccess(ctx context.Context, token string, r *patchwork.AccessRequest) error {
	su, err := s.FindSignup(ctx, token)
	if err != nil {
		return err
	}
	if len(su.Agencies) > 0 {
		return patchwork.Errorf(patchwork.ECONFLICT, "Your organisation can now sign up: follow the link in your email again.")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	r.Email, r.Status = su.Email, patchwork.AccessPending
	return s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE signups SET used_at = $1
			WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1`, micros(tx.now), tokenHash(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return patchwork.ErrNotFound
		}
		r.CreatedAt = tx.now
		if err := tx.QueryRowContext(ctx, `INSERT INTO access_requests (email, agency_name, manager_name, manager_email,
			reason, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, r.Email, r.AgencyName,
			r.ManagerName, r.ManagerEmail, r.Reason, r.Status, micros(tx.now)).Scan(&r.ID); err != nil {
			return fmt.Errorf("sqldb: insert access request: %w", err)
		}
		if err := tx.tellAdminsOfAccessRequest(ctx); err != nil {
			return err
		}
		return tx.auditAs(ctx, 0, patchwork.AuditAccessRequest, 0, fmt.Sprintf("request=%d", r.ID))
	})
}

// AddAgencyDomain lets agencyID take sign-ups from addresses at domain.
// Only admins and the system caller (the CLI, the demo loader) may call it;
// other agents get ENOTFOUND, as for a missing agency. Adding a domain the
// agency already has changes nothing.
func (s *AgencyService) AddAgencyDomain(ctx context.Context, agencyID int64, domain string) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	domain = strings.ToLower(strings.TrimSpace(domain))
	if !patchwork.ValidDomain(domain) {
		return patchwork.Invalid(map[string]string{"domain": "Enter a domain, like example.org"})
	}
	return s.db.inTx(ctx, func(tx *Tx) error { return tx.addAgencyDomain(ctx, agencyID, domain) })
}

// addAgencyDomain adds an approved domain to an agency inside tx, audited.
func (tx *Tx) addAgencyDomain(ctx context.Context, agencyID int64, domain string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agencies WHERE id = $1`, agencyID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return patchwork.ErrNotFound
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agency_domains WHERE agency_id = $1 AND domain = $2`,
		agencyID, domain).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agency_domains (agency_id, domain) VALUES ($1, $2)`, agencyID, domain); err != nil {
		return err
	}
	return tx.audit(ctx, patchwork.AuditAgencyDomain, 0, fmt.Sprintf("agency=%d domain=%s", agencyID, domain))
}

// FindAgencyDomains returns the domains an agency takes sign-ups from, in
// order. It checks no caller: only the CLI and tests call it.
func (db *DB) FindAgencyDomains(ctx context.Context, agencyID int64) ([]string, error) {
	return queryColumn[string](ctx, db.read, `SELECT domain FROM agency_domains WHERE agency_id = $1 ORDER BY domain`, agencyID)
}
