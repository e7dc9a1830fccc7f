package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"patchwork/sqldb/sqldbtest"
)

// TestGracefulDrain: on SIGTERM (the context's cancel) an instance first
// answers /readyz with 503 for the drain delay while still serving pages,
// so a load balancer moves requests elsewhere before it stops listening.
func TestGracefulDrain(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "pw.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", dbPath, "--drain-delay", "15s"}, pw, io.Discard)
		pw.Close()
	}()
	var site string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Patchwork is running") {
			site = regexp.MustCompile(`http://[0-9.:]+`).FindString(sc.Text())
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if site == "" {
		t.Fatal("serve printed no URL")
	}
	status := func(path string) int {
		res, err := http.Get(site + path)
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	sqldbtest.Eventually(t, time.Minute, "ready before shutdown", func() bool { return status("/readyz") == http.StatusOK })
	cancel()
	sqldbtest.Eventually(t, 10*time.Second, "/readyz 503 while draining", func() bool {
		return status("/readyz") == http.StatusServiceUnavailable
	})
	if got := status("/login"); got != http.StatusOK {
		t.Errorf("while draining, /login answered %d, want 200", got)
	}
	if got := status("/healthz"); got != http.StatusOK {
		t.Errorf("while draining, /healthz answered %d, want 200", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop after the drain delay")
	}
}
