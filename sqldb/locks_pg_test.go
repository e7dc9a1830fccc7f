package sqldb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestDirectoryRebuildDuringAuditAppends rebuilds the phone book's index
// while agents change their profiles. A profile change rewrites the agent's
// words and then takes the audit lock to append its audit row; the rebuild
// holds its own lock while it rewrites every agent's words. When the two
// locks shared a key, the rebuild waited for a profile change's words while
// that change waited for the rebuild's lock: PostgreSQL found the deadlock
// and aborted one of them. Both must now finish, within the deadline.
func TestDirectoryRebuildDuringAuditAppends(t *testing.T) {
	db := sqldbtest.MustOpen(t, "postgres")
	w := sqldbtest.MustWorld(t, db)
	var agents []*patchwork.Agent
	for i := range 5 {
		agents = append(agents, w.MustAgent(t, fmt.Sprintf("Lena Locktest%d", i), w.Council, w.LocalA))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const rounds = 12
	svc := sqldb.NewAgentService(db)
	errs := make(chan error, len(agents)*rounds+rounds)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range rounds {
			if err := db.ReindexDirectory(ctx); err != nil {
				errs <- fmt.Errorf("rebuild: %w", err)
			}
		}
	}()
	for _, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			as := patchwork.NewContextWithCaller(ctx, a)
			for i := range rounds {
				_, err := svc.UpdateProfile(as, patchwork.AgentUpdate{Name: fmt.Sprintf("%s Round%d", a.Name, i),
					Role: fmt.Sprintf("Worker %d", i), PreferredContact: patchwork.ContactEmail, AreaIDs: []int64{w.LocalA.ID}})
				if err != nil {
					errs <- fmt.Errorf("profile change of %s: %w", a.Name, err)
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("rebuild and profile changes did not finish within the deadline: they wait for each other")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	if err := db.QueryRowForTest(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditProfile).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(agents)*rounds {
		t.Errorf("audit rows of profile changes = %d, want %d", n, len(agents)*rounds)
	}
}
