package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Sign-in throttling limits. They are counted in the database so that they
// hold across instances and restarts.
const (
	throttleWindow     = 15 * time.Minute
	maxAccountAttempts = 5
	maxAddressAttempts = 50
)

func accountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }
func addressKey(ip string) string    { return "address:" + ip }

// errThrottled rolls back a reservation that one of its keys refused.
var errThrottled = errors.New("sqldb: sign-in throttled")

// reserveAttempt is one statement that counts an attempt against key and
// refuses it once max attempts fall in the current window: it returns no
// row when refused. Both databases run an upsert on one row atomically
// (PostgreSQL locks the row until the transaction ends), so however many
// attempts arrive together, at most max are ever let through.
const reserveAttempt = `INSERT INTO login_attempts (key, window_start, n) VALUES ($1, $2, 1)
	ON CONFLICT (key) DO UPDATE SET
		n = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.n + 1 END,
		window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END
	WHERE login_attempts.window_start <= $3 OR login_attempts.n < $4
	RETURNING n`

// reserveSignIn takes a slot for one sign-in attempt for email from ip,
// before the password is checked, and reports whether it got one: false
// means the account or the address has used up its attempts for the
// window. An attempt keeps its slot unless releaseSignIn gives it back;
// unknown emails are counted exactly like known ones, so the answer says
// nothing about which accounts exist.
func (db *DB) reserveSignIn(ctx context.Context, email, ip string) (bool, error) {
	keys := []throttleKey{{accountKey(email), maxAccountAttempts}}
	if ip != "" {
		keys = append(keys, throttleKey{addressKey(ip), maxAddressAttempts})
	}
	return db.reserve(ctx, keys)
}

// throttleKey is one count an attempt is held to: at most max a window.
type throttleKey struct {
	key string
	max int
}

// reserve takes a slot under every key, in one transaction, and reports
// whether it got them all (see reserveAttempt). Keys are locked in the
// order given: callers put the account before the address, so
// transactions that lock in the same order cannot deadlock.
func (db *DB) reserve(ctx context.Context, keys []throttleKey) (bool, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		now := tx.now
		for _, k := range keys {
			var n int
			err := tx.QueryRowContext(ctx, reserveAttempt, k.key, micros(now), micros(now.Add(-throttleWindow)), k.max).Scan(&n)
			if errors.Is(err, sql.ErrNoRows) {
				return errThrottled
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errThrottled) {
		return false, nil
	}
	return err == nil, err
}

// releaseSignIn gives back the slots of a good sign-in: the account's
// count starts again (its earlier failures are forgotten, as a reset
// password would make them moot), and the address gets its one slot back,
// since a good sign-in is no guess.
func (tx *Tx) releaseSignIn(ctx context.Context, email, ip string) error {
	if err := tx.clearAccountAttempts(ctx, email); err != nil {
		return err
	}
	if ip == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE login_attempts SET n = n - 1 WHERE key = $1 AND n > 0`, addressKey(ip))
	return err
}

// clearAccountAttempts forgets an account's attempts: after a good sign-in
// or a password reset, whoever was guessing is no longer in the owner's way.
func (tx *Tx) clearAccountAttempts(ctx context.Context, email string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE key = $1`, accountKey(email))
	return err
}

// PurgeLoginAttempts deletes the counts of windows that have ended; the
// worker's hourly clean-up calls it.
func (db *DB) PurgeLoginAttempts(ctx context.Context) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM login_attempts WHERE window_start < $1`,
		micros(db.now().Add(-throttleWindow)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// requestWindow is a limit on emailed requests (password resets, sign-ups):
// the rows of table (key, at) within Window, per address and per network
// address, PerIP of them at most from one network address. Parallel
// requests take turns under the transaction lock Lock on PostgreSQL, so
// they cannot all count below the limit; SQLite's single writer already
// serialises them.
type requestWindow struct {
	Table  string
	Lock   int32
	Window time.Duration
	PerIP  int
}

// countRequest counts a request from ip for addressKey in tx: it returns
// how many requests for the address fell in the window before this one,
// and limited when the network address has made PerIP already (then
// nothing is recorded). Rows older than two windows are trimmed here,
// which keeps the table small without a separate job.
func (tx *Tx) countRequest(ctx context.Context, w requestWindow, addressKey, ipKey, ip string) (byAddress int, limited bool, err error) {
	if tx.db.Dialect.Name == "postgres" {
		if _, err := tx.ExecContext(ctx, advisory("pg_advisory_xact_lock"), w.Lock); err != nil {
			return 0, false, err
		}
	}
	var byIP int
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM `+w.Table+` WHERE key = $1 AND at > $3),
		(SELECT COUNT(*) FROM `+w.Table+` WHERE key = $2 AND at > $3)`,
		addressKey, ipKey, micros(tx.now.Add(-w.Window))).Scan(&byAddress, &byIP); err != nil {
		return 0, false, err
	}
	if ip != "" && byIP >= w.PerIP {
		return byAddress, true, nil
	}
	for _, key := range []string{addressKey, ipKey} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+w.Table+` (key, at) VALUES ($1, $2)`, key, micros(tx.now)); err != nil {
			return 0, false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+w.Table+` WHERE at < $1`, micros(tx.now.Add(-2*w.Window))); err != nil {
		return 0, false, err
	}
	return byAddress, false, nil
}
