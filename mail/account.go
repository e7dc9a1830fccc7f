package mail

import (
	"bytes"
	"fmt"
	"time"
)

// Paths of the pages account emails link to; they work signed out.
const (
	ForgotPasswordPath = "/password/forgot"
	ResetPasswordPath  = "/password/reset"
	AlertsPath         = "/admin/alerts" // behind sign-in, for admins
	// AccessRequestsPath lists the access requests waiting for a decision
	// (behind sign-in, for system admins).
	AccessRequestsPath = "/admin/access-requests"
	SignInPath         = "/login"
	SignupVerifyPath   = "/signup/verify"
)

// Kinds of AccountNotice (the same words as the store's account email kinds).
const (
	AccountReset           = "password_reset"
	AccountPasswordChanged = "password_changed"
	AccountLockout         = "lockout"
	AccountAuditAlert      = "audit_alert"
	AccountTwoFactorOn     = "two_factor_on"
	AccountTwoFactorReset  = "two_factor_reset"
	// AccountTwoFactorAdminReset: an administrator reset the recipient's
	// two-factor sign-in.
	AccountTwoFactorAdminReset = "two_factor_admin_reset"
	// AccountCodeLockout: wrong two-factor codes after a right password
	// paused sign-in.
	AccountCodeLockout  = "code_lockout"
	AccountSignupExists = "signup_exists"
	// AccountUnusualAccess: an unusual-access alert was opened (to admins).
	AccountUnusualAccess = "unusual_access"
	// AccountInactivity: the recipient has not signed in for a long time
	// and will be deactivated unless they do.
	AccountInactivity = "inactivity_warning"
	// AccountInvitation: an administrator made the recipient's account
	// (a bulk import); the link chooses its first password.
	AccountInvitation = "account_invitation"
	// AccountAccessRequest tells a system admin that access requests
	// wait for a decision.
	AccountAccessRequest = "access_request"
)

// SecuritySettingsPath is where an agent sets up two-factor sign-in.
const SecuritySettingsPath = "/settings/security"

// AccountNotice is an email about the recipient's own account. It names
// the recipient and nothing else: no client, no other agent.
type AccountNotice struct {
	Kind          string
	To            string
	RecipientName string
	ResetToken    string        // for AccountReset and AccountInvitation: the token the link carries
	Expires       time.Time     // for AccountReset and AccountInvitation: when the link stops working
	At            time.Time     // when it happened (the password changed, sign-in was paused)
	LockedFor     time.Duration // for AccountLockout: how long sign-in is paused
	AlertKind     string        // for AccountUnusualAccess: the alert's kind (patchwork.Alert…)
	AlertDay      time.Time     // for AccountUnusualAccess: the day the pattern was seen on
	Deadline      time.Time     // for AccountInactivity: when the account will be deactivated
}

// alertPatterns says in an email what each kind of unusual-access alert
// saw, without naming the agent or any client.
var alertPatterns = map[string]string{
	"team_churn":    "an agent joined and then left many client teams",
	"outside_views": "an agent viewed many clients outside the districts of their areas",
	"search_volume": "an agent searched far more than the other agents",
}

type accountView struct {
	Subject, Heading, Name string
	Paras                  []string
	LinkURL, LinkText      string
	After                  []string
	Footer                 string // "" for the account-security footer
}

// RenderAccount builds the message for an account notice, with a plain-text
// and an HTML part. It carries no unsubscribe link: these emails are about
// the account's security and cannot be turned off. The caller sets the ID.
func (r *Renderer) RenderAccount(n *AccountNotice) (*Message, error) {
	v := &accountView{Name: n.RecipientName}
	when := func(t time.Time) string { return t.In(r.loc).Format("15:04 on Monday 2 January") }
	forgot := r.baseURL + ForgotPasswordPath
	switch n.Kind {
	case AccountReset:
		if n.ResetToken == "" {
			return nil, fmt.Errorf("mail: reset notice without a token")
		}
		v.Subject = "Reset your Patchwork password"
		v.Paras = []string{"Someone asked to reset the password of your Patchwork account, " + n.To + ".",
			"Use this link to choose a new password. It works once, until " + when(n.Expires) + "."}
		v.LinkURL, v.LinkText = r.baseURL+ResetPasswordPath+"?token="+n.ResetToken, "Choose a new password"
		v.After = []string{"If you did not ask to reset your password, ignore this email. Your password has not changed, " +
			"and nobody can change it without this link."}
	case AccountInvitation:
		if n.ResetToken == "" {
			return nil, fmt.Errorf("mail: invitation notice without a token")
		}
		v.Subject = "Your Patchwork account is ready"
		v.Paras = []string{"Your Patchwork administrator has made you an account, " + n.To + ", to work with colleagues " +
			"from other agencies on the clients you share.",
			"Use this link to choose your password. It works once, until " + when(n.Expires) + "."}
		v.LinkURL, v.LinkText = r.baseURL+ResetPasswordPath+"?token="+n.ResetToken, "Choose your password"
		v.After = []string{"If the link has stopped working, ask for a new one: " + forgot,
			"If you did not expect this email, tell your Patchwork administrator."}
	case AccountPasswordChanged:
		v.Subject = "Your Patchwork password was changed"
		v.Paras = []string{"The password of your Patchwork account, " + n.To + ", was changed at " + when(n.At) + ".",
			"Everywhere else you were signed in has been signed out."}
		v.After = []string{"If you did not change it, reset your password now and tell your Patchwork administrator: " + forgot}
	case AccountLockout:
		v.Subject = "Sign-in to your Patchwork account was paused"
		v.Paras = []string{fmt.Sprintf("Someone tried to sign in to your Patchwork account, %s, with a wrong password "+
			"several times, so sign-in was paused for %d minutes at %s.", n.To, int(n.LockedFor.Minutes()), when(n.At)),
			"If it was you, wait and try again, or reset your password."}
		v.LinkURL, v.LinkText = forgot, "Reset your password"
		v.After = []string{"If it was not you, nobody has signed in: your password is still needed for that. " +
			"Reset it if you think someone may know it, and tell your Patchwork administrator."}
	case AccountAuditAlert:
		v.Subject = "Patchwork's audit log failed its check"
		v.Paras = []string{"The scheduled check of Patchwork's audit log at " + when(n.At) + " found a problem: " +
			"rows may have been edited, deleted or cut off, or a checkpoint changed.",
			"Sign in as an administrator to see what was found."}
		v.LinkURL, v.LinkText = r.baseURL+AlertsPath, "See the alert"
		v.After = []string{"You get this email because you are a Patchwork administrator. See docs/security.md, Audit, for what each finding means."}
	case AccountUnusualAccess:
		what, ok := alertPatterns[n.AlertKind]
		if !ok {
			return nil, fmt.Errorf("mail: unknown alert kind %q", n.AlertKind)
		}
		v.Subject = "Unusual access in Patchwork"
		v.Paras = []string{"Patchwork's audit log shows unusual access on " + n.AlertDay.Format("Monday 2 January 2006") + " (UTC): " + what + ".",
			"Sign in as an administrator to see who, and the audit rows behind the alert."}
		v.LinkURL, v.LinkText = r.baseURL+AlertsPath, "See the alert"
		v.After = []string{"You get this email because you are a Patchwork administrator of the agent's area. " +
			"It may have an innocent explanation; the alert says what was counted."}
	case AccountInactivity:
		v.Subject = "Your Patchwork account will be deactivated"
		v.Paras = []string{"You have not signed in to your Patchwork account, " + n.To + ", for a long time. " +
			"Accounts nobody uses are deactivated, so that nobody else can use them unnoticed.",
			"Sign in before " + n.Deadline.In(r.loc).Format("Monday 2 January 2006") + " to keep your account. " +
				"If you do not, it will be deactivated and you will be taken off the client teams you are on."}
		v.LinkURL, v.LinkText = r.baseURL+SignInPath, "Sign in to Patchwork"
		v.After = []string{"If you no longer work with clients on Patchwork, you need do nothing."}
	case AccountAccessRequest:
		v.Subject = "Access request waiting: Patchwork"
		v.Paras = []string{"Someone at an email domain no agency takes sign-ups from asked for access to Patchwork at " +
			when(n.At) + ".", "Sign in as an administrator to see the request and approve it for an agency, or refuse it."}
		v.LinkURL, v.LinkText = r.baseURL+AccessRequestsPath, "See the access requests"
		v.After = []string{"You get this email, at most once an hour, because you are a Patchwork administrator."}
	case AccountCodeLockout:
		v.Subject = "Someone has your Patchwork password"
		v.Paras = []string{fmt.Sprintf("Someone signed in to your Patchwork account, %s, with your password, then entered wrong "+
			"two-factor codes several times, so sign-in was paused for %d minutes at %s.", n.To, int(n.LockedFor.Minutes()), when(n.At)),
			"If it was not you, they know your password: change it now, and tell your Patchwork administrator. " +
				"They cannot sign in without a code from your authenticator app."}
		v.LinkURL, v.LinkText = forgot, "Reset your password"
		v.After = []string{"If it was you, wait and try again with the code your app shows now."}
	case AccountTwoFactorOn:
		v.Subject = "Two-factor sign-in was set up on your Patchwork account"
		v.Paras = []string{"Two-factor sign-in was set up on your Patchwork account, " + n.To + ", at " + when(n.At) + ".",
			"From now on, signing in asks for a code from your authenticator app after your password."}
		v.After = []string{"If you did not set it up, reset your password now and tell your Patchwork administrator: " + forgot}
	case AccountTwoFactorReset, AccountTwoFactorAdminReset:
		v.Subject = "Two-factor sign-in was reset on your Patchwork account"
		who := "with one of your recovery codes"
		if n.Kind == AccountTwoFactorAdminReset {
			who = "by a Patchwork administrator"
		}
		v.Paras = []string{"Two-factor sign-in on your Patchwork account, " + n.To + ", was reset " + who + " at " + when(n.At) + ".",
			"Your authenticator app and your recovery codes no longer work for this account. Set two-factor sign-in up again:"}
		v.LinkURL, v.LinkText = r.baseURL+SecuritySettingsPath, "Set up two-factor sign-in"
		v.After = []string{"If you did not ask for this, reset your password now and tell your Patchwork administrator: " + forgot}
	case AccountSignupExists:
		v.Subject = "You already have a Patchwork account"
		v.Paras = []string{"Someone asked to sign up to Patchwork with " + n.To + ". That address already has an account, " +
			"so no new one was made. Sign in with it instead."}
		v.LinkURL, v.LinkText = r.baseURL+SignInPath, "Sign in to Patchwork"
		v.After = []string{"Forgotten your password? Reset it: " + forgot,
			"If you did not ask to sign up, ignore this email. Nothing has changed."}
	default:
		return nil, fmt.Errorf("mail: unknown account notice %q", n.Kind)
	}
	return r.renderAccountView(v, n.To)
}

// renderAccountView renders an account-style email to the address to.
func (r *Renderer) renderAccountView(v *accountView, to string) (*Message, error) {
	v.Heading = v.Subject
	var h, t bytes.Buffer
	if err := r.html.ExecuteTemplate(&h, "account.html", v); err != nil {
		return nil, fmt.Errorf("mail: render html: %w", err)
	}
	if err := r.text.ExecuteTemplate(&t, "account.txt", v); err != nil {
		return nil, fmt.Errorf("mail: render text: %w", err)
	}
	return &Message{To: to, Subject: v.Subject, Text: t.String(), HTML: h.String(), Headers: map[string]string{
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
	}}, nil
}
