package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"patchwork/mail/smtptest"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// The failure drills of docs/deploy.md: real `patchwork serve` processes
// (this test binary re-executed as the command), a real SMTP server, and on
// PostgreSQL nginx from Debian's packages spreading requests across three
// instances. An instance is killed with SIGKILL in the middle of a write
// load; afterwards every acknowledged write is there exactly once, every
// email is sent (at least once, by Message-ID), and the audit log verifies.

// instance is one running `patchwork serve` process.
type instance struct {
	cmd  *exec.Cmd
	addr string // host:port it listens on
	done chan error
}

func startInstance(t *testing.T, args ...string) *instance {
	t.Helper()
	return startInstanceLogging(t, io.Discard, args...)
}

// startInstanceLogging is startInstance with the instance's log (its
// standard error) written to logs.
func startInstanceLogging(t *testing.T, logs io.Writer, args ...string) *instance {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), "PATCHWORK_TEST_RUN_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in := &instance{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`Patchwork is running at http://([0-9.:]+)/`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	go func() { in.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-in.done:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
		}
	})
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatal("an instance exited before serving")
		}
		in.addr = a
	case <-time.After(5 * time.Minute):
		t.Fatal("an instance did not start")
	}
	return in
}

// kill stops the instance the hard way: no drain, no last checkpoint.
func (in *instance) kill(t *testing.T) {
	t.Helper()
	if err := in.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-in.done
	in.done <- nil // for the cleanup
}

// requireNginx returns nginx's path, skipping locally (failing in CI) when
// it is not installed.
func requireNginx(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("nginx")
	if err == nil {
		return p
	}
	if p := "/usr/sbin/nginx"; fileExists(p) {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("nginx is required in CI (apt-get install nginx-light); .ci/run installs it")
	}
	t.Skip("skipping the multi-instance drill: nginx is not installed (apt-get install nginx-light)")
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// startNginx balances across the instances' addresses and returns its URL.
func startNginx(t *testing.T, addrs []string) string {
	t.Helper()
	bin := requireNginx(t)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var servers strings.Builder
	for _, a := range addrs {
		fmt.Fprintf(&servers, "    server %s max_fails=1 fail_timeout=2s;\n", a)
	}
	conf := fmt.Sprintf(`daemon off;
user root;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  upstream patchwork {
%[2]s    keepalive 16;
  }
  server {
    listen 127.0.0.1:%[3]d;
    location / {
      proxy_pass http://patchwork;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 1s;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`, dir, servers.String(), port)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", confPath, "-p", dir)
	out, _ := os.Create(filepath.Join(dir, "stderr"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	sqldbtest.Eventually(t, time.Minute, "nginx answers", func() bool {
		res, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	return base
}

// agentClient is a demo agent signed in through base, with a client whose
// team they are on.
type agentClient struct {
	c        *http.Client
	clientID int64
}

func signInDemo(t *testing.T, base, email string, clientID int64) *agentClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {"demo"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, res.StatusCode)
	}
	// serve asks every agent to accept its terms of use first.
	res, err = c.PostForm(base+"/terms", url.Values{"accept": {"yes"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept the terms as %s: %d", email, res.StatusCode)
	}
	return &agentClient{c: c, clientID: clientID}
}

// demoAgents returns n demo agents with a client of theirs whose team has
// at least one other member (so raising an attention emails someone).
func demoAgents(t *testing.T, db *sqldb.DB, n int) map[string]int64 {
	t.Helper()
	read, _ := db.SQL()
	rows, err := read.Query(`SELECT a.email, MIN(m.client_id) FROM agents a
		JOIN memberships m ON m.agent_id = a.id AND m.left_at IS NULL
		WHERE a.email LIKE 'agent%@patchwork.test'
		  AND (SELECT COUNT(*) FROM memberships o WHERE o.client_id = m.client_id AND o.left_at IS NULL) > 1
		GROUP BY a.email ORDER BY a.email`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() && len(out) < n {
		var email string
		var id int64
		if err := rows.Scan(&email, &id); err != nil {
			t.Fatal(err)
		}
		out[email] = id
	}
	if len(out) < n {
		t.Fatalf("only %d demo agents with a shared client", len(out))
	}
	return out
}

// writeLoad raises attentions as each agent until stop is closed, and
// returns the messages of the ones acknowledged (303).
type writeLoad struct {
	mu    sync.Mutex
	acked []string
	n     atomic.Int64
	stop  chan struct{}
	wg    sync.WaitGroup
}

func startWriteLoad(base string, agents []*agentClient) *writeLoad {
	l := &writeLoad{stop: make(chan struct{})}
	for g, a := range agents {
		l.wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				msg := fmt.Sprintf("drill %d-%d %d", g, i, time.Now().UnixNano())
				res, err := a.c.PostForm(fmt.Sprintf("%s/clients/%d/attentions", base, a.clientID),
					url.Values{"category": {"update"}, "message": {msg}})
				if err != nil {
					continue // not acknowledged
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusSeeOther {
					l.mu.Lock()
					l.acked = append(l.acked, msg)
					l.mu.Unlock()
					l.n.Add(1)
				}
			}
		})
	}
	return l
}

func (l *writeLoad) waitFor(t *testing.T, n int64, what string) {
	t.Helper()
	sqldbtest.Eventually(t, 5*time.Minute, what, func() bool { return l.n.Load() >= n })
}

func (l *writeLoad) finish() []string {
	close(l.stop)
	l.wg.Wait()
	return l.acked
}

// checkDrill: every acknowledged write is there once; every email job is
// done and its email reached the SMTP server (duplicates only from the
// killed instance's email in hand); the audit log verifies.
func checkDrill(t *testing.T, db *sqldb.DB, smtp *smtptest.Server, acked []string, killed int, verifyArgs []string) {
	t.Helper()
	for _, m := range acked {
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM attentions WHERE message = $1`, m); n != 1 {
			t.Errorf("acknowledged attention %q is there %d times, want once", m, n)
		}
	}
	// The killed instance's claimed email is taken over once its lease ends.
	sqldbtest.Eventually(t, 5*time.Minute, "every email job done", func() bool {
		return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = 'send_email' AND status <> 'done'`) == 0
	})
	read, _ := db.SQL()
	rows, err := read.Query(`SELECT DISTINCT job_id FROM notifications WHERE delivery = 'immediate' AND job_id IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("patchwork.job-%d@", id))
	}
	rows.Close()
	if len(want) < len(acked) {
		t.Fatalf("%d emails planned for %d attentions raised", len(want), len(acked))
	}
	msgs := smtp.WaitFor(len(want), time.Minute)
	seen := map[string]int{}
	for _, m := range msgs {
		id := strings.Trim(m.Header("Message-ID"), "<>")
		seen[id[:strings.Index(id, "@")+1]]++
	}
	dups := 0
	for _, w := range want {
		switch n := seen[w]; {
		case n == 0:
			t.Errorf("email %s… was never sent", w)
		case n > 1:
			dups += n - 1
		}
	}
	if dups > killed {
		t.Errorf("%d duplicate emails; only the killed instances' emails in hand (%d) may go twice", dups, killed)
	}
	if code, out := runPatchwork(t, append([]string{"audit", "verify"}, verifyArgs...)...); code != 0 {
		t.Errorf("audit verify after the drill: exit %d\n%s", code, out)
	}
	t.Logf("%d acknowledged writes, %d emails, %d duplicates", len(acked), len(want), dups)
}

// TestDrillThreeInstancesPostgres: three instances behind nginx on one
// PostgreSQL database; sessions work on every instance; one is killed with
// SIGKILL during a mixed write load; the others carry on, and nothing
// acknowledged is lost.
func TestDrillThreeInstancesPostgres(t *testing.T) {
	t.Parallel()
	requireNginx(t)
	db := sqldbtest.MustOpen(t, "postgres")
	dsn := sqldbtest.DSN(t, db)
	key := sqldbtest.AuditConfig(t, db).KeyFile
	smtp := smtptest.Start(t)
	var ins []*instance
	var addrs []string
	checkpoints := t.TempDir()
	for i := range 3 {
		in := startInstance(t, "--demo", "--addr", "127.0.0.1:0", "--db", dsn, "--audit-key-file", key,
			"--audit-checkpoint-file", filepath.Join(checkpoints, fmt.Sprintf("checkpoint-%d", i)),
			"--smtp-url", smtp.URL(), "--worker-batch", "1", "--search-rate-limit", "-1", "--join-limit", "-1",
			"--trusted-proxies", "127.0.0.1")
		ins = append(ins, in)
		addrs = append(addrs, in.addr)
	}
	base := startNginx(t, addrs)

	// One session, served by every instance in turn.
	agents := demoAgents(t, db, 6)
	var clients []*agentClient
	for email, id := range agents {
		clients = append(clients, signInDemo(t, base, email, id))
	}
	upstreams := map[string]bool{}
	for range 9 {
		res, err := clients[0].c.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Sign out") {
			t.Fatalf("signed-in dashboard via %s: %d", res.Header.Get("X-Upstream"), res.StatusCode)
		}
		upstreams[res.Header.Get("X-Upstream")] = true
	}
	if len(upstreams) != 3 {
		t.Fatalf("the session was served by %v, want all three instances", upstreams)
	}

	load := startWriteLoad(base, clients)
	load.waitFor(t, 30, "30 writes acknowledged before the kill")
	ins[1].kill(t)
	before := load.n.Load()
	load.waitFor(t, before+30, "30 more writes acknowledged by the survivors")
	acked := load.finish()
	checkDrill(t, db, smtp, acked, 1, []string{"--db", dsn, "--audit-key-file", key,
		"--audit-checkpoint-file", filepath.Join(checkpoints, "checkpoint-0")})
}

// TestDrillKillAndRestartSQLite: the single-server shape. The one instance
// is killed with SIGKILL during the write load and started again on the
// same file; nothing acknowledged is lost and the queued emails go out.
func TestDrillKillAndRestartSQLite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "drill.db")
	smtp := smtptest.Start(t)
	args := []string{"--demo", "--addr", "127.0.0.1:0", "--db", dbPath, "--smtp-url", smtp.URL(),
		"--worker-batch", "1", "--search-rate-limit", "-1", "--join-limit", "-1"}
	in := startInstance(t, args...)
	db, err := sqldb.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	agents := demoAgents(t, db, 4)
	base := "http://" + in.addr
	var clients []*agentClient
	for email, id := range agents {
		clients = append(clients, signInDemo(t, base, email, id))
	}
	load := startWriteLoad(base, clients)
	load.waitFor(t, 30, "30 writes acknowledged before the kill")
	in.kill(t)
	acked := load.finish()

	in = startInstance(t, args...)
	base = "http://" + in.addr
	clients = clients[:0]
	for email, id := range agents {
		clients = append(clients, signInDemo(t, base, email, id))
	}
	load = startWriteLoad(base, clients)
	load.waitFor(t, 10, "writes acknowledged after the restart")
	acked = append(acked, load.finish()...)
	checkDrill(t, db, smtp, acked, 1, []string{"--db", dbPath})
}
