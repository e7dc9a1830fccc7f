package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"patchwork"
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

// SMTPSender sends messages over SMTP. It keeps a few connections open
// between messages — a digest run sends thousands, and a TLS handshake per
// message would dominate — and checks each with NOOP before reuse. It is
// safe for concurrent use.
type SMTPSender struct {
	cfg     SMTPConfig
	from    string
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests trust their own CA here).
	TLSConfig *tls.Config
	// MaxIdle is how many connections stay open between messages (default
	// 4); IdleTimeout is how long one may wait unused before it is closed
	// rather than reused (default 30s, under common servers' own timeouts).
	MaxIdle     int
	IdleTimeout time.Duration

	once   sync.Once
	client *gomail.Client
	err    error
	mu     sync.Mutex
	idle   []idleConn
}

type idleConn struct {
	c     *smtp.Client
	since time.Time
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
	return &SMTPSender{cfg: cfg, from: from, Timeout: DefaultSMTPTimeout, MaxIdle: 4, IdleTimeout: 30 * time.Second}, nil
}

// Config returns the server settings.
func (s *SMTPSender) Config() SMTPConfig { return s.cfg }

// From returns the sender address.
func (s *SMTPSender) From() string { return s.from }

// gomailClient builds the go-mail client (settings only; connections are
// made from it) on first use.
func (s *SMTPSender) gomailClient() (*gomail.Client, error) {
	s.once.Do(func() {
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
		s.client, s.err = gomail.NewClient(s.cfg.Host, opts...)
	})
	return s.client, s.err
}

// take returns an idle connection young enough to reuse, or nil.
func (s *SMTPSender) take(gc *gomail.Client) *smtp.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.idle) > 0 {
		ic := s.idle[len(s.idle)-1]
		s.idle = s.idle[:len(s.idle)-1]
		if time.Since(ic.since) < s.IdleTimeout {
			return ic.c
		}
		_ = gc.CloseWithSMTPClient(ic.c)
	}
	return nil
}

// put keeps a healthy connection for the next message, or closes it.
func (s *SMTPSender) put(gc *gomail.Client, c *smtp.Client) {
	s.mu.Lock()
	if len(s.idle) < s.MaxIdle {
		s.idle = append(s.idle, idleConn{c, time.Now()})
		c = nil
	}
	s.mu.Unlock()
	if c != nil {
		_ = gc.CloseWithSMTPClient(c)
	}
}

// Close closes the idle connections.
func (s *SMTPSender) Close() error {
	gc, err := s.gomailClient()
	if err != nil {
		return err
	}
	s.mu.Lock()
	idle := s.idle
	s.idle = nil
	s.mu.Unlock()
	for _, ic := range idle {
		_ = gc.CloseWithSMTPClient(ic.c)
	}
	return nil
}

// Send delivers m, giving up after Timeout.
func (s *SMTPSender) Send(ctx context.Context, m *Message) error {
	gc, err := s.gomailClient()
	if err != nil {
		return fmt.Errorf("mail: smtp client: %w", err)
	}
	msg, err := build(m, s.from)
	if err != nil {
		return err
	}
	if c := s.take(gc); c != nil {
		err := gc.SendWithSMTPClient(c, msg)
		if err == nil {
			s.put(gc, c)
			return nil
		}
		_ = gc.CloseWithSMTPClient(c)
		var se *gomail.SendError
		if !errors.As(err, &se) || se.Reason != gomail.ErrConnCheck {
			return s.sendError(err)
		}
		// The kept connection had gone stale; nothing was sent on it.
		if msg, err = build(m, s.from); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	c, err := gc.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("mail: connect to %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	if err := gc.SendWithSMTPClient(c, msg); err != nil {
		_ = gc.CloseWithSMTPClient(c)
		return s.sendError(err)
	}
	s.put(gc, c)
	return nil
}

// sendError describes a failed send; a permanent refusal by the server
// (a 5xx reply, such as an unknown recipient) wraps patchwork.ErrPermanent.
func (s *SMTPSender) sendError(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return fmt.Errorf("mail: send via %s:%d: %w: %w", s.cfg.Host, s.cfg.Port, patchwork.ErrPermanent, err)
	}
	return fmt.Errorf("mail: send via %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
}
