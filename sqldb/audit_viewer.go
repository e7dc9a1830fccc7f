package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"patchwork"
)

// AuditViewerService implements patchwork.AuditViewerService.
type AuditViewerService struct{ db *DB }

// NewAuditViewerService returns an AuditViewerService on db.
func NewAuditViewerService(db *DB) *AuditViewerService { return &AuditViewerService{db: db} }

// indexShown records which clients the search just audited in tx showed
// (audit_shown), so the access report finds it. It follows tx.audit.
func (tx *Tx) indexShown(ctx context.Context, ms []*patchwork.ClientMatch) error {
	if len(ms) == 0 || tx.auditHead == nil {
		return nil
	}
	rows := make([][]any, len(ms))
	for i, m := range ms {
		rows[i] = []any{m.ID, tx.auditHead.id}
	}
	if err := tx.insertRows(ctx, "audit_shown", []string{"client_id", "audit_id"}, rows, ` ON CONFLICT DO NOTHING`); err != nil {
		return fmt.Errorf("sqldb: index search audit: %w", err)
	}
	return nil
}

const auditEntryColumns = `e.id, e.at, COALESCE(e.actor_id, 0), COALESCE(a.name, ''), COALESCE(g.name, ''), e.action,
	COALESCE(e.client_id, 0), e.detail, e.ip FROM audit_events e
	LEFT JOIN agents a ON a.id = e.actor_id LEFT JOIN agencies g ON g.id = a.agency_id`

func scanAuditEntry(sc interface{ Scan(...any) error }) (*patchwork.AuditEntry, error) {
	e := &patchwork.AuditEntry{}
	var at int64
	if err := sc.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Agency, &e.Action, &e.ClientID, &e.Detail, &e.IP); err != nil {
		return nil, err
	}
	e.At = fromMicros(at)
	return e, nil
}

// auditWhere is the condition f selects, with its arguments.
func auditWhere(f patchwork.AuditFilter) (string, sqlArgs) {
	var args sqlArgs
	conds := []string{"1 = 1"}
	if f.ActorID != 0 {
		conds = append(conds, "e.actor_id = "+args.add(f.ActorID))
	}
	if f.Action != "" {
		conds = append(conds, "e.action = "+args.add(f.Action))
	}
	if f.ClientID != 0 {
		p := args.add(f.ClientID)
		conds = append(conds, `e.id IN (SELECT id FROM audit_events WHERE client_id = `+p+
			` UNION SELECT audit_id FROM audit_shown WHERE client_id = `+p+`)`)
	}
	if f.AgencyID != 0 {
		conds = append(conds, "a.agency_id = "+args.add(f.AgencyID))
	}
	if !f.From.IsZero() {
		conds = append(conds, "e.at >= "+args.add(micros(f.From)))
	}
	if !f.To.IsZero() {
		conds = append(conds, "e.at < "+args.add(micros(f.To.AddDate(0, 0, 1))))
	}
	if f.Before != 0 {
		conds = append(conds, "e.id < "+args.add(f.Before))
	}
	return strings.Join(conds, " AND "), args
}

// describeFilter says in the audit row which filter an admin used: ids
// and dates only.
func describeFilter(f patchwork.AuditFilter) string {
	var parts []string
	add := func(k string, v any) { parts = append(parts, fmt.Sprintf("%s=%v", k, v)) }
	if f.ActorID != 0 {
		add("actor", f.ActorID)
	}
	if f.Action != "" {
		add("action", f.Action)
	}
	if f.AgencyID != 0 {
		add("agency", f.AgencyID)
	}
	if !f.From.IsZero() {
		add("from", f.From.Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		add("to", f.To.Format(time.DateOnly))
	}
	return strings.Join(parts, " ")
}

// FindAudit returns a page of the audit log; see patchwork.AuditViewerService.
// An area admin may read only the rows of one agent in their reach.
func (s *AuditViewerService) FindAudit(ctx context.Context, f patchwork.AuditFilter) ([]*patchwork.AuditEntry, bool, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, false, err
	}
	if !r.all {
		// An area admin reads one agent's rows, an agent they reach (as
		// an alert about the agent links to), and nothing else.
		if f.ActorID == 0 || f.ClientID != 0 || f.AgencyID != 0 {
			return nil, false, patchwork.ErrNotFound
		}
		if err := r.requireAgent(ctx, s.db.read, f.ActorID); err != nil {
			return nil, false, err
		}
	}
	if f.Limit <= 0 {
		f.Limit = patchwork.AuditPageSize
	}
	if f.Before == 0 { // the first page, not each page turned
		if err := s.db.inTx(ctx, func(tx *Tx) error {
			return tx.audit(ctx, patchwork.AuditLogView, f.ClientID, describeFilter(f))
		}); err != nil {
			return nil, false, err
		}
	}
	where, args := auditWhere(f)
	out, err := scanAll(ctx, s.db.read, `SELECT `+auditEntryColumns+` WHERE `+where+` ORDER BY e.id DESC LIMIT `+itoa(f.Limit+1),
		scanAuditEntry, args...)
	if err != nil {
		return nil, false, err
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, nil
}

// ExportAudit streams the rows of an export; see patchwork.AuditViewerService.
func (s *AuditViewerService) ExportAudit(ctx context.Context, f patchwork.AuditFilter, fn func(*patchwork.AuditEntry) error) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	if err := s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, patchwork.AuditLogExport, f.ClientID, describeFilter(f))
	}); err != nil {
		return err
	}
	where, args := auditWhere(f)
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+auditEntryColumns+` WHERE `+where+` ORDER BY e.id DESC LIMIT `+
		itoa(patchwork.MaxAuditExport), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AccessReport gathers a subject-access report; see
// patchwork.AuditViewerService. The report's own audit row is written
// first, so it lists itself.
func (s *AuditViewerService) AccessReport(ctx context.Context, clientID int64) (*patchwork.AccessReport, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	r := &patchwork.AccessReport{}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		cl, err := tx.db.loadClient(ctx, tx, clientID)
		if err != nil {
			return err
		}
		r.Client, r.GeneratedAt = cl, tx.now
		return tx.audit(ctx, patchwork.AuditAccessReport, clientID, "")
	})
	if err != nil {
		return nil, err
	}
	q := s.db.read
	if r.Memberships, err = scanAll(ctx, q, `SELECT m.agent_id, a.name, g.name, m.joined_at, m.how_joined, m.basis, m.basis_note,
		COALESCE(m.left_at, 0), m.leave_reason, m.leave_note
		FROM memberships m JOIN agents a ON a.id = m.agent_id JOIN agencies g ON g.id = a.agency_id
		WHERE m.client_id = $1 ORDER BY m.joined_at, m.id`, func(sc interface{ Scan(...any) error }) (*patchwork.MembershipRecord, error) {
		m := &patchwork.MembershipRecord{}
		var joined, left int64
		err := sc.Scan(&m.AgentID, &m.AgentName, &m.Agency, &joined, &m.HowJoined, &m.Basis, &m.BasisNote, &left, &m.LeaveReason, &m.LeaveNote)
		m.JoinedAt, m.LeftAt = fromMicros(joined), fromMicros(left)
		return m, err
	}, clientID); err != nil {
		return nil, err
	}
	if r.Attentions, err = scanAll(ctx, q, `SELECT t.id, t.category, t.message, t.urgent, a.name, t.created_at,
		COALESCE(t.resolved_at, 0), t.resolution_note FROM attentions t JOIN agents a ON a.id = t.raised_by
		WHERE t.client_id = $1 ORDER BY t.id`, func(sc interface{ Scan(...any) error }) (*patchwork.AttentionRecord, error) {
		t := &patchwork.AttentionRecord{}
		var created, resolved int64
		var urgent int
		err := sc.Scan(&t.ID, &t.Category, &t.Message, &urgent, &t.RaisedBy, &created, &resolved, &t.ResolutionNote)
		t.Urgent, t.CreatedAt, t.ResolvedAt = urgent != 0, fromMicros(created), fromMicros(resolved)
		return t, err
	}, clientID); err != nil {
		return nil, err
	}
	// A link is stored once, client_a < client_b, relationship saying what
	// b is to a; from a's side it reads as stored.
	if r.Circle, err = scanAll(ctx, q, `SELECT client_b, relationship, 1 FROM circle_links WHERE client_a = $1
		UNION ALL SELECT client_a, relationship, 0 FROM circle_links WHERE client_b = $1 ORDER BY 1`,
		func(sc interface{ Scan(...any) error }) (*patchwork.CircleRecord, error) {
			var other int64
			var rel string
			var asStored int
			if err := sc.Scan(&other, &rel, &asStored); err != nil {
				return nil, err
			}
			if asStored == 0 {
				rel = patchwork.ReciprocalRelationship(rel)
			}
			return &patchwork.CircleRecord{RelatedRef: patchwork.ClientRef(other), Relationship: rel}, nil
		}, clientID); err != nil {
		return nil, err
	}
	events, err := scanAll(ctx, q, `SELECT `+auditEntryColumns+` WHERE e.id IN (SELECT id FROM audit_events WHERE client_id = $1
		UNION SELECT audit_id FROM audit_shown WHERE client_id = $1) ORDER BY e.id`, scanAuditEntry, clientID)
	if err != nil {
		return nil, err
	}
	// audit_shown only finds rows; a search row counts only if its own
	// chained detail says it showed the client.
	for _, e := range events {
		if e.ClientID == clientID || slices.Contains(patchwork.ShownClients(e.Detail), clientID) {
			r.Events = append(r.Events, e)
		}
	}
	return r, nil
}
