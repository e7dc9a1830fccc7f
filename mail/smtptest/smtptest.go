// Package smtptest runs a real SMTP server in the test process
// (github.com/emersion/go-smtp) that records every message it accepts, with
// its envelope and raw bytes. It can be told to refuse mail with a 4xx reply
// to act as an SMTP server that is down.
package smtptest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	Raw  []byte   // the DATA, as received
	User string   // the authenticated user, if any
}

// Header parses the message and returns the named header field.
func (m *Message) Header(name string) string {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return ""
	}
	return msg.Header.Get(name)
}

// Server is an in-process SMTP server.
type Server struct {
	// Addr is host:port of the listener, such as 127.0.0.1:41234.
	Addr string
	// Username and Password, when set before use, are required through
	// AUTH PLAIN.
	Username, Password string

	srv      *smtp.Server
	mu       sync.Mutex
	msgs     []*Message
	rejected map[string]bool
	refuse   bool
	refused  int
	conns    []*smtp.Conn
	// hold, when set, is a channel each message's DATA waits on before it
	// is accepted (Hold, Release); holding counts the messages waiting.
	hold    chan struct{}
	holding int
	// arrived is closed, and replaced, whenever a message is accepted, so
	// that WaitFor wakes on arrivals instead of polling.
	arrived chan struct{}
}

// Start starts a server on 127.0.0.1:0 and stops it when tb ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{arrived: make(chan struct{})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	s.Addr = l.Addr().String()
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		return &session{s: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.ErrorLog = nopLogger{}
	go s.srv.Serve(l)
	tb.Cleanup(func() { s.srv.Close() })
	return s
}

// URL returns a PATCHWORK_SMTP_URL for the server (no TLS).
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.Addr, RawQuery: "tls=none"}
	if s.Username != "" {
		u.User = url.UserPassword(s.Username, s.Password)
	}
	return u.String()
}

// Refuse makes the server answer every MAIL command with "451 try again
// later" (refuse=true), as a server that is down or overloaded would, or
// accept mail again (refuse=false).
func (s *Server) Refuse(refuse bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = refuse
}

// RejectRecipient makes the server refuse mail to addr for good ("550
// no such user"), as a server does for an address that does not exist.
func (s *Server) RejectRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rejected == nil {
		s.rejected = map[string]bool{}
	}
	s.rejected[addr] = true
}

// AcceptRecipient undoes RejectRecipient: mail to addr is accepted again,
// as once an address is mended.
func (s *Server) AcceptRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rejected, addr)
}

// Connections returns how many SMTP sessions clients have opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// DropConnections closes every open connection, as a server does to idle
// clients.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := s.conns
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// Hold makes the server keep every message waiting at DATA, as a very slow
// mail server does, until Release.
func (s *Server) Hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold == nil {
		s.hold = make(chan struct{})
	}
}

// Release lets the held messages, and every later one, through.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// Holding returns how many messages are waiting at DATA.
func (s *Server) Holding() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holding
}

// Refused returns how many messages were refused.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Messages returns a copy of the list of accepted messages, oldest first.
func (s *Server) Messages() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.msgs...)
}

// WaitFor waits until at least n messages have been accepted since the
// last Reset, or timeout has passed, and returns the messages accepted by
// then: the caller checks how many it got.
func (s *Server) WaitFor(n int, timeout time.Duration) []*Message {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		msgs, arrived := append([]*Message(nil), s.msgs...), s.arrived
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-arrived:
		case <-deadline.C:
			return s.Messages()
		}
	}
}

// To returns the accepted messages with addr among their recipients.
func (s *Server) To(addr string) []*Message {
	var out []*Message
	for _, m := range s.Messages() {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// Reset forgets the accepted messages.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
}

type session struct {
	s    *Server
	user string
	msg  *Message
}

var errTryLater = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message: "Service temporarily unavailable, try again later"}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.Username || password != ss.s.Password {
			return errors.New("invalid username or password")
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.refuse {
		ss.s.refused++
		return errTryLater
	}
	if ss.s.Username != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.msg = &Message{From: from, User: ss.user}
	return nil
}

func (ss *session) Rcpt(to string, opts *smtp.RcptOptions) error {
	if ss.msg == nil {
		return errTryLater
	}
	ss.s.mu.Lock()
	rejected := ss.s.rejected[to]
	ss.s.mu.Unlock()
	if rejected {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.msg == nil {
		return errTryLater
	}
	ss.s.mu.Lock()
	hold := ss.s.hold
	if hold != nil {
		ss.s.holding++
	}
	ss.s.mu.Unlock()
	if hold != nil {
		<-hold
		ss.s.mu.Lock()
		ss.s.holding--
		ss.s.mu.Unlock()
	}
	ss.msg.Raw = b
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, ss.msg)
	close(ss.s.arrived)
	ss.s.arrived = make(chan struct{})
	ss.s.mu.Unlock()
	ss.msg = nil
	return nil
}

func (ss *session) Reset()        { ss.msg = nil }
func (ss *session) Logout() error { return nil }

type nopLogger struct{}

func (nopLogger) Printf(string, ...interface{}) {}
func (nopLogger) Println(...interface{})        {}
