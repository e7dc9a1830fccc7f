package patchwork

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Audit actions of the audit viewer and the access report.
const (
	AuditLogView      = "admin.audit_view"
	AuditLogExport    = "admin.audit_export"
	AuditAccessReport = "admin.access_report"
)

// AuditPageSize is how many audit rows one page of the viewer shows.
const AuditPageSize = 50

// MaxAuditExport is the most rows one CSV export of the audit log holds.
const MaxAuditExport = 100000

// AuditFilter selects audit rows; zero fields select everything. From and
// To are days (To included).
type AuditFilter struct {
	ActorID  int64
	Action   string
	ClientID int64 // rows about the client, and searches that showed it
	AgencyID int64 // rows whose actor works for the agency
	From, To time.Time
	Before   int64 // only rows with a smaller id: the next page
	Limit    int
}

// AuditEntry is one audit row as the viewer and the access report show it.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor,omitempty"`
	Agency    string    `json:"actor_agency,omitempty"`
	Action    string    `json:"action"`
	ClientID  int64     `json:"client_id,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	IP        string    `json:"ip,omitempty"`
}

// ShownClients returns the client ids a search row's detail says were
// shown ("… shown=1,2,3"), or nil.
func ShownClients(detail string) []int64 {
	i := strings.Index(detail, "shown=")
	if i < 0 {
		return nil
	}
	list := detail[i+len("shown="):]
	if j := strings.IndexByte(list, ' '); j >= 0 {
		list = list[:j]
	}
	var out []int64
	for _, s := range strings.Split(list, ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// AccessReport is everything Patchwork holds about one client and
// everything the audit log records about them, for a subject-access
// request.
type AccessReport struct {
	GeneratedAt time.Time           `json:"generated_at"`
	Client      *Client             `json:"client"`
	Memberships []*MembershipRecord `json:"memberships"`
	Attentions  []*AttentionRecord  `json:"attentions"`
	Circle      []*CircleRecord     `json:"circle"`
	Events      []*AuditEntry       `json:"audit_events"`
}

// MembershipRecord is one membership, past or current, of a client's team
// with the lawful basis its member declared.
type MembershipRecord struct {
	AgentID     int64     `json:"agent_id"`
	AgentName   string    `json:"agent"`
	Agency      string    `json:"agency"`
	JoinedAt    time.Time `json:"joined_at"`
	HowJoined   string    `json:"how_joined"`
	Basis       string    `json:"lawful_basis,omitempty"`
	BasisNote   string    `json:"lawful_basis_note,omitempty"`
	LeftAt      time.Time `json:"left_at,omitempty"`
	LeaveReason string    `json:"leave_reason,omitempty"`
	LeaveNote   string    `json:"leave_note,omitempty"`
}

// AttentionRecord is one attention raised on a client.
type AttentionRecord struct {
	ID             int64     `json:"id"`
	Category       string    `json:"category"`
	Message        string    `json:"message"`
	Urgent         bool      `json:"urgent"`
	RaisedBy       string    `json:"raised_by"`
	CreatedAt      time.Time `json:"raised_at"`
	ResolvedAt     time.Time `json:"resolved_at,omitempty"`
	ResolutionNote string    `json:"resolution_note,omitempty"`
}

// CircleRecord is one link of the client's circle: the related client by
// reference only (their details are another person's).
type CircleRecord struct {
	RelatedRef   string `json:"related_client"`
	Relationship string `json:"relationship"`
}

// AuditViewerService reads the audit log for admins. Every method is for
// system admins only (ENOTFOUND to anyone else), except FindAudit of one
// agent for that agent's area admins, and is itself audited.
type AuditViewerService interface {
	// FindAudit returns the rows f selects, newest first, at most f.Limit
	// (AuditPageSize when 0), and whether there are older ones. An area
	// admin may call it only with f.ActorID an agent of their districts
	// and no client or agency filter (the rows behind an alert about the
	// agent); ENOTFOUND otherwise.
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, bool, error)

	// ExportAudit calls fn with each row f selects, newest first, at most
	// MaxAuditExport; the export is audited before the first row.
	ExportAudit(ctx context.Context, f AuditFilter, fn func(*AuditEntry) error) error

	// AccessReport returns everything held about the client and every
	// audit row that concerns them: the rows about the client and the
	// searches that showed them. ENOTFOUND for a missing or erased client.
	AccessReport(ctx context.Context, clientID int64) (*AccessReport, error)
}
