package sqldb

import (
	"context"
	"strings"
	"time"
)

// Sign-in throttling limits. They are counted in the database so that they
// hold across instances and restarts.
const (
	throttleWindow     = 15 * time.Minute
	maxAccountFailures = 5
	maxAddressFailures = 50
)

func accountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }
func addressKey(ip string) string    { return "address:" + ip }

// throttled reports whether sign-in for email from ip is currently refused.
func (db *DB) throttled(ctx context.Context, email, ip string) (bool, error) {
	since := micros(db.now().Add(-throttleWindow))
	var acct, addr int
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at > $3),
		(SELECT COUNT(*) FROM login_failures WHERE key = $2 AND at > $3)`,
		accountKey(email), addressKey(ip), since).Scan(&acct, &addr)
	if err != nil {
		return false, err
	}
	return acct >= maxAccountFailures || (ip != "" && addr >= maxAddressFailures), nil
}

// recordFailure counts a failed sign-in against the account and the address.
func (tx *Tx) recordFailure(ctx context.Context, email, ip string) error {
	at := micros(tx.now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, accountKey(email), at); err != nil {
		return err
	}
	if ip != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, addressKey(ip), at); err != nil {
			return err
		}
	}
	// Old rows are useless once outside the window; trimming here keeps the
	// table small without a separate job.
	_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, micros(tx.now.Add(-2*throttleWindow)))
	return err
}

// clearAccountFailures forgets an account's failures after a good sign-in.
func (tx *Tx) clearAccountFailures(ctx context.Context, email string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, accountKey(email))
	return err
}
