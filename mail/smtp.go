package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes of an SMTP connection.
const (
	TLSNone     = "none"     // plain text; only for a relay on the same host or network
	TLSStartTLS = "starttls" // upgrade with STARTTLS, refuse to send without it (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
)

// SMTPConfig is where and how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string
}

// String describes the server without the password, for logs.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		RawQuery: "tls=" + c.TLS}
	if c.Username != "" {
		u.User = url.User(c.Username)
	}
	return u.String()
}

// ParseSMTPURL reads PATCHWORK_SMTP_URL:
// smtp://user:pass@host:port?tls=none|starttls|tls. The user and password are
// optional (and must be URL-escaped); tls defaults to starttls, and the port
// to 587 for starttls, 465 for tls and 25 for none. The scheme smtps means
// tls=tls.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, errors.New("mail: SMTP URL is not a URL")
	}
	c := SMTPConfig{Host: u.Hostname(), TLS: u.Query().Get("tls")}
	switch {
	case u.Scheme == "smtps" && (c.TLS == "" || c.TLS == TLSImplicit):
		c.TLS = TLSImplicit
	case u.Scheme != "smtp":
		return SMTPConfig{}, fmt.Errorf("mail: SMTP URL scheme must be smtp or smtps, not %q", u.Scheme)
	case c.TLS == "":
		c.TLS = TLSStartTLS
	case c.TLS != TLSNone && c.TLS != TLSStartTLS && c.TLS != TLSImplicit:
		return SMTPConfig{}, fmt.Errorf("mail: SMTP URL tls must be none, starttls or tls, not %q", c.TLS)
	}
	if c.Host == "" {
		return SMTPConfig{}, errors.New("mail: SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return SMTPConfig{}, fmt.Errorf("mail: SMTP URL port %q", p)
		}
	} else {
		c.Port = map[string]int{TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465}[c.TLS]
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c, nil
}

// DefaultSMTPTimeout bounds one whole SMTP conversation: connecting,
// greeting, authenticating and sending.
const DefaultSMTPTimeout = 20 * time.Second

// SMTPSender sends messages over SMTP, one connection per message: emails are
// few per agent, and a fresh connection cannot inherit a broken one's state.
type SMTPSender struct {
	cfg     SMTPConfig
	from    string
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests trust their own CA here).
	TLSConfig *tls.Config
}

// NewSMTPSender returns a sender to the server in rawURL (see ParseSMTPURL)
// with from (PATCHWORK_MAIL_FROM, such as "Patchwork <no-reply@example.org>")
// as the sender of every message.
func NewSMTPSender(rawURL, from string) (*SMTPSender, error) {
	cfg, err := ParseSMTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	if err := gomail.NewMsg().From(from); err != nil {
		return nil, fmt.Errorf("mail: from address %q: %w", from, err)
	}
	return &SMTPSender{cfg: cfg, from: from, Timeout: DefaultSMTPTimeout}, nil
}

// Config returns the server settings.
func (s *SMTPSender) Config() SMTPConfig { return s.cfg }

// From returns the sender address.
func (s *SMTPSender) From() string { return s.from }

func (s *SMTPSender) client() (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.Timeout),
	}
	switch s.cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if s.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.TLSConfig))
	}
	if s.cfg.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if s.cfg.TLS == TLSNone {
			// The operator chose a plain connection (a relay on a trusted
			// network); go-mail otherwise refuses to send a password over it.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// Send delivers m, giving up after Timeout.
func (s *SMTPSender) Send(ctx context.Context, m *Message) error {
	msg, err := m.build(s.from)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return fmt.Errorf("mail: smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send via %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}
