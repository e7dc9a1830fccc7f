package patchwork

import (
	"context"
	"time"
)

// Job kinds that send one email each; the failed-emails page lists jobs of
// these kinds only.
const (
	JobKindNotificationEmail = "send_email"
	JobKindAccountEmail      = "account_email"
	JobKindInvitationEmail   = "invitation_email"
	JobKindSignupEmail       = "signup_email"
)

// EmailJobKinds are the kinds of job that send an email, in the order the
// failed-emails page offers them as a filter.
var EmailJobKinds = []Option{
	{Value: JobKindNotificationEmail, Label: "Notification or digest"},
	{Value: JobKindAccountEmail, Label: "Account"},
	{Value: JobKindInvitationEmail, Label: "Invitation to a new colleague"},
	{Value: JobKindSignupEmail, Label: "Sign-up or access request"},
}

// EmailJobKindLabel is how the failed-emails page names kind.
func EmailJobKindLabel(kind string) string {
	for _, o := range EmailJobKinds {
		if o.Value == kind {
			return o.Label
		}
	}
	return kind
}

// Audit actions of the failed-emails page: one row per email retried or
// discarded, naming the job.
const (
	AuditEmailRetry   = "admin.email_retry"
	AuditEmailDiscard = "admin.email_discard"
	AuditEmailList    = "admin.email_list"
	AuditEmailExport  = "admin.email_export"
)

// FailedEmail is an email the mail pipeline gave up on: its job, why it
// failed (the mail server's answer or the worker's error, never the
// email's text) and to whom it was going. It carries no client data: the
// job holds ids only.
type FailedEmail struct {
	JobID    int64
	Kind     string // a JobKind… value
	Subkind  string // what the email was about within its kind (a digest, password_reset …); "" if nothing more
	Reason   string
	Attempts int
	FailedAt time.Time
	Created  time.Time
	// RecipientAgentID is the agent the email was for; 0 for an address
	// with no account (a new colleague, a sign-up), then in RecipientEmail.
	RecipientAgentID int64
	RecipientName    string
	RecipientEmail   string
}

// Recipient is how the page names who the email was for.
func (e *FailedEmail) Recipient() string {
	if e.RecipientName != "" {
		return e.RecipientName
	}
	return e.RecipientEmail
}

// FailedEmailFilter narrows the failed-emails list.
type FailedEmailFilter struct {
	Kind string // a JobKind… value; "" for every kind
	// JobIDs, when not nil, keeps only these jobs (an empty list keeps
	// none): what a confirmation page asks about.
	JobIDs  []int64
	Page    int // from 1; 0 is 1
	PerPage int // 0 means AdminPageSize; -1 means every match (an export)
}

// FailedEmailService lets system admins see, retry and discard emails the
// mail pipeline gave up on. Only system admins and the system caller may
// call it; other agents, area admins included, get ENOTFOUND.
type FailedEmailService interface {
	// FindFailedEmails returns one page of failed emails, newest failure
	// first, and how many match the filter. The list is audited.
	FindFailedEmails(ctx context.Context, f FailedEmailFilter) ([]*FailedEmail, int, error)

	// RetryEmails queues the failed emails with these job ids again, each
	// with a fresh set of attempts, in one transaction with one audit row
	// each, and returns how many it queued. Ids that are no failed email
	// (retried or discarded meanwhile, another kind of job, missing) are
	// skipped, so an email is queued once however often it is retried;
	// ENOTFOUND if none was.
	RetryEmails(ctx context.Context, jobIDs []int64) (int, error)

	// DiscardEmails gives up on the failed emails with these job ids for
	// good: they are never sent. One transaction, one audit row each; ids
	// that are no failed email are skipped; ENOTFOUND if none was.
	DiscardEmails(ctx context.Context, jobIDs []int64) (int, error)
}
