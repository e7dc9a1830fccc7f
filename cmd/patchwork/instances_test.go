package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"patchwork/sqldb/sqldbtest"
)

// TestInstancesStartedTogetherSeedOnce starts three `serve --demo` instances
// at once on one PostgreSQL database: each comes up, and the demo network
// is seeded once — not every agency three times, nor a conflict that stops
// two of them.
func TestInstancesStartedTogetherSeedOnce(t *testing.T) {
	db := sqldbtest.MustOpen(t, "postgres")
	dsn := sqldbtest.DSN(t, db)
	keyFile := sqldbtest.AuditConfig(t, db).KeyFile
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 3
	var wg sync.WaitGroup
	up := make(chan error, n)
	done := make(chan error, n)
	for i := range n {
		checkpoint := filepath.Join(t.TempDir(), fmt.Sprintf("checkpoint-%d", i))
		pr, pw := io.Pipe()
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", dsn,
				"--audit-key-file", keyFile, "--audit-checkpoint-file", checkpoint}, pw, io.Discard)
			pw.CloseWithError(fmt.Errorf("serve returned %v", err))
			done <- err
		}()
		go func() {
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				if strings.Contains(sc.Text(), "password: demo") {
					up <- nil
					io.Copy(io.Discard, pr)
					return
				}
			}
			up <- fmt.Errorf("instance stopped before serving: %v", sc.Err())
		}()
	}
	for range n {
		select {
		case err := <-up:
			if err != nil {
				t.Fatal(err)
			}
		case err := <-done:
			t.Fatalf("an instance exited while starting: %v", err)
		case <-time.After(5 * time.Minute):
			t.Fatal("instances did not come up")
		}
	}
	if got := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agencies WHERE name = 'North Children''s Services'`); got != 1 {
		t.Errorf("the demo agency is there %d times, want once", got)
	}
	if got := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agents WHERE email = 'agent1@patchwork.test'`); got != 1 {
		t.Errorf("the demo agent is there %d times, want once", got)
	}
	cancel()
	wg.Wait()
	for range n {
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	}
}
