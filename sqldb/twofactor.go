package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"patchwork"
)

// TwoFactorService implements patchwork.TwoFactorService.
type TwoFactorService struct{ db *DB }

// NewTwoFactorService returns a TwoFactorService on db.
func NewTwoFactorService(db *DB) *TwoFactorService { return &TwoFactorService{db: db} }

// TOTP parameters: those every authenticator app assumes (RFC 6238's
// defaults), a code accepted one step either side of now for clock drift.
const (
	totpPeriod   = 30
	totpSkew     = 1
	totpIssuer   = "Patchwork"
	totpDigits   = otp.DigitsSix
	maxCodeTries = 5 // code attempts per agent in a throttle window
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

func codeKey(agentID int64) string { return "code:" + strconv.FormatInt(agentID, 10) }

var errCodeThrottled = patchwork.Errorf(patchwork.ETOOMANYREQUEST,
	"Too many wrong codes. Wait 15 minutes and try again.")

// reserveCode takes a slot for one code attempt by agentID from the request's
// address, before the code is checked, exactly as a password attempt is
// (see reserveSignIn): however many codes arrive at once, at most
// maxCodeTries a window are checked.
func (db *DB) reserveCode(ctx context.Context, agentID int64) error {
	keys := []throttleKey{{codeKey(agentID), maxCodeTries}}
	if ip := patchwork.RequestMetaFromContext(ctx).IP; ip != "" {
		keys = append(keys, throttleKey{addressKey(ip), maxAddressAttempts})
	}
	ok, err := db.reserve(ctx, keys)
	if err != nil {
		return err
	}
	if !ok {
		return errCodeThrottled
	}
	return nil
}

// releaseCode gives back the slots of a right code.
func (tx *Tx) releaseCode(ctx context.Context, agentID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE key = $1`, codeKey(agentID)); err != nil {
		return err
	}
	if ip := patchwork.RequestMetaFromContext(ctx).IP; ip != "" {
		_, err := tx.ExecContext(ctx, `UPDATE login_attempts SET n = n - 1 WHERE key = $1 AND n > 0`, addressKey(ip))
		return err
	}
	return nil
}

// cleanCode drops the spaces and hyphens people type or paste into a code.
func cleanCode(code string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, code))
}

func isTOTPCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// matchStep returns the time step, within the skew around now, whose code is
// code, or 0.
func matchStep(secret, code string, now time.Time) (int64, error) {
	cur := now.Unix() / totpPeriod
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0).UTC(), totpOpts)
		if err != nil {
			return 0, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, nil
		}
	}
	return 0, nil
}

// acceptCode accepts code for agentID if it is a current code of a later
// time step than the last one accepted, recording its step: a conditional
// update, so that of two requests racing with one code only one wins, and
// a code never works twice.
func (tx *Tx) acceptCode(ctx context.Context, agentID int64, secret, code string) (bool, error) {
	step, err := matchStep(secret, code, tx.now)
	if err != nil || step == 0 {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE two_factor SET last_step = $1 WHERE agent_id = $2 AND last_step < $1`, step, agentID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// useRecoveryCode uses up one of agentID's unused recovery codes.
func (tx *Tx) useRecoveryCode(ctx context.Context, agentID int64, code string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1
		WHERE agent_id = $2 AND code_hash = $3 AND used_at IS NULL`, micros(tx.now), agentID, recoveryHash(code))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func recoveryHash(code string) string {
	sum := sha256.Sum256([]byte("recovery|" + cleanCode(code)))
	return hex.EncodeToString(sum[:])
}

// newRecoveryCodes returns RecoveryCodeCount random codes of 10 base32
// letters and digits (50 bits each), written as two groups of five.
func newRecoveryCodes() ([]string, error) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	codes := make([]string, patchwork.RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		s := strings.ToLower(enc.EncodeToString(b))[:10]
		codes[i] = s[:5] + "-" + s[5:]
	}
	return codes, nil
}

// twoFactorRow is an agent's stored second factor.
type twoFactorRow struct {
	secret    string // decrypted
	confirmed bool
	at        time.Time
}

func (db *DB) loadTwoFactor(ctx context.Context, q querier, agentID int64) (*twoFactorRow, error) {
	var sealed string
	var confirmed sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT secret, confirmed_at FROM two_factor WHERE agent_id = $1`, agentID).
		Scan(&sealed, &confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	secret, err := db.openSecret(agentID, sealed)
	if err != nil {
		return nil, err
	}
	return &twoFactorRow{secret: secret, confirmed: confirmed.Valid, at: fromMicros(confirmed.Int64)}, nil
}

// hasTwoFactor reports whether agentID signs in with a second factor.
func (db *DB) hasTwoFactor(ctx context.Context, q querier, agentID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM two_factor WHERE agent_id = $1 AND confirmed_at IS NOT NULL`, agentID).Scan(&n)
	return n > 0, err
}

// FindTwoFactor returns the caller's second factor.
func (s *TwoFactorService) FindTwoFactor(ctx context.Context) (*patchwork.TwoFactorStatus, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	st := &patchwork.TwoFactorStatus{}
	var confirmed sql.NullInt64
	err = s.db.read.QueryRowContext(ctx, `SELECT confirmed_at FROM two_factor WHERE agent_id = $1`, c.ID).Scan(&confirmed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if !confirmed.Valid {
		return st, nil
	}
	st.Enabled, st.EnabledAt = true, fromMicros(confirmed.Int64)
	err = s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE agent_id = $1 AND used_at IS NULL`,
		c.ID).Scan(&st.RecoveryCodes)
	return st, err
}

// StartTwoFactor returns the caller's pending enrolment, creating one.
func (s *TwoFactorService) StartTwoFactor(ctx context.Context) (*patchwork.TwoFactorEnrolment, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var out *patchwork.TwoFactorEnrolment
	err = s.db.inTx(ctx, func(tx *Tx) error {
		row, err := s.db.loadTwoFactor(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if row != nil && row.confirmed {
			return patchwork.Errorf(patchwork.ECONFLICT, "Two-factor sign-in is already set up.")
		}
		if row == nil {
			key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: c.Email, Period: totpPeriod,
				Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
			if err != nil {
				return err
			}
			sealed, err := s.db.sealSecret(c.ID, key.Secret())
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO two_factor (agent_id, secret, created_at) VALUES ($1, $2, $3)`,
				c.ID, sealed, micros(tx.now)); err != nil {
				return err
			}
			row = &twoFactorRow{secret: key.Secret()}
		}
		out = &patchwork.TwoFactorEnrolment{Secret: row.secret, URL: otpauthURL(c.Email, row.secret)}
		return nil
	})
	return out, err
}

// otpauthURL is the key URI authenticator apps read from the QR code
// (the format of Google Authenticator's "Key Uri Format").
func otpauthURL(account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", totpIssuer)
	v.Set("period", strconv.Itoa(totpPeriod))
	v.Set("digits", "6")
	v.Set("algorithm", "SHA1")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + account, RawQuery: v.Encode()}
	return u.String()
}

// ConfirmTwoFactor completes the caller's enrolment.
func (s *TwoFactorService) ConfirmTwoFactor(ctx context.Context, code string) ([]string, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	code = cleanCode(code)
	if !isTOTPCode(code) {
		return nil, patchwork.Invalid(map[string]string{"code": "Enter the 6-digit code your authenticator app shows"})
	}
	if err := s.db.reserveCode(ctx, c.ID); err != nil {
		return nil, err
	}
	codes, err := newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		row, err := s.db.loadTwoFactor(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		switch {
		case row == nil:
			return patchwork.ErrNotFound
		case row.confirmed:
			return patchwork.Errorf(patchwork.ECONFLICT, "Two-factor sign-in is already set up.")
		}
		ok, err := tx.acceptCode(ctx, c.ID, row.secret, code)
		if err != nil {
			return err
		}
		if !ok {
			return patchwork.Invalid(map[string]string{"code": "The code is not correct. Enter the code your authenticator app shows now"})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE two_factor SET confirmed_at = $1 WHERE agent_id = $2`, micros(tx.now), c.ID); err != nil {
			return err
		}
		if err := tx.replaceRecoveryCodes(ctx, c.ID, codes); err != nil {
			return err
		}
		if err := tx.releaseCode(ctx, c.ID); err != nil {
			return err
		}
		if err := tx.enqueueAccountEmail(ctx, AccountEmailTwoFactorOn, c.ID, 0); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditTwoFactorEnable, 0, "")
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

func (tx *Tx) replaceRecoveryCodes(ctx context.Context, agentID int64, codes []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE agent_id = $1`, agentID); err != nil {
		return err
	}
	for _, code := range codes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (agent_id, code_hash) VALUES ($1, $2)`,
			agentID, recoveryHash(code)); err != nil {
			return err
		}
	}
	return nil
}

// VerifySignInCode checks the second step of a sign-in.
func (s *TwoFactorService) VerifySignInCode(ctx context.Context, agentID int64, code string) (bool, error) {
	bad := patchwork.Errorf(patchwork.EUNAUTHORIZED, "The code is not correct. Enter the code your authenticator app shows now, or a recovery code")
	code = cleanCode(code)
	if !patchwork.ValidText(code) || len(code) > 64 {
		return false, bad
	}
	if err := s.db.reserveCode(ctx, agentID); err != nil {
		return false, err
	}
	ok, recovery := false, false
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var active bool
		err := tx.QueryRowContext(ctx, `SELECT active FROM agents WHERE id = $1`, agentID).Scan(&active)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		row, err := s.db.loadTwoFactor(ctx, tx, agentID)
		if err != nil {
			return err
		}
		if active && row != nil && row.confirmed {
			if isTOTPCode(code) {
				ok, err = tx.acceptCode(ctx, agentID, row.secret, code)
			} else {
				ok, err = tx.useRecoveryCode(ctx, agentID, code)
				recovery = ok
			}
			if err != nil {
				return err
			}
		}
		if !ok {
			// The reserved slots stay taken: they are this failure.
			if active && row != nil && row.confirmed {
				if err := tx.noticeCodeLockout(ctx, agentID); err != nil {
					return err
				}
			}
			return tx.auditAs(ctx, agentID, patchwork.AuditTwoFactorFailed, 0, "")
		}
		if err := tx.releaseCode(ctx, agentID); err != nil {
			return err
		}
		action := patchwork.AuditTwoFactorSignIn
		if recovery {
			action = patchwork.AuditTwoFactorRecovery
		}
		return tx.auditAs(ctx, agentID, action, 0, "")
	})
	if err != nil {
		return false, err
	}
	if !ok {
		return false, bad
	}
	return recovery, nil
}

// ResetOwnTwoFactor removes the caller's second factor with a recovery code.
func (s *TwoFactorService) ResetOwnTwoFactor(ctx context.Context, recoveryCode string) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	code := cleanCode(recoveryCode)
	if code == "" || !patchwork.ValidText(code) || len(code) > 64 {
		return patchwork.Invalid(map[string]string{"code": "Enter one of your recovery codes"})
	}
	if err := s.db.reserveCode(ctx, c.ID); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		on, err := s.db.hasTwoFactor(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if !on {
			return patchwork.ErrNotFound
		}
		ok, err := tx.useRecoveryCode(ctx, c.ID, code)
		if err != nil {
			return err
		}
		if !ok {
			return patchwork.Invalid(map[string]string{"code": "The recovery code is not correct, or it has been used"})
		}
		if err := tx.removeTwoFactor(ctx, c.ID); err != nil {
			return err
		}
		if err := tx.releaseCode(ctx, c.ID); err != nil {
			return err
		}
		if err := tx.enqueueAccountEmail(ctx, AccountEmailTwoFactorReset, c.ID, 0); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditTwoFactorReset, 0, "")
	})
}

// ResetTwoFactor removes the second factor of an agent in the admin's
// reach: a system admin's, or an area admin's for the agents of their
// districts (as for deactivation).
func (s *TwoFactorService) ResetTwoFactor(ctx context.Context, agentID int64) (bool, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return false, err
	}
	reset := false
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if err := r.requireAgent(ctx, tx, agentID); err != nil {
			return err
		}
		on, err := s.db.hasTwoFactor(ctx, tx, agentID)
		if err != nil || !on {
			return err
		}
		if err := tx.removeTwoFactor(ctx, agentID); err != nil {
			return err
		}
		if err := tx.enqueueAccountEmail(ctx, AccountEmailTwoFactorAdminReset, agentID, 0); err != nil {
			return err
		}
		reset = true
		return tx.audit(ctx, patchwork.AuditTwoFactorAdminReset, 0, fmt.Sprintf("agent=%d", agentID))
	})
	return reset, err
}

func (tx *Tx) removeTwoFactor(ctx context.Context, agentID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE agent_id = $1`, agentID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM two_factor WHERE agent_id = $1`, agentID)
	return err
}
