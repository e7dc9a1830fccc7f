package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"patchwork"
)

// NotificationPrefsService implements patchwork.NotificationPrefsService.
type NotificationPrefsService struct {
	db     *DB
	secret []byte
}

// NewNotificationPrefsService returns a NotificationPrefsService on db that
// checks unsubscribe tokens signed with the deployment secret.
func NewNotificationPrefsService(db *DB, secret []byte) *NotificationPrefsService {
	return &NotificationPrefsService{db: db, secret: secret}
}

// notificationPrefs returns agentID's mode for every kind, defaults filled in.
func notificationPrefs(ctx context.Context, q querier, agentID int64) (patchwork.NotificationPrefs, error) {
	p := patchwork.NotificationPrefs{}
	for _, k := range patchwork.NotificationKinds {
		p[k.Kind] = k.Default
	}
	rows, err := q.QueryContext(ctx, `SELECT kind, mode FROM notification_prefs WHERE agent_id = $1`, agentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, mode string
		if err := rows.Scan(&kind, &mode); err != nil {
			return nil, err
		}
		if _, known := p[kind]; known {
			p[kind] = mode
		}
	}
	return p, rows.Err()
}

// setNotificationPrefs stores modes for agentID inside tx.
func (tx *Tx) setNotificationPrefs(ctx context.Context, agentID int64, prefs map[string]string) error {
	for kind, mode := range prefs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notification_prefs (agent_id, kind, mode, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (agent_id, kind) DO UPDATE SET mode = excluded.mode, updated_at = excluded.updated_at`,
			agentID, kind, mode, micros(tx.now)); err != nil {
			return fmt.Errorf("sqldb: set notification prefs: %w", err)
		}
	}
	return nil
}

// prefsDetail describes a change of preferences for the audit log, in a
// stable order.
func prefsDetail(prefs map[string]string) string {
	parts := make([]string, 0, len(prefs))
	for k, v := range prefs {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// FindNotificationPrefs returns the caller's modes; see
// patchwork.NotificationPrefsService.
func (s *NotificationPrefsService) FindNotificationPrefs(ctx context.Context) (patchwork.NotificationPrefs, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return notificationPrefs(ctx, s.db.read, c.ID)
}

// UpdateNotificationPrefs changes the caller's modes; see
// patchwork.NotificationPrefsService.
func (s *NotificationPrefsService) UpdateNotificationPrefs(ctx context.Context, prefs map[string]string) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	if err := patchwork.NotificationPrefs(prefs).Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.setNotificationPrefs(ctx, c.ID, prefs); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditNotificationPrefs, 0, prefsDetail(prefs))
	})
}

// CheckUnsubscribe returns the kinds a token would stop; see
// patchwork.NotificationPrefsService.
func (s *NotificationPrefsService) CheckUnsubscribe(ctx context.Context, token string) (*patchwork.Unsubscription, error) {
	agentID, kinds, err := patchwork.ParseUnsubscribeToken(s.secret, token, s.db.now())
	if err != nil {
		return nil, err
	}
	u := &patchwork.Unsubscription{Kinds: kinds}
	err = s.db.read.QueryRowContext(ctx, `SELECT email FROM agents WHERE id = $1`, agentID).Scan(&u.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, patchwork.ErrBadUnsubscribeToken
	}
	if err != nil {
		return nil, fmt.Errorf("sqldb: unsubscribe account: %w", err)
	}
	return u, nil
}

// Unsubscribe applies a one-click unsubscribe token; see
// patchwork.NotificationPrefsService. The change is audited as the agent the
// token names, since nobody is signed in.
func (s *NotificationPrefsService) Unsubscribe(ctx context.Context, token string) ([]string, error) {
	agentID, kinds, err := patchwork.ParseUnsubscribeToken(s.secret, token, s.db.now())
	if err != nil {
		return nil, err
	}
	prefs := map[string]string{}
	for _, k := range kinds {
		prefs[k] = patchwork.NotifyNever
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE id = $1`, agentID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return patchwork.ErrBadUnsubscribeToken
		}
		if err := tx.setNotificationPrefs(ctx, agentID, prefs); err != nil {
			return err
		}
		return tx.auditAs(ctx, agentID, patchwork.AuditUnsubscribe, 0, prefsDetail(prefs))
	})
	if err != nil {
		return nil, err
	}
	return kinds, nil
}
