package patchwork

import "context"

// PasswordService changes and resets passwords. Every new password is
// checked against the policy in docs/security.md (length and the list of
// common passwords); a refused one is EINVALID with a message for the
// "password" field.
type PasswordService interface {
	// ChangePassword sets the caller's password after checking their
	// current one. It needs a signed-in agent (EUNAUTHORIZED otherwise,
	// the system caller included). A wrong current password is EINVALID
	// on the
	// "current_password" field. Every other session of the caller ends
	// (current is the token of the session kept), and the caller is
	// emailed that their password changed.
	ChangePassword(ctx context.Context, currentPassword, newPassword, current string) error

	// RequestPasswordReset emails a reset link to the active agent with
	// this sign-in address. It needs no caller and answers nil whether or
	// not the address belongs to anyone, so that nobody can learn which
	// addresses have accounts; a deactivated agent, or an address asked
	// for too often, gets no email. It returns ETOOMANYREQUEST only when
	// the requesting IP (in ctx) has asked too often, whatever the
	// addresses.
	RequestPasswordReset(ctx context.Context, email string) error

	// CheckPasswordReset reports whether token is a live reset token: not
	// used, not expired, for an active agent. It returns ENOTFOUND
	// otherwise. It needs no caller.
	CheckPasswordReset(ctx context.Context, token string) error

	// ResetPassword sets a new password with a live reset token, which is
	// then used up; every session of the agent ends and the agent is
	// emailed that their password changed. It returns ENOTFOUND for a
	// token that is not live. It needs no caller.
	ResetPassword(ctx context.Context, token, newPassword string) error
}
