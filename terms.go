package patchwork

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Terms are a deployment's terms of use. Every agent accepts them at their
// first sign-in and again whenever the version changes.
type Terms struct {
	Version string
	Text    string // plain text: paragraphs separated by blank lines
}

// NewTerms returns terms with text and version; an empty version is
// derived from the text (the first 12 hex digits of its SHA-256), so that
// any change to the text asks everyone to accept it again.
func NewTerms(text, version string) *Terms {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if version == "" {
		sum := sha256.Sum256([]byte(text))
		version = hex.EncodeToString(sum[:6])
	}
	return &Terms{Version: version, Text: text}
}

// Paragraphs splits the text at blank lines.
func (t *Terms) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(t.Text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// TermsService records which terms of use the caller has accepted.
type TermsService interface {
	// FindTermsAcceptance returns when the caller accepted the terms of
	// this version, or the zero time if they have not.
	FindTermsAcceptance(ctx context.Context, version string) (time.Time, error)

	// AcceptTerms records that the caller accepts the terms of this
	// version, now, and reports whether it was the first version they
	// ever accepted (a new agent). Accepting again changes nothing. It is
	// audited.
	AcceptTerms(ctx context.Context, version string) (first bool, err error)
}

// AuditTermsAccept is the audit action of accepting the terms of use.
const AuditTermsAccept = "agent.terms_accept"
