package patchwork

import "time"

// Email is one email to one recipient, as the mail senders deliver it and
// the outbox table keeps it when no SMTP server is configured. It carries
// no client data (docs/mail.md).
type Email struct {
	// ID is the Message-ID without angle brackets. It is derived from the
	// job that sends the email, so a retry after a crash mid-send carries
	// the same ID: at most that one email can arrive twice, and mail
	// systems can tell the copies are one message.
	ID      string
	JobID   int64  // the job that sends it; 0 if none (not sent as a header)
	From    string // set by the Sender when empty
	To      string
	Subject string
	Text    string // the plain-text part
	HTML    string // the HTML part
	// Headers holds extra header fields, such as List-Unsubscribe, already
	// formatted (ASCII only).
	Headers map[string]string
	Date    time.Time
}
