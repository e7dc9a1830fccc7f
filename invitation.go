package patchwork

import (
	"context"
	"strings"
	"time"
)

// InvitationTTL is how long an invitation into a team can be accepted.
const InvitationTTL = 14 * 24 * time.Hour

// InvitationResendInterval is how long an admin waits before sending the
// same invitation's email again.
const InvitationResendInterval = time.Hour

// AuditInvitationResend and AuditInvitationList record an admin sending
// an invitation again and listing the pending invitations.
const (
	AuditInvitationResend = "admin.invitation_resend"
	AuditInvitationList   = "admin.invitation_list"
	AuditInvitationExport = "admin.invitation_export"
)

// InvitationFilter narrows the admins' list of pending invitations.
type InvitationFilter struct {
	Query     string // part of the address invited
	InviterID int64  // only this agent's invitations; 0 for anyone's
	Page      int    // from 1; 0 is 1
	PerPage   int    // 0 means AdminPageSize; -1 means every match (an export)
}

// MaxInvitationMessage bounds an invitation's message.
const MaxInvitationMessage = 500

// Activity kinds of an invitation's steps. Inviting is ActivityTeamInvited
// (told to the invitee); accepting also records ActivityMemberJoined (told
// to the team). The detail of each is the invitee as the team knows them:
// an agent's name or the address invited.
const (
	ActivityInvitationWithdrawn = "team.invitation_withdrawn"
	ActivityInvitationAccepted  = "team.invitation_accepted"
	ActivityInvitationExpired   = "team.invitation_expired"
)

// JoinedByInvitation is how an agent who accepted an invitation joined.
const JoinedByInvitation = "invited"

// Audit actions of invitations.
const (
	AuditInvitationCreate   = "team.invite"
	AuditInvitationWithdraw = "team.invitation_withdraw"
	AuditInvitationView     = "team.invitation_view"
	AuditInvitationAccept   = "team.invitation_accept"
)

// Invitation states.
const (
	InvitationPending   = "pending"
	InvitationAccepted  = "accepted"
	InvitationWithdrawn = "withdrawn"
	InvitationExpired   = "expired"
)

// Invitation is a member's invitation of a colleague onto a client's team:
// a join ticket for that person and that client only. It is seen by the
// team's members and by the invitee.
type Invitation struct {
	ID          int64
	ClientID    int64
	InviterID   int64
	InviterName string
	// InviteeID is the invited agent; 0 for a new colleague invited by
	// an address that has no account yet.
	InviteeID   int64
	InviteeName string // "" when InviteeID is 0
	Email       string // the address invited (an agent's sign-in address)
	Message     string // shown only in Patchwork, never in an email
	Status      string // an Invitation… state; expiry counts from ExpiresAt
	CreatedAt   time.Time
	ExpiresAt   time.Time
	// Token is the invitation's token, set only in the invitee's own list
	// (FindMyInvitations), for the link to its page.
	Token string
	// ResentAt is when an admin last sent its email again (zero: never);
	// set only in the admins' list.
	ResentAt time.Time
	// NeedsAccess is set on a new invitation of an address at a domain no
	// agency takes sign-ups from: the invitee must ask for access first.
	NeedsAccess bool
}

// Invitee is how the team sees who was invited: the agent's name, or the
// address for a new colleague.
func (i *Invitation) Invitee() string {
	if i.InviteeName != "" {
		return i.InviteeName
	}
	return i.Email
}

// StatusAt is the invitation's state at now: a pending invitation past its
// expiry is expired even before the clean-up marks it so.
func (i *Invitation) StatusAt(now time.Time) string {
	if i.Status == InvitationPending && !now.Before(i.ExpiresAt) {
		return InvitationExpired
	}
	return i.Status
}

// InvitationRequest is what a member fills in to invite a colleague: an
// agent picked from the phone book (AgentID) or an email address, and an
// optional message.
type InvitationRequest struct {
	AgentID int64
	Email   string
	Message string
}

// Validate checks the request, cleaning it in place, and returns
// per-field messages (email, message).
func (r *InvitationRequest) Validate() error {
	f := fields{}
	if r.AgentID == 0 {
		if f.email("email", &r.Email) && r.Email == "" {
			f.set("email", "Enter the email address of the colleague to invite, or search for them by name")
		}
		r.Email = strings.ToLower(r.Email)
	}
	f.text("message", &r.Message, MaxInvitationMessage, "Message")
	return Invalid(f)
}

// InvitationPage is what the invitee sees on an invitation's page. Match
// (what a search result would show of the client) is set only while the
// invitation can be accepted.
type InvitationPage struct {
	Invitation *Invitation
	Match      *ClientMatch
	Status     string // the state at the time of the request
}

// InvitationService invites colleagues onto client teams. Every method
// reads the caller from ctx.
type InvitationService interface {
	// CreateInvitation invites a colleague onto the client's team and
	// emails them. Only current members may call it; anyone else gets
	// ENOTFOUND. An address with an active account invites that agent (who
	// is emailed as their settings say); one with no account invites a new
	// colleague (always emailed: it is their only way in; at a domain no
	// agency takes sign-ups from, they are led to ask for access). EINVALID with per-field messages (email,
	// message) for bad input, an invitee already on the team or already
	// invited; ETOOMANYREQUEST once the caller has sent the most
	// invitations allowed recently. The email never carries the message.
	CreateInvitation(ctx context.Context, clientID int64, req InvitationRequest) (*Invitation, error)

	// FindInvitations returns the client's pending, unexpired invitations,
	// oldest first. Only current members may call it; anyone else gets
	// ENOTFOUND.
	FindInvitations(ctx context.Context, clientID int64) ([]*Invitation, error)

	// FindInvitees returns up to ten active agents of the phone book whose
	// names match q, as the caller may see them, for a member to pick whom
	// to invite. Only current members may call it; anyone else gets
	// ENOTFOUND.
	FindInvitees(ctx context.Context, clientID int64, q string) ([]*Agent, error)

	// WithdrawInvitation withdraws a pending invitation of the client's
	// team. Only current members may call it; anyone else, and an
	// invitation of another client, gets ENOTFOUND; one no longer pending
	// gets ECONFLICT.
	WithdrawInvitation(ctx context.Context, clientID, invitationID int64) error

	// BeginInvitedSignup starts the sign-up of the new colleague a live
	// invitation was sent to (an address with no account), the token
	// proving the address, and returns the sign-up's token for
	// /signup/verify. It needs no caller: the invitee has no account yet.
	// ENOTFOUND for any other token.
	BeginInvitedSignup(ctx context.Context, token string) (string, error)

	// FindMyInvitations returns the caller's own pending, unexpired
	// invitations, oldest first, each with its Token: those to the caller,
	// and those to the caller's address made before they had an account.
	// Any active agent may call it, for themselves only.
	FindMyInvitations(ctx context.Context) ([]*Invitation, error)

	// FindInvitation returns the invitation that token stands for, to its
	// invitee only: anyone else gets ENOTFOUND, as for a token that does
	// not exist. Who the client is (Match) is shown only while it can be
	// accepted; the view is audited.
	FindInvitation(ctx context.Context, token string) (*InvitationPage, error)

	// FindAdminInvitations returns one page of the pending, unexpired
	// invitations in the caller's reach (a system admin's: all; an area
	// admin's: those onto the teams of their districts' clients), newest
	// first, and how many match; the list is audited. Only admins and the
	// system caller may call it; other agents get ENOTFOUND.
	FindAdminInvitations(ctx context.Context, f InvitationFilter) ([]*Invitation, int, error)

	// ResendInvitation emails a new colleague's pending invitation again:
	// the same link and the same expiry, so no second live token and no
	// longer life; audited. ENOTFOUND for anyone but an admin who reaches
	// it, as for a missing invitation; ECONFLICT for one no longer pending
	// or expired, or to an agent (who sees it in Patchwork);
	// ETOOMANYREQUEST within InvitationResendInterval of the last resend.
	ResendInvitation(ctx context.Context, id int64) error

	// AcceptInvitation joins the invitee onto the client's team on the
	// declared lawful basis (req.Ticket is ignored: the token is the
	// ticket) and returns the client's id. ENOTFOUND for anyone but the
	// invitee; ECONFLICT for an invitation no longer pending or expired,
	// or an invitee already on the team; EINVALID without the declaration
	// or basis.
	AcceptInvitation(ctx context.Context, token string, req JoinRequest) (int64, error)
}
