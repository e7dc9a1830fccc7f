package sqldb

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"patchwork"
)

// The invitation limit. Each invitation emails someone, so a member who
// invites in a loop would be a way to send mail in Patchwork's name; the
// invitations themselves are the count, kept in the database.
const (
	// DefaultInvitationLimit is how many invitations an agent may send in
	// InvitationWindow unless the service sets another limit.
	DefaultInvitationLimit = 20
	// InvitationWindow is the period the invitation limit counts over.
	InvitationWindow = time.Hour
)

// JobInvitationEmail sends the invitation of a new colleague, whose address
// has no account: it goes out whatever anyone's settings, since it is their
// only way in. Agents already on Patchwork hear of an invitation through
// their notifications instead.
const JobInvitationEmail = "invitation_email"

// InvitationToken is the token an invitation's nonce stands for, derived
// with the deployment secret as ResetToken is: the database keeps the nonce
// and the token's SHA-256, and the worker derives the token again for the
// email.
func InvitationToken(secret []byte, nonce string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("invitation|" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// InvitationService implements patchwork.InvitationService.
type InvitationService struct {
	db     *DB
	secret []byte
	// Limit is how many invitations an agent may send in
	// InvitationWindow; 0 or less is no limit.
	Limit int
}

// NewInvitationService returns an InvitationService on db whose tokens are
// derived with secret, the secret the worker writes invitation emails with.
func NewInvitationService(db *DB, secret []byte) *InvitationService {
	return &InvitationService{db: db, secret: secret, Limit: DefaultInvitationLimit}
}

const invitationColumns = `i.id, i.client_id, i.inviter_id, inviter.name, COALESCE(i.invitee_id, 0),
	COALESCE(invitee.name, ''), i.email, i.message, i.status, i.created_at, i.expires_at`

const invitationFrom = ` FROM invitations i JOIN agents inviter ON inviter.id = i.inviter_id
	LEFT JOIN agents invitee ON invitee.id = i.invitee_id`

func scanInvitation(sc interface{ Scan(...any) error }, extra ...any) (*patchwork.Invitation, error) {
	inv := &patchwork.Invitation{}
	var created, expires int64
	if err := sc.Scan(append([]any{&inv.ID, &inv.ClientID, &inv.InviterID, &inv.InviterName, &inv.InviteeID,
		&inv.InviteeName, &inv.Email, &inv.Message, &inv.Status, &created, &expires}, extra...)...); err != nil {
		return nil, err
	}
	inv.CreatedAt, inv.ExpiresAt = fromMicros(created), fromMicros(expires)
	return inv, nil
}

// invitee is the agent an invitation's address or pick stands for.
type invitee struct {
	id     int64
	name   string
	email  string
	active bool
}

// findInvitee resolves the request to an agent, or to none (id 0) for an
// address with no account. A picked agent must be active.
func findInvitee(ctx context.Context, q querier, req patchwork.InvitationRequest) (invitee, error) {
	var in invitee
	query, arg, field := `SELECT id, name, email, active FROM agents WHERE email = $1`, any(req.Email), "email"
	if req.AgentID != 0 {
		query, arg, field = `SELECT id, name, email, active FROM agents WHERE id = $1`, req.AgentID, "agent_id"
	}
	err := q.QueryRowContext(ctx, query, arg).Scan(&in.id, &in.name, &in.email, &in.active)
	switch {
	case errors.Is(err, sql.ErrNoRows) && req.AgentID == 0:
		return invitee{email: req.Email}, nil
	case errors.Is(err, sql.ErrNoRows) || (err == nil && !in.active && field == "agent_id"):
		return in, patchwork.Invalid(map[string]string{field: "Select a colleague from the list"})
	case err != nil:
		return in, err
	case !in.active:
		return in, patchwork.Invalid(map[string]string{field: "This address cannot be invited. " +
			"Ask your colleague to contact their Patchwork administrator"})
	}
	return in, nil
}

// label is how the team's trail names the invitee.
func (in invitee) label() string {
	if in.name != "" {
		return in.name
	}
	return in.email
}

// agencyDomainKnown reports whether addr is at a domain an active agency
// takes sign-ups from (agency_domains), as sign-up decides: a new colleague
// there signs up through the invitation; one at any other domain asks for
// access.
func agencyDomainKnown(ctx context.Context, q querier, addr string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM agency_domains d JOIN agencies g ON g.id = d.agency_id
		WHERE d.domain = $1 AND g.status = 'active'`, patchwork.EmailDomain(addr)).Scan(&n)
	return n > 0, err
}

// CreateInvitation invites a colleague; see patchwork.InvitationService.
func (s *InvitationService) CreateInvitation(ctx context.Context, clientID int64, req patchwork.InvitationRequest) (*patchwork.Invitation, error) {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	in, err := findInvitee(ctx, s.db.read, req)
	if err != nil {
		return nil, err
	}
	unapproved := false
	if in.id == 0 {
		known, err := agencyDomainKnown(ctx, s.db.read, in.email)
		if err != nil {
			return nil, err
		}
		// At an unknown domain the invitation leads to an access request,
		// which an admin approves or refuses.
		unapproved = !known
	}
	nonce, err := newNonce()
	if err != nil {
		return nil, err
	}
	inv := &patchwork.Invitation{ClientID: clientID, InviterID: c.ID, InviterName: c.Name, InviteeID: in.id,
		InviteeName: in.name, Email: in.email, Message: req.Message, Status: patchwork.InvitationPending,
		NeedsAccess: unapproved}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if err := requireMember(ctx, tx, c, clientID); err != nil {
			return err
		}
		// The inviter's row is locked so that one agent's parallel
		// invitations are counted one after another (see lockJoins).
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM agents WHERE id = $1`+tx.db.Dialect.LockRow, c.ID).Scan(&one); err != nil {
			return err
		}
		if s.Limit > 0 {
			var n int
			var oldest int64
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MIN(created_at), 0) FROM invitations
				WHERE inviter_id = $1 AND created_at > $2`, c.ID, micros(tx.now.Add(-InvitationWindow))).Scan(&n, &oldest); err != nil {
				return err
			}
			if n >= s.Limit {
				wait := int(fromMicros(oldest).Add(InvitationWindow).Sub(tx.now).Minutes()) + 1
				return patchwork.Errorf(patchwork.ETOOMANYREQUEST,
					"You have sent %d invitations in the last hour, the most allowed. You can send another in about %d minutes.", n, wait)
			}
		}
		if in.id != 0 {
			member, err := isMember(ctx, tx, clientID, in.id)
			if err != nil {
				return err
			}
			if member {
				field := "email"
				if req.AgentID != 0 {
					field = "agent_id"
				}
				return patchwork.Invalid(map[string]string{field: in.name + " is already on this team"})
			}
		}
		// A pending invitation past its time is expired now, so that it
		// neither blocks a new one nor stays listed.
		if _, err := tx.expireInvitations(ctx, `client_id = $2 AND email = $3`, clientID, in.email); err != nil {
			return err
		}
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invitations WHERE client_id = $1 AND email = $2 AND status = $3`,
			clientID, in.email, patchwork.InvitationPending).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			field := "email"
			if req.AgentID != 0 {
				field = "agent_id"
			}
			return patchwork.Invalid(map[string]string{field: in.label() + " has already been invited to this team. " +
				"Withdraw that invitation first to send another"})
		}
		activityID, err := tx.addActivity(ctx, clientID, c.ID, patchwork.ActivityTeamInvited, in.label())
		if err != nil {
			return err
		}
		var inviteeID any
		if in.id != 0 {
			inviteeID = in.id
		}
		inv.CreatedAt, inv.ExpiresAt = tx.now, tx.now.Add(patchwork.InvitationTTL)
		if err := tx.QueryRowContext(ctx, `INSERT INTO invitations (client_id, inviter_id, invitee_id, email, message, nonce,
			token_hash, activity_id, status, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			clientID, c.ID, inviteeID, in.email, req.Message, nonce, tokenHash(InvitationToken(s.secret, nonce)), activityID,
			patchwork.InvitationPending, micros(inv.CreatedAt), micros(inv.ExpiresAt)).Scan(&inv.ID); err != nil {
			if isUniqueViolation(err) {
				return patchwork.Invalid(map[string]string{"email": in.label() + " has already been invited to this team"})
			}
			return fmt.Errorf("sqldb: insert invitation: %w", err)
		}
		if in.id != 0 {
			// An agent hears of it as of any event, as their settings say.
			if err := tx.notifyAgents(ctx, activityID, c.ID, patchwork.ActivityTeamInvited, in.id); err != nil {
				return err
			}
		} else {
			if _, _, err := tx.enqueueJob(ctx, JobSpec{Kind: JobInvitationEmail, Payload: invitationPayload(inv.ID),
				Priority: PriorityImmediate}); err != nil {
				return err
			}
		}
		return tx.audit(ctx, patchwork.AuditInvitationCreate, clientID, fmt.Sprintf("invitation=%d", inv.ID))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// FindInvitations lists the client's pending invitations; see
// patchwork.InvitationService.
func (s *InvitationService) FindInvitations(ctx context.Context, clientID int64) ([]*patchwork.Invitation, error) {
	if _, err := memberCaller(ctx, s.db.read, clientID); err != nil {
		return nil, err
	}
	return s.db.loadInvitations(ctx, s.db.read, clientID)
}

// loadInvitations reads a client's live invitations. The status is
// written into the SQL, not bound: the index is partial on it, and a bound
// value the planner relies on makes SQLite prepare the statement again at
// every run.
func (db *DB) loadInvitations(ctx context.Context, q querier, clientID int64) ([]*patchwork.Invitation, error) {
	return scanAll(ctx, q, `SELECT `+invitationColumns+invitationFrom+`
		WHERE i.client_id = $1 AND i.status = '`+patchwork.InvitationPending+`' AND i.expires_at > $2 ORDER BY i.id`,
		func(sc interface{ Scan(...any) error }) (*patchwork.Invitation, error) {
			return scanInvitation(sc)
		}, clientID, micros(db.now()))
}

// FindInvitees finds colleagues to invite; see patchwork.InvitationService.
func (s *InvitationService) FindInvitees(ctx context.Context, clientID int64, q string) ([]*patchwork.Agent, error) {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return nil, err
	}
	agents, _, err := s.db.searchDirectory(ctx, c, q)
	return agents, err
}

// WithdrawInvitation withdraws a pending invitation; see
// patchwork.InvitationService.
func (s *InvitationService) WithdrawInvitation(ctx context.Context, clientID, invitationID int64) error {
	c, err := memberCaller(ctx, s.db.read, clientID)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := requireMember(ctx, tx, c, clientID); err != nil {
			return err
		}
		var label string
		err := tx.QueryRowContext(ctx, `UPDATE invitations SET status = $1, ended_at = $2, ended_by = $3
			WHERE id = $4 AND client_id = $5 AND status = $6 AND expires_at > $2
			RETURNING COALESCE((SELECT name FROM agents WHERE id = invitations.invitee_id), email)`,
			patchwork.InvitationWithdrawn, micros(tx.now), c.ID, invitationID, clientID, patchwork.InvitationPending).Scan(&label)
		if errors.Is(err, sql.ErrNoRows) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invitations WHERE id = $1 AND client_id = $2`,
				invitationID, clientID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return patchwork.ErrNotFound
			}
			return patchwork.Errorf(patchwork.ECONFLICT, "This invitation is no longer pending: it was accepted, withdrawn or has expired.")
		} else if err != nil {
			return err
		}
		if _, err := tx.addActivity(ctx, clientID, c.ID, patchwork.ActivityInvitationWithdrawn, label); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditInvitationWithdraw, clientID, fmt.Sprintf("invitation=%d", invitationID))
	})
}

// BeginInvitedSignup starts the sign-up of a new colleague from their
// invitation; see patchwork.InvitationService. The invitation's token,
// emailed to the address, proves it, so the sign-up needs no email of its
// own; it continues at /invitations?id=N, so that no live token is stored.
func (s *InvitationService) BeginInvitedSignup(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", patchwork.ErrNotFound
	}
	var signup string
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var id int64
		var email string
		err := tx.QueryRowContext(ctx, `SELECT i.id, i.email FROM invitations i
			WHERE i.token_hash = $1 AND i.status = $2 AND i.expires_at > $3 AND i.invitee_id IS NULL
			AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.email = i.email)`,
			tokenHash(token), patchwork.InvitationPending, micros(tx.now)).Scan(&id, &email)
		if errors.Is(err, sql.ErrNoRows) {
			return patchwork.ErrNotFound
		} else if err != nil {
			return err
		}
		signup, err = tx.BeginVerifiedSignup(ctx, s.secret, email, fmt.Sprintf("/invitations?id=%d", id))
		return err
	})
	return signup, err
}

// FindMyInvitations lists the caller's pending invitations with their
// tokens; see patchwork.InvitationService.
func (s *InvitationService) FindMyInvitations(ctx context.Context) ([]*patchwork.Invitation, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return scanAll(ctx, s.db.read, `SELECT `+invitationColumns+`, i.nonce`+invitationFrom+`
		WHERE i.status = '`+patchwork.InvitationPending+`' AND i.expires_at > $1 AND (i.invitee_id = $2 OR (i.invitee_id IS NULL AND i.email = $3))
		ORDER BY i.id`, func(sc interface{ Scan(...any) error }) (*patchwork.Invitation, error) {
		var nonce string
		inv, err := scanInvitation(sc, &nonce)
		if err != nil {
			return nil, err
		}
		inv.Token = InvitationToken(s.secret, nonce)
		return inv, nil
	}, micros(s.db.now()), c.ID, strings.ToLower(c.Email))
}

// invitationFor returns the invitation token stands for if c is its
// invitee: the agent invited, or for a new colleague's invitation whoever
// holds the address invited. Anyone else gets ENOTFOUND.
func (s *InvitationService) invitationFor(ctx context.Context, q querier, c *patchwork.Agent, token string) (*patchwork.Invitation, error) {
	if token == "" {
		return nil, patchwork.ErrNotFound
	}
	inv, err := scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationColumns+invitationFrom+` WHERE i.token_hash = $1`,
		tokenHash(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, patchwork.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	if inv.InviteeID != c.ID && (inv.InviteeID != 0 || !strings.EqualFold(inv.Email, c.Email)) {
		return nil, patchwork.ErrNotFound
	}
	return inv, nil
}

// FindInvitation returns an invitation to its invitee; see
// patchwork.InvitationService.
func (s *InvitationService) FindInvitation(ctx context.Context, token string) (*patchwork.InvitationPage, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := s.invitationFor(ctx, s.db.read, c, token)
	if err != nil {
		return nil, err
	}
	p := &patchwork.InvitationPage{Invitation: inv, Status: inv.StatusAt(s.db.now())}
	if p.Status != patchwork.InvitationPending {
		inv.Message = "" // an ended invitation shows only that it ended
		return p, nil
	}
	ms, err := s.db.describeMatches(ctx, c, []*patchwork.ClientMatch{{ID: inv.ClientID}})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, patchwork.ErrNotFound // the client was erased
	}
	ms[0].JoinTicket = "" // the invitation is the ticket
	p.Match = ms[0]
	err = s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, patchwork.AuditInvitationView, inv.ClientID, fmt.Sprintf("invitation=%d", inv.ID))
	})
	return p, err
}

// errInvitationEnded answers an invitation that can no longer be accepted.
var errInvitationEnded = patchwork.Errorf(patchwork.ECONFLICT,
	"This invitation can no longer be accepted: it was withdrawn, has expired or was used already.")

// AcceptInvitation joins the invitee onto the team; see
// patchwork.InvitationService.
func (s *InvitationService) AcceptInvitation(ctx context.Context, token string, req patchwork.JoinRequest) (int64, error) {
	c, err := caller(ctx)
	if err != nil {
		return 0, err
	}
	inv, err := s.invitationFor(ctx, s.db.read, c, token)
	if err != nil {
		return 0, err
	}
	if inv.StatusAt(s.db.now()) != patchwork.InvitationPending {
		return 0, errInvitationEnded
	}
	if err := req.Validate(); err != nil {
		return 0, err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM agents WHERE id = $1`+tx.db.Dialect.LockRow, c.ID).Scan(&one); err != nil {
			return err
		}
		// Using the invitation up is the first write: of an acceptance and
		// a withdrawal racing, only one gets past it.
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET status = $1, ended_at = $2, ended_by = $3, invitee_id = $3
			WHERE id = $4 AND status = $5 AND expires_at > $2`,
			patchwork.InvitationAccepted, micros(tx.now), c.ID, inv.ID, patchwork.InvitationPending)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errInvitationEnded
		}
		if ok, err := clientExists(ctx, tx, inv.ClientID); err != nil {
			return err
		} else if !ok {
			return patchwork.ErrNotFound
		}
		member, err := isMember(ctx, tx, inv.ClientID, c.ID)
		if err != nil {
			return err
		}
		if !patchwork.CanJoin(c, member) {
			return errAlreadyMember
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (client_id, agent_id, joined_at, how_joined, basis, basis_note)
			VALUES ($1, $2, $3, $4, $5, $6)`, inv.ClientID, c.ID, micros(tx.now), patchwork.JoinedByInvitation,
			req.Basis, req.BasisNote); err != nil {
			if isUniqueViolation(err) {
				return errAlreadyMember
			}
			return err
		}
		if err := tx.allocateAreas(ctx, c.ID, inv.ClientID); err != nil {
			return err
		}
		if _, err := tx.addActivity(ctx, inv.ClientID, c.ID, patchwork.ActivityInvitationAccepted, inv.InviterName); err != nil {
			return err
		}
		if err := tx.recordTeamEvent(ctx, inv.ClientID, c.ID, patchwork.ActivityMemberJoined, req.Basis); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditInvitationAccept, inv.ClientID,
			fmt.Sprintf("invitation=%d basis=%s", inv.ID, req.Basis))
	})
	if err != nil {
		return 0, err
	}
	return inv.ClientID, nil
}

// expireInvitations marks the pending invitations past their time that
// match where (on the invitations table, its arguments from $2) expired,
// each with its activity row. $1 is now.
func (tx *Tx) expireInvitations(ctx context.Context, where string, args ...any) (int64, error) {
	rows, err := tx.QueryContext(ctx, `UPDATE invitations SET status = 'expired', ended_at = $1
		WHERE status = 'pending' AND expires_at <= $1 AND `+where+`
		RETURNING client_id, inviter_id, COALESCE((SELECT name FROM agents WHERE id = invitations.invitee_id), email)`,
		append([]any{micros(tx.now)}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("sqldb: expire invitations: %w", err)
	}
	type ended struct {
		client, inviter int64
		label           string
	}
	var all []ended
	for rows.Next() {
		var e ended
		if err := rows.Scan(&e.client, &e.inviter, &e.label); err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, e := range all {
		if _, err := tx.addActivity(ctx, e.client, e.inviter, patchwork.ActivityInvitationExpired, e.label); err != nil {
			return 0, err
		}
	}
	return int64(len(all)), nil
}

// ExpireInvitations marks every pending invitation past its time expired,
// with its activity row, and returns how many; the worker's hourly
// clean-up calls it. (Expiry holds by time alone whether or not this has
// run: no invitation past its time is shown or accepted.) It checks no
// caller.
func (db *DB) ExpireInvitations(ctx context.Context) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.expireInvitations(ctx, `1 = 1`)
		return err
	})
	return n, err
}

// invitationPayload is the payload of an invitation_email job: the id only.
func invitationPayload(id int64) string { return fmt.Sprintf(`{"invitation_id":%d}`, id) }

// InvitationEmail is what the worker needs to write a new colleague's
// invitation email: no client's data, only the client's reference.
type InvitationEmail struct {
	InvitationID int64
	ClientID     int64
	To           string
	InviterName  string
	AgencyName   string // the inviter's agency as the public sees it
	HasMessage   bool
	NeedsAccess  bool // no agency takes sign-ups from the address's domain
	Nonce        string
	ExpiresAt    time.Time
	Live         bool // still pending and unexpired
}

// LoadInvitationEmail reads what the invitation email of the job with this
// payload needs, as of now. It checks no caller: only the worker calls it.
func (db *DB) LoadInvitationEmail(ctx context.Context, payload string) (*InvitationEmail, error) {
	var p struct {
		ID int64 `json:"invitation_id"`
	}
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return nil, fmt.Errorf("sqldb: invitation email payload: %w: %w", err, patchwork.ErrPermanent)
	}
	id := p.ID
	e := &InvitationEmail{InvitationID: id}
	var status string
	var expires int64
	var sensitive bool
	var agency, generic string
	err := db.read.QueryRowContext(ctx, `SELECT i.client_id, i.email, a.name, g.name, g.sensitive, g.generic_label,
		i.message <> '', i.nonce, i.expires_at, i.status
		FROM invitations i JOIN agents a ON a.id = i.inviter_id JOIN agencies g ON g.id = a.agency_id WHERE i.id = $1`, id).
		Scan(&e.ClientID, &e.To, &e.InviterName, &agency, &sensitive, &generic, &e.HasMessage, &e.Nonce, &expires, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqldb: invitation email: no invitation %d: %w", id, patchwork.ErrPermanent)
	} else if err != nil {
		return nil, err
	}
	// An email travels outside Patchwork: a sensitive agency is named by
	// its generic label there, as to anyone outside it.
	e.AgencyName = agency
	if sensitive {
		e.AgencyName = generic
	}
	e.ExpiresAt = fromMicros(expires)
	e.Live = status == patchwork.InvitationPending && e.ExpiresAt.After(db.now())
	known, err := agencyDomainKnown(ctx, db.read, e.To)
	e.NeedsAccess = !known
	return e, err
}
