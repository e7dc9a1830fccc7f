package mail

import (
	"fmt"
	"time"
)

// Kinds of SignupNotice (the same words as the store's sign-up email kinds).
const (
	SignupVerify   = "signup_verify"
	AccessApproved = "access_approved"
	AccessRefused  = "access_refused"
)

// SignupNotice is an email to someone who is not yet an agent: the link
// that proves their address, or the answer to their access request. It
// names nobody and no client.
type SignupNotice struct {
	Kind  string
	To    string
	Token string // for SignupVerify and AccessApproved: the token the link carries
	// KnownDomain: for SignupVerify, the link leads to sign-up rather than
	// to an access request.
	KnownDomain bool
	Expires     time.Time
}

const signupFooter = "You are getting this email because someone entered this address on Patchwork's sign-up page."

// RenderSignup builds the message for a sign-up notice, with a plain-text
// and an HTML part. The caller sets the ID.
func (r *Renderer) RenderSignup(n *SignupNotice) (*Message, error) {
	v := &accountView{Footer: signupFooter}
	when := func(t time.Time) string { return t.In(r.loc).Format("15:04 on Monday 2 January") }
	link := func() string { return r.baseURL + SignupVerifyPath + "?token=" + n.Token }
	switch n.Kind {
	case SignupVerify:
		if n.Token == "" {
			return nil, fmt.Errorf("mail: signup notice without a token")
		}
		v.Subject = "Confirm your email address for Patchwork"
		if n.KnownDomain {
			v.Paras = []string{"Someone asked to sign up to Patchwork with " + n.To + ".",
				"Use this link to confirm the address and finish signing up. It works once, until " + when(n.Expires) + "."}
			v.LinkText = "Confirm and continue signing up"
		} else {
			v.Paras = []string{"Someone asked to sign up to Patchwork with " + n.To + ".",
				"Patchwork does not yet know the organisation this address belongs to, so an administrator needs to approve it. " +
					"Use this link to confirm the address and ask for access. It works once, until " + when(n.Expires) + "."}
			v.LinkText = "Confirm and ask for access"
		}
		v.LinkURL = link()
		v.After = []string{"If you did not ask to sign up, ignore this email: nothing happens without this link."}
	case AccessApproved:
		if n.Token == "" {
			return nil, fmt.Errorf("mail: access notice without a token")
		}
		v.Subject = "Your request to use Patchwork was approved"
		v.Paras = []string{"An administrator approved your request to use Patchwork with " + n.To + ".",
			"Use this link to finish signing up. It works once, until " + when(n.Expires) + "."}
		v.LinkURL, v.LinkText = link(), "Finish signing up"
	case AccessRefused:
		v.Subject = "Your request to use Patchwork was refused"
		v.Paras = []string{"An administrator refused your request to use Patchwork with " + n.To + ".",
			"Patchwork is for staff of approved agencies. If you think this is a mistake, ask your manager to contact " +
				"the Patchwork administrators for your area."}
	default:
		return nil, fmt.Errorf("mail: unknown signup notice %q", n.Kind)
	}
	return r.renderAccountView(v, n.To)
}
