package sqldb

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"

	"patchwork"
)

// genesisHash is the prev_hash of the first audit row.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// auditRow is one stored audit row as the chain sees it.
type auditRow struct {
	ID, At, Actor, Client int64
	Action, Detail, IP    string
	PrevHash, Hash        string
}

// auditRowColumns reads an auditRow, in scanRow's order.
const auditRowColumns = `id, at, COALESCE(actor_id, 0), COALESCE(client_id, 0), action, detail, ip, prev_hash, hash`

func (r *auditRow) scan(s interface{ Scan(...any) error }) error {
	return s.Scan(&r.ID, &r.At, &r.Actor, &r.Client, &r.Action, &r.Detail, &r.IP, &r.PrevHash, &r.Hash)
}

// writeFields writes every field that matters, each prefixed with its
// length so that no two rows read the same, starting with the previous
// row's hash: editing, deleting or reordering rows breaks the chain.
func (r *auditRow) writeFields(w io.Writer) {
	for _, s := range []string{r.PrevHash, strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.At, 10),
		strconv.FormatInt(r.Actor, 10), strconv.FormatInt(r.Client, 10), r.Action, r.Detail, r.IP} {
		io.WriteString(w, strconv.Itoa(len(s)))
		io.WriteString(w, ":")
		io.WriteString(w, s)
	}
}

// keyedHash is the hash of every row since keyed hashing began:
// HMAC-SHA256 with the audit key, which is kept outside the database, so
// someone who can write to the database cannot compute it for a row they
// edit, insert or re-chain.
func (r *auditRow) keyedHash(key []byte) string {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, "patchwork audit row v1\n")
	r.writeFields(m)
	return hex.EncodeToString(m.Sum(nil))
}

// unkeyedHash is the plain SHA-256 that rows written before keyed hashing
// (migration 011) carry. Anyone can compute it; those rows are protected
// by the first keyed row, whose hash covers theirs.
func (r *auditRow) unkeyedHash() string {
	h := sha256.New()
	r.writeFields(h)
	return hex.EncodeToString(h.Sum(nil))
}

// lastAuditRow returns the newest audit row, or a zero row if there is none.
func lastAuditRow(ctx context.Context, q querier) (auditRow, error) {
	var r auditRow
	err := r.scan(q.QueryRowContext(ctx, `SELECT `+auditRowColumns+` FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)`))
	if errors.Is(err, sql.ErrNoRows) {
		return auditRow{}, nil
	}
	if err != nil {
		return r, fmt.Errorf("sqldb: read audit head: %w", err)
	}
	return r, nil
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

// auditAs appends one row to the chain. The first row of a transaction
// takes the chain's lock and reads its head; later rows of the same
// transaction (a batch) extend the head the transaction holds.
func (tx *Tx) auditAs(ctx context.Context, actor int64, action string, clientID int64, detail string) error {
	key := tx.db.chain.key
	if key == nil {
		return errNoAuditKey
	}
	if tx.auditHead == nil {
		if l := tx.db.Dialect.LockAudit; l != "" {
			if _, err := tx.ExecContext(ctx, l); err != nil {
				return fmt.Errorf("sqldb: lock audit: %w", err)
			}
		}
		h := &txAuditHead{hash: genesisHash}
		// By the maximum id, not ORDER BY id DESC LIMIT 1: with statistics
		// from when the log was small, SQLite planned that as a scan of an
		// index and a sort of the whole log (200 ms a write at 200,000 rows).
		err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)`).Scan(&h.id, &h.hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqldb: read audit head: %w", err)
		}
		tx.auditHead = h
	}
	h := tx.auditHead
	r := auditRow{ID: h.id + 1, At: micros(tx.now), Actor: actor, Client: clientID, Action: action, Detail: detail,
		IP: patchwork.RequestMetaFromContext(ctx).IP, PrevHash: h.hash}
	r.Hash = r.keyedHash(key)
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (id, at, actor_id, action, client_id, detail, ip, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, r.At, nullID(actor), action, nullID(clientID), detail, r.IP, r.PrevHash, r.Hash)
	if err != nil {
		return fmt.Errorf("sqldb: append audit: %w", err)
	}
	h.id, h.hash = r.ID, r.Hash
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
