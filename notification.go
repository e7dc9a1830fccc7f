package patchwork

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Activity kinds that are told to agents beyond those in activity.go.
const (
	ActivityAttentionRaised = "attention.raised"
	ActivityTeamInvited     = "team.invited"
	ActivityCircleChanged   = "circle.changed"
	// ActivityLeadChanged is a step of the lead professional handshake;
	// its detail is LeadProposed, LeadAccepted or LeadDeclined.
	ActivityLeadChanged = "lead.changed"
)

// ReviewKind is the staleness review told in digests: the memberships an
// agent has not confirmed or updated for the review period. It is no
// activity; the digest asks about it (sqldb.LoadReviewDigest), so agents
// choose daily, weekly or never for it like any other kind (never: the
// dashboard still asks).
const ReviewKind = "membership.review"

// Details of ActivityLeadChanged.
const (
	LeadProposed = "proposed"
	LeadAccepted = "accepted"
	LeadDeclined = "declined"
)

// DetailUrgent is the activity detail of an urgent attention: it goes out at
// once whatever the recipient's digest preference, unless they chose never.
const DetailUrgent = "urgent"

// Notification modes: how an agent wants to hear about one kind of event.
const (
	NotifyImmediate = "immediate"
	NotifyDaily     = "daily"
	NotifyWeekly    = "weekly"
	NotifyNever     = "never"
)

// NotificationModes lists the modes with their labels, in display order.
var NotificationModes = []Option{
	{NotifyImmediate, "At once"},
	{NotifyDaily, "In a daily summary"},
	{NotifyWeekly, "In a weekly summary"},
	{NotifyNever, "Never"},
}

// NotificationKind is one kind of event an agent can choose how to hear
// about, with its label and the mode used until the agent chooses.
type NotificationKind struct {
	Kind    string // an activity kind
	Label   string
	Default string // a notification mode
}

// NotificationKinds lists every kind an agent can be told about, in display
// order. Attentions and invitations need action, so they go out at once by
// default; joins and leaves are summarised daily; detail and circle changes
// weekly.
var NotificationKinds = []NotificationKind{
	{ActivityAttentionRaised, "Attentions raised on your clients", NotifyImmediate},
	{ActivityTeamInvited, "Invitations to join a client's team", NotifyImmediate},
	{ActivityMemberJoined, "Colleagues joining your clients' teams", NotifyDaily},
	{ActivityMemberLeft, "Colleagues leaving your clients' teams", NotifyDaily},
	{ActivityClientUpdated, "Changes to your clients' details", NotifyWeekly},
	{ActivityCircleChanged, "Changes to your clients' circles", NotifyWeekly},
	{ActivityClientRemoved, "Clients removed from Patchwork", NotifyImmediate},
	{ActivityLeadChanged, "Changes of your clients' lead professional", NotifyDaily},
	{ReviewKind, "Requests to confirm you still work with a client", NotifyDaily},
	{ActivityClientMerged, "Duplicate records of your clients merged", NotifyImmediate},
	{ActivityMergeUndone, "Merges of your clients' records undone", NotifyImmediate},
}

// DefaultNotificationMode returns the mode of kind for an agent who has not
// chosen one, or "" if kind is never told to anyone.
func DefaultNotificationMode(kind string) string {
	for _, k := range NotificationKinds {
		if k.Kind == kind {
			return k.Default
		}
	}
	return ""
}

// NotificationKindLabel returns the label of kind, or kind itself.
func NotificationKindLabel(kind string) string {
	for _, k := range NotificationKinds {
		if k.Kind == kind {
			return k.Label
		}
	}
	return kind
}

// NotificationPrefs maps each notification kind to the mode an agent chose
// (or its default).
type NotificationPrefs map[string]string

// Validate checks that every kind is known and every mode is valid, and
// returns per-field messages keyed by kind.
func (p NotificationPrefs) Validate() error {
	f := map[string]string{}
	for kind, mode := range p {
		if DefaultNotificationMode(kind) == "" {
			f[kind] = "Unknown kind of email"
		} else if !hasOption(NotificationModes, mode) {
			f[kind] = "Select how often you want these emails"
		}
	}
	return Invalid(f)
}

// ClientRef is the short reference by which emails name a client. Emails
// never carry a client's name (docs/security.md, rule 6).
func ClientRef(id int64) string { return fmt.Sprintf("P-%06d", id) }

// Unsubscription is what an unsubscribe link would stop, and for whom.
type Unsubscription struct {
	Email string   // the account's email address
	Kinds []string // notification kinds, in the link's order
}

// NotificationPrefsService reads and changes how agents hear about events.
type NotificationPrefsService interface {
	// FindNotificationPrefs returns the caller's mode for every kind in
	// NotificationKinds, defaults filled in. Any active agent may call it,
	// for themselves only.
	FindNotificationPrefs(ctx context.Context) (NotificationPrefs, error)

	// UpdateNotificationPrefs sets the caller's modes for the given kinds
	// (kind → mode); kinds left out keep their mode. Any active agent may
	// call it, for themselves only. Returns EINVALID with a message per wrong
	// kind.
	UpdateNotificationPrefs(ctx context.Context, prefs map[string]string) error

	// CheckUnsubscribe says what an unsubscribe token would do: which
	// account it is for (the address the email went to) and the kinds it
	// would turn to never, without changing anything; a page can ask to
	// confirm. It needs no caller: the signed token is the credential.
	// Returns EINVALID for a token that is forged, altered or expired, or
	// whose account is gone.
	CheckUnsubscribe(ctx context.Context, token string) (*Unsubscription, error)

	// Unsubscribe applies a one-click unsubscribe token from an email: it sets
	// that agent's mode to never for the kinds the token names, and nothing
	// else. It needs no caller. Applying a token twice is harmless. Returns
	// EINVALID for a token that is forged, altered or expired.
	Unsubscribe(ctx context.Context, token string) ([]string, error)
}

// Job is a durable background task, such as an email to send. Admins see the
// jobs that failed for good. Payloads hold ids, never client data.
type Job struct {
	ID          int64
	Kind        string
	Payload     string
	UniqueKey   string
	Priority    int
	RunAt       time.Time
	Attempts    int
	MaxAttempts int
	LockedUntil time.Time
	LockedBy    string
	Status      string
	LastError   string
	CreatedAt   time.Time
	DoneAt      time.Time
	StartedAt   time.Time // when the current (or last) attempt was claimed; zero before the first
}

// Job statuses.
const (
	JobQueued = "queued"
	JobDone   = "done"
	JobFailed = "failed"
)

// JobService lets admins see and retry jobs that failed for good, and
// system admins the emails among them (FailedEmailService).
type JobService interface {
	FailedEmailService

	// FindFailedJobs returns failed jobs, newest first. Only admins and the
	// system caller may call it; other agents get ENOTFOUND.
	// It returns a page (counting from 1) and how many there are.
	FindFailedJobs(ctx context.Context, page int) ([]*Job, int, error)

	// ExportFailedJobs calls fn with every failed job, in FindFailedJobs'
	// order. The export is audited before the first row. Only admins and
	// the system caller may call it; other agents get ENOTFOUND.
	ExportFailedJobs(ctx context.Context, fn func(*Job) error) error

	// RetryJob queues a failed job again with a fresh set of attempts; the
	// retry is audited. Only admins and the system caller may call it; other
	// agents get ENOTFOUND. ENOTFOUND also if no job has the id or the job
	// has not failed.
	RetryJob(ctx context.Context, id int64) error
}

// UnsubscribeTokenTTL is how long an unsubscribe link in an email works.
const UnsubscribeTokenTTL = 365 * 24 * time.Hour

// ErrBadUnsubscribeToken is returned for an unsubscribe token that is forged,
// altered, expired or malformed.
var ErrBadUnsubscribeToken = &Error{Code: EINVALID,
	Message: "This unsubscribe link is not valid or has expired. Sign in to choose which emails you get."}

// unsubscribeKey derives a key used for nothing but unsubscribe tokens, so
// that a deployment secret shared with other features cannot be abused to
// mint them (and vice versa).
func unsubscribeKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("patchwork unsubscribe v1"))
	return m.Sum(nil)
}

// SignUnsubscribeToken returns a token that, presented at /unsubscribe, sets
// agentID's mode for the given kinds to never. It is signed with HMAC-SHA256
// under a key derived from secret, and expires UnsubscribeTokenTTL after
// issued.
func SignUnsubscribeToken(secret []byte, agentID int64, kinds []string, issued time.Time) string {
	payload := "u1|" + strconv.FormatInt(agentID, 10) + "|" + strings.Join(kinds, ",") + "|" +
		strconv.FormatInt(issued.Unix(), 10)
	m := hmac.New(sha256.New, unsubscribeKey(secret))
	m.Write([]byte(payload))
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(m.Sum(nil))
}

// ParseUnsubscribeToken checks a token made by SignUnsubscribeToken and
// returns the agent and kinds it names. It returns ErrBadUnsubscribeToken
// when the signature does not match, the token has expired, or it names a
// kind that does not exist.
func ParseUnsubscribeToken(secret []byte, token string, now time.Time) (int64, []string, error) {
	if len(secret) == 0 {
		return 0, nil, errors.New("patchwork: no unsubscribe secret configured")
	}
	enc := base64.RawURLEncoding
	p64, s64, ok := strings.Cut(token, ".")
	payload, err1 := enc.DecodeString(p64)
	sig, err2 := enc.DecodeString(s64)
	if !ok || err1 != nil || err2 != nil {
		return 0, nil, ErrBadUnsubscribeToken
	}
	m := hmac.New(sha256.New, unsubscribeKey(secret))
	m.Write(payload)
	if !hmac.Equal(sig, m.Sum(nil)) {
		return 0, nil, ErrBadUnsubscribeToken
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 4 || f[0] != "u1" {
		return 0, nil, ErrBadUnsubscribeToken
	}
	agentID, err1 := strconv.ParseInt(f[1], 10, 64)
	issued, err2 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil || now.Sub(time.Unix(issued, 0)) > UnsubscribeTokenTTL {
		return 0, nil, ErrBadUnsubscribeToken
	}
	kinds := strings.Split(f[2], ",")
	for _, k := range kinds {
		if DefaultNotificationMode(k) == "" {
			return 0, nil, ErrBadUnsubscribeToken
		}
	}
	return agentID, kinds, nil
}
