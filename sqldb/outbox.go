package sqldb

import (
	"context"
	"encoding/json"
	"fmt"

	"patchwork"
)

// SaveOutboxMessage stores an email in the outbox table, which stands in for
// an SMTP server when none is configured (it implements the mail package's
// OutboxStore).
// A message whose ID is already stored is not stored again, so a job retried
// after a crash leaves one copy.
func (db *DB) SaveOutboxMessage(ctx context.Context, m *patchwork.Email) error {
	h := map[string]string{}
	for k, v := range m.Headers {
		h[k] = v
	}
	if m.From != "" {
		h["From"] = m.From
	}
	headers, err := json.Marshal(h)
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO outbox (job_id, message_id, to_addr, subject, text_body, html_body, headers, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_id) DO NOTHING`,
		nullID(m.JobID), m.ID, m.To, m.Subject, m.Text, m.HTML, string(headers), micros(db.now()))
	if err != nil {
		return fmt.Errorf("sqldb: save outbox message: %w", err)
	}
	return nil
}

// FindOutbox returns the newest messages of the outbox, newest first. It
// checks no caller: it is for tests and tools; the demo's /dev/mail page
// reads FindMyOutbox.
func (db *DB) FindOutbox(ctx context.Context, limit int) ([]*patchwork.Email, error) {
	return db.findOutbox(ctx, limit, "")
}

// FindMyOutbox returns the newest messages of the outbox sent to the
// caller, newest first; admins get every message. The messages say who
// works with which client and carry the recipient's unsubscribe link, so
// nobody else's are shown.
func (db *DB) FindMyOutbox(ctx context.Context, limit int) ([]*patchwork.Email, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if c.Admin {
		return db.findOutbox(ctx, limit, "")
	}
	return db.findOutbox(ctx, limit, c.Email)
}

// findOutbox reads the outbox, only the messages to the address to unless
// it is "".
func (db *DB) findOutbox(ctx context.Context, limit int, to string) ([]*patchwork.Email, error) {
	return db.queryOutbox(ctx, `$1 = '' OR to_addr = $1`, limit, to)
}

// FindSignupOutbox returns the newest messages of the outbox sent to
// addresses that have no account — sign-up links and answers to access
// requests — newest first. It checks no caller: the web layer shows it
// only in demo mode, to whoever is trying the demo's sign-up. An address's
// messages leave it once the address has an account.
func (db *DB) FindSignupOutbox(ctx context.Context, limit int) ([]*patchwork.Email, error) {
	return db.queryOutbox(ctx, `NOT EXISTS (SELECT 1 FROM agents a WHERE a.email = outbox.to_addr)`, limit)
}

// queryOutbox reads the outbox messages matching where, newest first, at
// most limit.
func (db *DB) queryOutbox(ctx context.Context, where string, limit int, args ...any) ([]*patchwork.Email, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT COALESCE(job_id, 0), message_id, to_addr, subject, text_body, html_body,
		headers, created_at FROM outbox WHERE `+where+` ORDER BY id DESC`+limitClause(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*patchwork.Email
	for rows.Next() {
		m := &patchwork.Email{}
		var headers string
		var at int64
		if err := rows.Scan(&m.JobID, &m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, &headers, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(headers), &m.Headers); err != nil {
			return nil, fmt.Errorf("sqldb: outbox headers: %w", err)
		}
		m.From = m.Headers["From"]
		delete(m.Headers, "From")
		m.Date = fromMicros(at)
		out = append(out, m)
	}
	return out, rows.Err()
}
