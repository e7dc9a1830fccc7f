package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"patchwork"
)

// genesisHash is the prev_hash of the first audit row.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// auditHash chains a row to its predecessor. Every field that matters is in
// the hash, so editing any of them, or deleting or reordering rows, breaks
// the chain for `patchwork audit verify`.
func auditHash(prev string, id, at, actor, client int64, action, detail, ip string) string {
	h := sha256.New()
	for _, s := range []string{prev, strconv.FormatInt(id, 10), strconv.FormatInt(at, 10),
		strconv.FormatInt(actor, 10), strconv.FormatInt(client, 10), action, detail, ip} {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// audit appends one event to the audit log inside tx. Detail must never hold
// client data values (names, dates of birth, addresses, phones).
func (tx *Tx) audit(ctx context.Context, action string, clientID int64, detail string) error {
	var actor int64
	if a := patchwork.CallerFromContext(ctx); a != nil {
		actor = a.ID
	}
	return tx.auditAs(ctx, actor, action, clientID, detail)
}

func (tx *Tx) auditAs(ctx context.Context, actor int64, action string, clientID int64, detail string) error {
	if l := tx.db.Dialect.LockAudit; l != "" {
		if _, err := tx.ExecContext(ctx, l); err != nil {
			return fmt.Errorf("sqldb: lock audit: %w", err)
		}
	}
	var lastID int64
	prev := genesisHash
	err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&lastID, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqldb: read audit head: %w", err)
	}
	id := lastID + 1
	at := micros(tx.now)
	ip := patchwork.RequestMetaFromContext(ctx).IP
	hash := auditHash(prev, id, at, actor, clientID, action, detail, ip)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_events (id, at, actor_id, action, client_id, detail, ip, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id, at, nullID(actor), action, nullID(clientID), detail, ip, prev, hash)
	if err != nil {
		return fmt.Errorf("sqldb: append audit: %w", err)
	}
	return nil
}

// nullID stores 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// AuditService implements patchwork.AuditService.
type AuditService struct{ db *DB }

// NewAuditService returns an AuditService on db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

// VerifyAudit walks the chain in id order and reports the first broken row.
func (s *AuditService) VerifyAudit(ctx context.Context) (int, error) {
	if _, err := administrator(ctx); err != nil {
		return 0, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, at, COALESCE(actor_id, 0), action, COALESCE(client_id, 0),
		detail, ip, prev_hash, hash FROM audit_events ORDER BY id`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	prev, want, n := genesisHash, int64(1), 0
	for rows.Next() {
		var e patchwork.AuditEvent
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Action, &e.ClientID, &e.Detail, &e.IP, &e.PrevHash, &e.Hash); err != nil {
			return n, err
		}
		switch {
		case e.ID != want:
			return n, fmt.Errorf("audit: row %d is missing (next row is %d)", want, e.ID)
		case e.PrevHash != prev:
			return n, fmt.Errorf("audit: row %d does not follow row %d", e.ID, e.ID-1)
		case auditHash(prev, e.ID, at, e.ActorID, e.ClientID, e.Action, e.Detail, e.IP) != e.Hash:
			return n, fmt.Errorf("audit: row %d was altered", e.ID)
		}
		prev, want, n = e.Hash, want+1, n+1
	}
	return n, rows.Err()
}

// FindAuditForClient lists every audit event about a client, oldest first.
// Reading it is itself an audited admin action.
func (s *AuditService) FindAuditForClient(ctx context.Context, clientID int64) ([]*patchwork.AuditEvent, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	var out []*patchwork.AuditEvent
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.audit(ctx, patchwork.AuditClientAudit, clientID, ""); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, at, COALESCE(actor_id, 0), action, detail, ip FROM audit_events
			WHERE client_id = $1 ORDER BY id`, clientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := &patchwork.AuditEvent{ClientID: clientID}
			var at int64
			if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Action, &e.Detail, &e.IP); err != nil {
				return err
			}
			e.At = fromMicros(at)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
