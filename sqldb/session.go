package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"patchwork"
)

// SessionStore keeps web sessions in the database so that any instance can
// serve any request. It implements scs.CtxStore. Only the SHA-256 of each
// token is stored: a leaked table does not hand out live sessions.
//
// A session is loaded only once Bind has tied it to a signed-in agent. That
// is what makes ending a session final: a request still in flight when its
// session is deleted (by "sign out everywhere else", a new password or a
// deactivation) commits its session data again afterwards, but the row it
// writes belongs to nobody and is never loaded.
type SessionStore struct{ db *DB }

// NewSessionStore returns a SessionStore on db.
func NewSessionStore(db *DB) *SessionStore { return &SessionStore{db: db} }

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// FindCtx returns the data of an unexpired session bound to an agent.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.db.read.QueryRowContext(ctx, `SELECT data FROM sessions
		WHERE token_hash = $1 AND expiry > $2 AND agent_id IS NOT NULL`,
		tokenHash(token), micros(s.db.now())).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return data, err == nil, err
}

// CommitCtx stores session data; the web layer commits a session at most
// once a minute while it is in use, so last_seen is that fresh. A session's
// expiry is set once, by Bind at sign-in, on the store's clock: expiry
// (scs's deadline, read from the system clock when the session began)
// serves only a session not yet bound, which is never loaded, so the two
// clocks are never mixed.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	now := micros(s.db.now())
	_, err := s.db.write.ExecContext(ctx, `INSERT INTO sessions (token_hash, data, expiry, created_at, last_seen)
		VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, last_seen = excluded.last_seen`,
		tokenHash(token), b, micros(expiry), now)
	return err
}

// Bind ties the session with token to the agent who has just signed in,
// with what "Your sessions" shows about it. Call it after the token is
// renewed at sign-in and before the session is committed.
func (s *SessionStore) Bind(ctx context.Context, token string, info patchwork.SessionInfo, expiry time.Time) error {
	now := micros(s.db.now())
	_, err := s.db.write.ExecContext(ctx, `INSERT INTO sessions (token_hash, data, expiry, agent_id, device, browser, area,
		created_at, last_seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
		ON CONFLICT (token_hash) DO UPDATE SET expiry = excluded.expiry, agent_id = excluded.agent_id, device = excluded.device,
			browser = excluded.browser, area = excluded.area, created_at = excluded.created_at, last_seen = excluded.last_seen`,
		tokenHash(token), []byte("{}"), micros(expiry), info.AgentID, info.Device, info.Browser, info.Area, now)
	if err != nil {
		return fmt.Errorf("sqldb: bind session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.db.write.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token))
	return err
}

// Find implements scs.Store.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// DeleteExpired removes expired sessions; the worker calls it periodically.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.db.write.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= $1`, micros(s.db.now()))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// endSessions deletes agentID's sessions except the one whose token hashes
// to keepHash ("" keeps none), inside tx.
func (tx *Tx) endSessions(ctx context.Context, agentID int64, keepHash string) (int, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE agent_id = $1 AND token_hash <> $2`, agentID, keepHash)
	if err != nil {
		return 0, fmt.Errorf("sqldb: end sessions: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// SessionService implements patchwork.SessionService.
type SessionService struct{ db *DB }

// NewSessionService returns a SessionService on db.
func NewSessionService(db *DB) *SessionService { return &SessionService{db: db} }

// FindSessions lists the caller's live sessions; see patchwork.SessionService.
func (s *SessionService) FindSessions(ctx context.Context, current string, idle time.Duration) ([]*patchwork.Session, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	now := s.db.now()
	cur := tokenHash(current)
	list, err := scanAll(ctx, s.db.read, `SELECT token_hash, device, browser, area, created_at, last_seen FROM sessions
		WHERE agent_id = $1 AND expiry > $2 AND last_seen > $3 ORDER BY last_seen DESC, created_at DESC`,
		func(sc interface{ Scan(...any) error }) (*patchwork.Session, error) {
			var hash string
			var created, seen int64
			x := &patchwork.Session{}
			if err := sc.Scan(&hash, &x.Device, &x.Browser, &x.Area, &created, &seen); err != nil {
				return nil, err
			}
			x.ID, x.Current = hash[:16], hash == cur
			x.SignedInAt, x.LastSeen = fromMicros(created), fromMicros(seen)
			return x, nil
		}, c.ID, micros(now), micros(now.Add(-idle)))
	if err != nil {
		return nil, err
	}
	// The current session comes first, whatever its last request.
	sort.SliceStable(list, func(i, j int) bool { return list[i].Current && !list[j].Current })
	return list, nil
}

// EndOtherSessions signs the caller out everywhere else; see
// patchwork.SessionService.
func (s *SessionService) EndOtherSessions(ctx context.Context, current string) (int, error) {
	c, err := caller(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if n, err = tx.endSessions(ctx, c.ID, tokenHash(current)); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditSessionsEnded, 0, fmt.Sprintf("ended=%d", n))
	})
	return n, err
}
