package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"patchwork/sqldb/sqldbtest"
)

// TestServeDemoAndShutdown runs the README's command on a fresh database:
// it seeds, prints the URL and demo sign-ins, serves, and stops cleanly when
// the signal context is cancelled.
func TestServeDemoAndShutdown(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "pw.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", dbPath}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var url string
	var out []string
	for sc.Scan() {
		out = append(out, sc.Text())
		if m := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(sc.Text()); m != "" {
			url = m
		}
		if strings.Contains(sc.Text(), "password: demo") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if url == "" {
		t.Fatalf("no URL printed:\n%s", strings.Join(out, "\n"))
	}
	if !strings.Contains(strings.Join(out, "\n"), "agent1@patchwork.test") {
		t.Fatalf("demo sign-ins not printed:\n%s", strings.Join(out, "\n"))
	}
	res, err := http.Get(url + "healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()
	// Ready once the worker has made its first claim.
	sqldbtest.Eventually(t, time.Minute, "/readyz answers 200", func() bool {
		res, err := http.Get(url + "readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	// The seeded demo sign-ins have accepted the terms of use: signing in
	// leads to the dashboard, not the terms page.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err = c.PostForm(url+"login", neturl.Values{"email": {"agent1@patchwork.test"}, "password": {"demo"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" {
		t.Fatalf("demo sign-in ended at %s (%d), want the dashboard", res.Request.URL.Path, res.StatusCode)
	}
	res, err = http.Get(url + "login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Contains(body, []byte("Demo — test data only")) {
		t.Fatal("demo banner missing")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
	// A second start on the same database does not seed again.
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--db", dbPath}, &stdout, io.Discard); err == nil {
		t.Fatal("demo seeded a database that already holds data")
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"audit", "verify", "--db", dbPath}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "Audit log intact") {
		t.Fatalf("audit verify: %s", stdout.String())
	}
}

func TestAdminCreateAgent(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "pw.db")
	t.Setenv("PATCHWORK_PASSWORD", "a long enough password")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"admin", "create-agent", "--db", dbPath, "--email", "Lead@Council.test",
		"--name", "Lee Lead", "--agency", "County Council", "--admin"}, &stdout, &stderr)
	if err != nil || !strings.Contains(stdout.String(), "lead@council.test") {
		t.Fatalf("create-agent: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	t.Setenv("PATCHWORK_PASSWORD", "short")
	err = run(context.Background(), []string{"admin", "create-agent", "--db", dbPath, "--email", "b@council.test",
		"--name", "B", "--agency-id", "1"}, &stdout, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "Password must be 12 characters or more") {
		t.Fatalf("short password: %v\n%s", err, stderr.String())
	}
	// Long enough, but on the list of common passwords (in another case).
	stderr.Reset()
	t.Setenv("PATCHWORK_PASSWORD", "1QAZ2WSX3EDC")
	err = run(context.Background(), []string{"admin", "create-agent", "--db", dbPath, "--email", "c@council.test",
		"--name", "C", "--agency-id", "1"}, &stdout, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "too common") {
		t.Fatalf("common password: %v\n%s", err, stderr.String())
	}
	// The sign-in address must be one plain address.
	t.Setenv("PATCHWORK_PASSWORD", "a long enough password")
	for _, email := range []string{"x@council.test?cc=evil@evil.example&bcc=spy@evil.example", "Lee <lee@council.test>",
		"a@council.test,b@council.test", "lee\x00@council.test"} {
		stderr.Reset()
		err = run(context.Background(), []string{"admin", "create-agent", "--db", dbPath, "--email", email,
			"--name", "Hal Hostile", "--agency-id", "1"}, &stdout, &stderr)
		if err == nil || !strings.Contains(stderr.String(), "email:") {
			t.Errorf("create-agent --email %q: %v\n%s", email, err, stderr.String())
		}
	}
}

func TestLoggerRedactsClientData(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf)
	log.Info("oops", "name", "Jamie Smith", "dob", "2012-03-27", "path", "/clients/7")
	out := buf.String()
	if strings.Contains(out, "Jamie") || strings.Contains(out, "2012-03-27") || !strings.Contains(out, "/clients/7") {
		t.Fatalf("log line = %s", out)
	}
}

// TestSearchEvalNeedsNamedDatabase covers the guard of the evaluation,
// which writes to the database it measures: the deployment's database from
// PATCHWORK_DATABASE is never used, and nothing is opened or created.
func TestSearchEvalNeedsNamedDatabase(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "deployment.db")
	t.Setenv("PATCHWORK_DATABASE", dbPath)
	err := run(context.Background(), []string{"search-eval", "--engines", "matcher"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--db") {
		t.Fatalf("search-eval without --db: %v, want a refusal naming --db", err)
	}
	if _, err := os.Stat(dbPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the environment's database was opened: %v", err)
	}
}
