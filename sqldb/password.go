package sqldb

import (
	"context"
	"errors"

	"patchwork"
	"patchwork/password"
)

// ChangePassword sets the caller's password; see patchwork.PasswordService.
// A wrong current password counts as a failed sign-in, so a stolen session
// cannot be used to guess it faster than the sign-in page allows.
func (s *PasswordService) ChangePassword(ctx context.Context, currentPassword, newPassword, current string) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	ip := patchwork.RequestMetaFromContext(ctx).IP
	// Counted before the check, as a sign-in is (see Authenticate).
	if reserved, err := s.db.reserveSignIn(ctx, c.Email, ip); err != nil {
		return err
	} else if !reserved {
		return patchwork.Errorf(patchwork.ETOOMANYREQUEST,
			"Too many wrong passwords. Wait 15 minutes and try again.")
	}
	var hash string
	if err := s.db.read.QueryRowContext(ctx, `SELECT password_hash FROM agents WHERE id = $1`, c.ID).Scan(&hash); err != nil {
		return err
	}
	if err := password.Verify(ctx, currentPassword, hash); err != nil {
		if !errors.Is(err, password.ErrMismatch) {
			return err
		}
		// The reserved slots stay taken: they are this failure.
		return patchwork.Invalid(map[string]string{"current_password": "Your current password is not correct"})
	}
	// The right current password is no guess, whatever becomes of the new
	// one.
	if err := s.db.inTx(ctx, func(tx *Tx) error { return tx.releaseSignIn(ctx, c.Email, ip) }); err != nil {
		return err
	}
	if err := password.Check(newPassword, c.Email); err != nil {
		return patchwork.Invalid(map[string]string{"password": password.Message(err)})
	}
	newHash, err := password.Hash(ctx, newPassword)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.setPassword(ctx, c.ID, newHash, tokenHash(current)); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditPasswordChange, 0, "")
	})
}
