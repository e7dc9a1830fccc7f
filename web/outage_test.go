package web_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// tcpProxy stands between Patchwork and PostgreSQL so a test can take the
// database away — every connection reset, new ones refused, as a restart
// does — and give it back.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *tcpProxy) serve(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.mu.Unlock()
	u, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[u] = true, true
	p.mu.Unlock()
	go func() { io.Copy(u, c); u.Close() }()
	io.Copy(c, u)
	c.Close()
}

// cut resets every connection and refuses new ones until restore.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *tcpProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// TestDatabaseRestartMidLoad: while PostgreSQL is away, pages fail fast
// with a friendly "unavailable for a moment" page (503, Retry-After), not a
// hang or a bare error; when it is back, the same signed-in session works
// again by itself, with no restart of Patchwork.
func TestDatabaseRestartMidLoad(t *testing.T) {
	orig := sqldbtest.MustOpen(t, "postgres")
	dsn, err := url.Parse(sqldbtest.DSN(t, orig))
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, dsn.Host)
	dsn.Host = proxy.ln.Addr().String()
	db, err := sqldb.Open(context.Background(), dsn.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := sqldbtest.AuditConfig(t, orig)
	cfg.CheckpointFile = filepath.Join(t.TempDir(), "checkpoint")
	db.SetAuditKeyConfig(cfg)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, db, app.Options{})
	a := e.MustAgent(t, "Olu Outage", e.Council)
	cl := e.MustClient(t, a, "Ola", "Outage", "2014-02-03")
	b := e.signedIn(t, a)
	page := fmt.Sprintf("/clients/%d", cl.ID)
	b.get(page).must(t, http.StatusOK, "Ola")

	proxy.cut()
	b.c.Timeout = 15 * time.Second // failing fast: a hang would end the test here
	for _, req := range []func() response{
		func() response { return b.get(page) },
		func() response { return b.get("/") },
		func() response {
			return b.post(page+"/attentions", url.Values{"category": {"update"}, "message": {"Seen at school"}})
		},
	} {
		r := req()
		r.must(t, http.StatusServiceUnavailable, "Patchwork is unavailable for a moment")
		if r.header.Get("Retry-After") == "" {
			t.Error("no Retry-After on the unavailable page")
		}
		if strings.Contains(r.body, "Ola") {
			t.Error("the unavailable page shows client data")
		}
	}

	proxy.restore()
	sqldbtest.Eventually(t, time.Minute, "the client page answers again", func() bool {
		return b.get(page).status == http.StatusOK
	})
	b.get(page).must(t, http.StatusOK, "Ola")
	r := b.post(page+"/attentions", url.Values{"category": {"update"}, "message": {"Seen at school"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("raising an attention after the restart: %d", r.status)
	}
}
