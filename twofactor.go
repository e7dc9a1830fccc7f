package patchwork

import (
	"context"
	"time"
)

// Two-factor policies: whom a deployment requires to sign in with a second
// factor (serve --two-factor).
const (
	TwoFactorNobody   = "nobody"
	TwoFactorAdmins   = "admins"
	TwoFactorEveryone = "everyone"
)

// TwoFactorPolicies lists the policies a deployment may choose.
var TwoFactorPolicies = []string{TwoFactorNobody, TwoFactorAdmins, TwoFactorEveryone}

// TwoFactorRequired reports whether policy requires agent a to sign in with
// a second factor.
func TwoFactorRequired(policy string, a *Agent) bool {
	switch policy {
	case TwoFactorEveryone:
		return a != nil
	case TwoFactorAdmins:
		return a != nil && a.Admin
	}
	return false
}

// RecoveryCodeCount is how many one-time recovery codes an enrolment gives.
const RecoveryCodeCount = 10

// TwoFactorStatus is the caller's second factor as the security page shows
// it.
type TwoFactorStatus struct {
	Enabled       bool
	EnabledAt     time.Time
	RecoveryCodes int // unused recovery codes left
}

// TwoFactorEnrolment is an enrolment waiting for its first code: the secret
// (base32, as an authenticator app takes it typed) and the otpauth:// URL
// the QR code carries.
type TwoFactorEnrolment struct {
	Secret string
	URL    string
}

// TwoFactorService sets up, checks and resets the second factor of sign-in
// (time-based one-time codes, RFC 6238, and one-time recovery codes). A code
// is accepted once only: the time step of the last accepted code is stored,
// and a code of that step or an earlier one is refused. Code attempts are
// throttled in the database like passwords (docs/security.md).
type TwoFactorService interface {
	// FindTwoFactor returns the caller's second factor.
	FindTwoFactor(ctx context.Context) (*TwoFactorStatus, error)

	// StartTwoFactor returns the caller's enrolment waiting for its first
	// code, creating one (a new secret) if there is none. ECONFLICT if the
	// caller already has a second factor.
	StartTwoFactor(ctx context.Context) (*TwoFactorEnrolment, error)

	// ConfirmTwoFactor completes the caller's enrolment with a code from
	// the authenticator and returns the recovery codes, which are stored
	// hashed and never shown again. EINVALID on the "code" field for a
	// wrong code, ETOOMANYREQUEST when code attempts are throttled,
	// ECONFLICT if already enrolled, ENOTFOUND if no enrolment was started.
	ConfirmTwoFactor(ctx context.Context, code string) ([]string, error)

	// VerifySignInCode checks the second step of signing in agentID, whose
	// password has just been checked: a current code or an unused recovery
	// code, which is then used up. It needs no caller: the half-signed-in
	// session, which only a correct password creates, stands in for one.
	// It returns EUNAUTHORIZED for a wrong, replayed or used code, an
	// inactive agent or one without a second factor, ETOOMANYREQUEST when
	// code attempts are throttled. recovery says a recovery code was used.
	VerifySignInCode(ctx context.Context, agentID int64, code string) (recovery bool, err error)

	// ResetOwnTwoFactor removes the caller's second factor and recovery
	// codes with one of those recovery codes (for a lost phone), so that
	// they can set it up again. EINVALID on the "code" field for a wrong or
	// used code, ETOOMANYREQUEST when throttled, ENOTFOUND without a second
	// factor. It is audited and the owner is emailed.
	ResetOwnTwoFactor(ctx context.Context, recoveryCode string) error

	// ResetTwoFactor removes another agent's second factor, for an agent
	// who lost both phone and recovery codes, and reports whether there
	// was one (an agent without one is left as they are). Only admins (an
	// area admin for the agents of their districts) and the system caller
	// may call it; other agents get ENOTFOUND, as does an agent missing or
	// out of the admin's reach. A reset is audited and the owner emailed.
	ResetTwoFactor(ctx context.Context, agentID int64) (bool, error)
}

// Audit actions of two-factor sign-in.
const (
	AuditTwoFactorEnable     = "auth.two_factor_enable"
	AuditTwoFactorSignIn     = "auth.two_factor"
	AuditTwoFactorFailed     = "auth.two_factor_failed"
	AuditTwoFactorRecovery   = "auth.two_factor_recovery"
	AuditTwoFactorReset      = "auth.two_factor_reset"
	AuditTwoFactorAdminReset = "admin.two_factor_reset"
)
