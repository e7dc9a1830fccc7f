package sqldb

import (
	"context"
	"fmt"
	"time"

	"patchwork"
)

// The hand-over from an event to the mail pipeline happens inside the
// event's transaction: notifyTeam (or notifyAgents) writes one notifications
// row per agent to tell, then enqueueNotificationEmails decides how each is
// delivered and enqueues the emails that go out at once. Nothing is
// committed without its delivery plan, so nothing is lost; see docs/mail.md.

// enqueueNotificationEmails plans the delivery of the notifications of
// activityID that have no plan yet, inside the event's transaction:
//
//   - each gets the recipient's mode for its kind (their choice, or the
//     kind's default); an urgent attention is immediate unless they chose
//     never;
//   - never: marked handled at once;
//   - immediate: one send_email job each, linked through job_id;
//   - daily or weekly: left for that period's digest run.
//
// Running it twice for an activity does nothing the second time.
func (tx *Tx) enqueueNotificationEmails(ctx context.Context, activityID int64) error {
	var kind, detail string
	if err := tx.QueryRowContext(ctx, `SELECT kind, detail FROM activities WHERE id = $1`, activityID).Scan(&kind, &detail); err != nil {
		return fmt.Errorf("sqldb: plan notifications: %w", err)
	}
	def := patchwork.DefaultNotificationMode(kind)
	if def == "" {
		def = patchwork.NotifyNever // a kind nobody is emailed about
	}
	// mode is the recipient's mode for the kind, as an SQL expression on the
	// notifications row; $2 is the kind's default.
	mode := `COALESCE((SELECT p.mode FROM notification_prefs p
		WHERE p.agent_id = notifications.agent_id AND p.kind = notifications.kind), $2)`
	if kind == patchwork.ActivityAttentionRaised && detail == patchwork.DetailUrgent {
		mode = `CASE ` + mode + ` WHEN 'never' THEN 'never' ELSE 'immediate' END`
	}
	// Two statements, so that each row is rewritten once: the jobs first,
	// then every row's mode, job and (for never) handled time together.
	now := micros(tx.now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, payload, unique_key, priority, run_at, max_attempts, created_at)
		SELECT $3, '{"agent_id":' || agent_id || '}', 'notification:' || id, $4, $5, $6, $5
		FROM notifications WHERE activity_id = $1 AND delivery = '' AND `+mode+` = 'immediate'`,
		activityID, def, JobSendEmail, PriorityImmediate, now, DefaultMaxAttempts); err != nil {
		return fmt.Errorf("sqldb: plan notifications: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE notifications SET delivery = `+mode+`,
		job_id = (SELECT j.id FROM jobs j WHERE j.unique_key = 'notification:' || notifications.id),
		handled_at = CASE `+mode+` WHEN 'never' THEN CAST($3 AS BIGINT) END
		WHERE activity_id = $1 AND delivery = ''`, activityID, def, now); err != nil {
		return fmt.Errorf("sqldb: plan notifications: %w", err)
	}
	return nil
}

// notifyTeamAndEnqueueEmails records a notification of activityID for every
// current member of the client's team except the actor (notifyTeam) and
// plans their delivery. recordTeamEvent ends with it.
func (tx *Tx) notifyTeamAndEnqueueEmails(ctx context.Context, clientID, actorID, activityID int64, kind string) error {
	if err := tx.notifyTeam(ctx, clientID, actorID, activityID, kind); err != nil {
		return err
	}
	return tx.enqueueNotificationEmails(ctx, activityID)
}

// notifyAgents records a notification of activityID for each of agentIDs
// except actorID — for events told to someone outside the team, such as an
// invitation — and plans their delivery.
func (tx *Tx) notifyAgents(ctx context.Context, activityID, actorID int64, kind string, agentIDs ...int64) error {
	for _, id := range agentIDs {
		if id == actorID {
			continue // never tell people what they did themselves
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (agent_id, activity_id, kind, created_at)
			VALUES ($1, $2, $3, $4)`, id, activityID, kind, micros(tx.now)); err != nil {
			return fmt.Errorf("sqldb: notify agent: %w", err)
		}
	}
	return tx.enqueueNotificationEmails(ctx, activityID)
}

// recordInvitation writes the activity of actorID inviting inviteeID onto a
// client's team and tells the invitee (only) by email. The invitation use
// case calls it inside its transaction.
func (tx *Tx) recordInvitation(ctx context.Context, clientID, actorID, inviteeID int64) error {
	id, err := tx.addActivity(ctx, clientID, actorID, patchwork.ActivityTeamInvited, "")
	if err != nil {
		return err
	}
	return tx.notifyAgents(ctx, id, actorID, patchwork.ActivityTeamInvited, inviteeID)
}

// RecordTeamEventForTest records a team event as a use case would (activity,
// notifications, delivery plan) in one transaction; tests use it for events
// whose use cases live elsewhere, such as attentions and circles.
func (db *DB) RecordTeamEventForTest(ctx context.Context, clientID, actorID int64, kind, detail string) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.recordTeamEvent(ctx, clientID, actorID, kind, detail) })
}

// RecordInvitationForTest records an invitation as the invitation use case
// would; tests use it.
func (db *DB) RecordInvitationForTest(ctx context.Context, clientID, actorID, inviteeID int64) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.recordInvitation(ctx, clientID, actorID, inviteeID) })
}

// EmailItem is one event told in an email: ids, the kind and the name of
// the agent who acted — never a client's data.
type EmailItem struct {
	NotificationID int64
	Kind           string
	ClientID       int64
	ActorName      string
	Urgent         bool
	At             time.Time
	// InvitationNonce is set for an invitation made through the
	// invitation service: the link to its page is derived from it
	// (InvitationToken). HasMessage says the inviter left a message,
	// which the email does not carry.
	InvitationNonce string
	HasMessage      bool
}

// NotificationEmail is what one send_email job tells one agent.
type NotificationEmail struct {
	JobID      int64
	AgentID    int64
	AgentName  string
	AgentEmail string
	Digest     string       // "" for an email sent at once, else daily or weekly
	Items      []*EmailItem // oldest first
	// Dropped counts notifications no longer to tell: the agent chose never
	// since, left the client's team, or was deactivated.
	Dropped int
}

// LoadNotificationEmail returns what the send_email job jobID must tell,
// as of now. Items are dropped, not lost, when telling them has become
// wrong: the recipient was deactivated, chose never for the kind since the
// event, or is no longer on the client's team (telling them who works with
// a client they no longer share would leak it). Invitations go to people
// not yet on the team and are kept.
func (db *DB) LoadNotificationEmail(ctx context.Context, jobID int64) (*NotificationEmail, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT n.id, n.agent_id, n.kind, n.delivery, t.client_id, t.detail,
		t.created_at, actor.name, r.name, r.email, r.active, COALESCE(p.mode, ''),
		(SELECT COUNT(*) FROM memberships m WHERE m.client_id = t.client_id AND m.agent_id = n.agent_id AND m.left_at IS NULL),
		COALESCE(i.nonce, ''), COALESCE(i.status, ''), COALESCE(i.expires_at, 0), COALESCE(i.message, '')
		FROM notifications n
		JOIN activities t ON t.id = n.activity_id
		JOIN agents actor ON actor.id = t.agent_id
		JOIN agents r ON r.id = n.agent_id
		LEFT JOIN notification_prefs p ON p.agent_id = n.agent_id AND p.kind = n.kind
		LEFT JOIN invitations i ON i.activity_id = t.id AND n.kind = '`+patchwork.ActivityTeamInvited+`'
		WHERE n.job_id = $1
		ORDER BY t.created_at, n.id`, jobID)
	if err != nil {
		return nil, fmt.Errorf("sqldb: load email: %w", err)
	}
	defer rows.Close()
	e := &NotificationEmail{JobID: jobID}
	for rows.Next() {
		it := &EmailItem{}
		var delivery, detail, mode string
		var at, invExpires int64
		var active bool
		var member int
		var invStatus, invMessage string
		if err := rows.Scan(&it.NotificationID, &e.AgentID, &it.Kind, &delivery, &it.ClientID, &detail, &at,
			&it.ActorName, &e.AgentName, &e.AgentEmail, &active, &mode, &member,
			&it.InvitationNonce, &invStatus, &invExpires, &invMessage); err != nil {
			return nil, fmt.Errorf("sqldb: load email: %w", err)
		}
		if delivery != patchwork.NotifyImmediate {
			e.Digest = delivery
		}
		it.At, it.Urgent = fromMicros(at), it.Kind == patchwork.ActivityAttentionRaised && detail == patchwork.DetailUrgent
		it.HasMessage = invMessage != ""
		// Invitations go to people not yet on the team, and an erasure
		// tells the team it has ended: both are told to non-members.
		toNonMembers := it.Kind == patchwork.ActivityTeamInvited || it.Kind == patchwork.ActivityClientRemoved
		// An invitation withdrawn, accepted or expired since is no longer
		// worth telling: its link would lead nowhere.
		ended := it.InvitationNonce != "" && (invStatus != patchwork.InvitationPending || !fromMicros(invExpires).After(db.now()))
		if !active || mode == patchwork.NotifyNever || (member == 0 && !toNonMembers) || ended {
			e.Dropped++
			continue
		}
		e.Items = append(e.Items, it)
	}
	return e, rows.Err()
}

// CompleteEmailJob marks the send_email job jobID done and every
// notification it carried handled (told or dropped), in one transaction.
// It reports false if another worker had already completed the job.
func (db *DB) CompleteEmailJob(ctx context.Context, jobID int64) (bool, error) {
	var ok bool
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if ok, err = tx.completeJob(ctx, jobID); err != nil || !ok {
			return err
		}
		// A job's notifications are handled together, by its completion
		// only; no "handled_at IS NULL" here, which stale statistics can
		// turn into a scan of every pending notification.
		_, err = tx.ExecContext(ctx, `UPDATE notifications SET handled_at = $1 WHERE job_id = $2`, micros(tx.now), jobID)
		return err
	})
	return ok, err
}
