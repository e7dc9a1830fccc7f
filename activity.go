package patchwork

import (
	"context"
	"time"
)

// Activity kinds. An activity names agents and what changed, never the
// client's data values.
const (
	ActivityClientCreated = "client.created"
	ActivityClientUpdated = "client.updated"
	ActivityMemberJoined  = "member.joined"
	ActivityMemberLeft    = "member.left"
)

// Activity is one entry in a client's audit trail of team changes.
type Activity struct {
	ID        int64
	ClientID  int64
	AgentID   int64
	AgentName string
	Kind      string
	Detail    string // field names or a reason code, never client values
	CreatedAt time.Time
	// ClientName is filled only for the caller's own dashboard.
	ClientName string
}

// Notification is a record that an agent should be told about an activity;
// the mail pipeline delivers it according to the agent's preferences.
type Notification struct {
	ID         int64
	AgentID    int64
	ActivityID int64
	Kind       string
	CreatedAt  time.Time
}

// AuditEvent is one row of the append-only, hash-chained audit log.
type AuditEvent struct {
	ID       int64
	At       time.Time
	ActorID  int64
	Action   string
	ClientID int64
	Detail   string
	IP       string
	PrevHash string
	Hash     string
}

// Audit actions: every action the audit log records is named here, so that
// the log's vocabulary can be read in one place.
const (
	AuditClientView   = "client.view"
	AuditClientCreate = "client.create"
	AuditClientUpdate = "client.update"
	AuditClientSearch = "client.search"
	// AuditJoinView records that the join page showed who a client is.
	AuditJoinView          = "client.join_view"
	AuditTeamJoin          = "team.join"
	AuditTeamLeave         = "team.leave"
	AuditAttentionRaise    = "attention.raise"
	AuditAttentionAck      = "attention.ack"
	AuditAttentionResolve  = "attention.resolve"
	AuditLogin             = "auth.login"
	AuditLoginFailed       = "auth.login_failed"
	AuditLogout            = "auth.logout"
	AuditProfile           = "agent.profile_update"
	AuditNotificationPrefs = "agent.notification_prefs"
	AuditUnsubscribe       = "agent.unsubscribe"
	AuditAgentCreate       = "admin.agent_create"
	AuditAgentDeact        = "admin.agent_deactivate"
	AuditAgencyCreate      = "admin.agency_create"
	AuditAreaCreate        = "admin.area_create"
	AuditJobRetry          = "admin.job_retry"
	AuditJobExport         = "admin.job_export"
	// AuditClientAudit records that an admin read who has looked at a client.
	AuditClientAudit = "admin.audit_client"
	// AuditClientEraseView records that an admin opened a client's erasure
	// page, which shows who the client is.
	AuditClientEraseView = "admin.client_erase_view"
	// AuditClientErase records an erasure: when, by whom and why (the
	// detail), with the client's id, which names nobody once it is erased.
	AuditClientErase = "admin.client_erase"
)

// AuditService reads and checks the audit log.
type AuditService interface {
	// VerifyAudit walks the hash chain and returns an error naming the first
	// row that was edited, deleted or inserted out of order. Only admins and
	// the system caller (`patchwork audit verify`) may call it; other agents
	// get ENOTFOUND.
	VerifyAudit(ctx context.Context) (checked int, err error)

	// FindAuditForClient answers "who has looked at this client?", and is
	// itself audited. Only admins and the system caller may call it; other
	// agents get ENOTFOUND. A client without events has an empty list.
	FindAuditForClient(ctx context.Context, clientID int64) ([]*AuditEvent, error)
}

// Activity kinds of a member's own place on a team; they are recorded on
// the trail but not sent to anyone (the lead professional's changes are:
// ActivityLeadChanged).
const (
	ActivityContactUpdated      = "member.contact"
	ActivityMembershipConfirmed = "member.confirmed"
)

// Activity kinds for following up an attention; they are recorded on the
// trail but not sent to anyone.
const (
	ActivityAttentionSeen     = "attention.seen"
	ActivityAttentionResolved = "attention.resolved"
)
