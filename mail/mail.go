// Package mail builds and sends Patchwork's emails: a Sender over SMTP
// (github.com/wneessen/go-mail), a Sender into the local outbox table for
// deployments without SMTP, and the templates that say what happened without
// ever carrying a client's data (docs/security.md, rule 6).
package mail

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"time"

	"patchwork"

	gomail "github.com/wneessen/go-mail"
)

// Message is the mail package's name for patchwork.Email: the type lives
// in the domain so that the store can keep the outbox without linking the
// SMTP client.
type Message = patchwork.Email

// Sender delivers messages. Send returns only once the message is accepted
// (by the SMTP server, or stored in the outbox); an error means it may not
// have been, and the caller tries again later.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// SenderFunc adapts a function to the Sender interface.
type SenderFunc func(ctx context.Context, m *Message) error

// Send calls f(ctx, m).
func (f SenderFunc) Send(ctx context.Context, m *Message) error { return f(ctx, m) }

// build turns m into a go-mail message from the given address.
func build(m *Message, from string) (*gomail.Msg, error) {
	g := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if m.From != "" {
		from = m.From
	}
	if err := g.From(from); err != nil {
		return nil, fmt.Errorf("mail: from address: %w", err)
	}
	if err := g.To(m.To); err != nil {
		return nil, fmt.Errorf("mail: to address: %w", err)
	}
	g.Subject(m.Subject)
	if m.ID != "" {
		g.SetMessageIDWithValue(m.ID)
	} else {
		g.SetMessageID()
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	g.SetDateWithValue(date)
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g.SetGenHeaderPreformatted(gomail.Header(k), m.Headers[k])
	}
	g.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		g.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return g, nil
}

// Raw returns the message as it would travel over SMTP (RFC 5322 with MIME
// parts), sent from the given address unless m.From is set. The outbox page
// shows it, and tests search it for data that must never be there.
func Raw(m *Message, from string) ([]byte, error) {
	g, err := build(m, from)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := g.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("mail: write message: %w", err)
	}
	return b.Bytes(), nil
}
