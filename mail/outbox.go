package mail

import "context"

// OutboxStore keeps messages that are not sent anywhere; the store's outbox
// table implements it. Saving a message whose ID is already stored must
// succeed without storing it twice, so a retried job leaves one copy.
type OutboxStore interface {
	SaveOutboxMessage(ctx context.Context, m *Message) error
}

// OutboxSender "sends" into the local outbox. Patchwork uses it when no SMTP
// server is configured; demo mode shows the outbox at /dev/mail.
type OutboxSender struct {
	store OutboxStore
	from  string
}

// NewOutboxSender returns a Sender that stores every message in store, as
// sent from from.
func NewOutboxSender(store OutboxStore, from string) *OutboxSender {
	return &OutboxSender{store: store, from: from}
}

// Send stores m in the outbox.
func (s *OutboxSender) Send(ctx context.Context, m *Message) error {
	if m.From == "" {
		c := *m
		c.From = s.from
		m = &c
	}
	return s.store.SaveOutboxMessage(ctx, m)
}
