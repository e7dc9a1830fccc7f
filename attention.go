package patchwork

import (
	"context"
	"time"
)

// Attention categories.
var AttentionCategories = []Option{
	{"concern", "Concern"},
	{"update", "Update"},
	{"meeting_request", "Meeting request"},
	{"other", "Other"},
}

// Attention is important information a team member shares with the rest of
// a client's team. Its message is client data: it never leaves the client's
// page (no emails, no logs).
type Attention struct {
	ID             int64
	ClientID       int64
	RaisedBy       int64
	RaisedByName   string
	Category       string
	Message        string
	Urgent         bool
	CreatedAt      time.Time
	ResolvedAt     time.Time
	ResolvedByName string
	ResolutionNote string
	// SeenBy and NotSeenBy name the current team members who have and have
	// not acknowledged it (the raiser is neither).
	SeenBy    []string
	NotSeenBy []string
	// SeenByMe is whether the viewer has acknowledged it.
	SeenByMe bool
	// ClientName is filled only on the viewer's own dashboard and by
	// FindAttention.
	ClientName string
}

// Open reports whether the attention has not been resolved.
func (a *Attention) Open() bool { return a.ResolvedAt.IsZero() }

// AttentionInput is what a member types to raise an attention.
type AttentionInput struct {
	Category string
	Message  string
	Urgent   bool
}

// Validate checks an attention, cleaning it in place (a multi-line message
// keeps its line breaks), and returns per-field messages.
func (in *AttentionInput) Validate() error {
	f := fields{}
	if !hasOption(AttentionCategories, in.Category) {
		f.set("category", "Select what kind of attention this is")
	}
	if f.text("message", &in.Message, MaxAttentionLength, "Message") && in.Message == "" {
		f.set("message", "Enter the information to share with the team")
	}
	return Invalid(f)
}

// ResolveInput is what a member types to resolve an attention.
type ResolveInput struct {
	Note string
}

// Validate checks a resolution note, cleaning it in place, and returns
// per-field messages.
func (in *ResolveInput) Validate() error {
	f := fields{}
	if f.text("note", &in.Note, MaxAttentionLength, "Note") && in.Note == "" {
		f.set("note", "Enter how this was resolved")
	}
	return Invalid(f)
}

// AttentionService raises and follows attentions. Only current members of
// the client's team may use them: every method reads the caller from ctx and
// treats a non-member exactly like a missing client or attention: ENOTFOUND.
type AttentionService interface {
	// RaiseAttention adds an attention to a client's team and alerts the
	// other members.
	RaiseAttention(ctx context.Context, clientID int64, in AttentionInput) (*Attention, error)

	// FindAttentions returns a client's attentions, open ones first, with
	// who has and has not seen each.
	FindAttentions(ctx context.Context, clientID int64) ([]*Attention, error)

	// FindAttention returns one attention with who has and has not seen
	// it and its client's name (ClientName), for the page that resolves it.
	// It is a view of the client, audited as one.
	FindAttention(ctx context.Context, id int64) (*Attention, error)

	// FindMyOpenAttentions returns open attentions on the caller's clients,
	// those the caller has not acknowledged first.
	FindMyOpenAttentions(ctx context.Context) ([]*Attention, error)

	// AcknowledgeAttention records that the caller has seen an attention.
	// It returns the attention's client id.
	AcknowledgeAttention(ctx context.Context, id int64) (int64, error)

	// ResolveAttention closes an attention with a note. It returns the
	// attention's client id.
	ResolveAttention(ctx context.Context, id int64, note string) (int64, error)
}
