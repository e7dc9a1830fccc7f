package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestUnusualAccessPlans: each detection query reads its day of one
// action through audit_action_at, and the inactivity rule an agent's
// recent sign-ins through an index, on both databases: none scans the
// whole audit log.
func TestUnusualAccessPlans(t *testing.T) {
	// The aliases each query gives audit_events, and the index it must use.
	want := map[string]struct {
		aliases []string
		index   string
	}{
		"team churn":    {[]string{"audit_events"}, "audit_action_at"},
		"outside views": {[]string{"v"}, "audit_action_at"},
		"search counts": {[]string{"audit_events"}, "audit_action_at"},
		"inactivity":    {[]string{"e"}, ""},
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		for name, q := range sqldb.UnusualAccessQueries {
			plan, err := db.ExplainForTest(q.SQL, q.Args...)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			w := want[name]
			if !strings.Contains(plan, w.index) {
				t.Errorf("%s does not use %s:\n%s", name, w.index, plan)
			}
			for _, line := range strings.Split(plan, "\n") {
				for _, alias := range w.aliases {
					// SQLite's "SCAN e", PostgreSQL's "Seq Scan on audit_events e".
					if strings.Contains(line, "Seq Scan on audit_events") || strings.HasSuffix(strings.TrimSpace(line), "SCAN "+alias) {
						t.Errorf("%s scans the audit log:\n%s", name, plan)
					}
				}
			}
		}
	})
}

// BenchmarkUnusualAccess times one detection run over a day of 30,000
// audit rows (views, searches, joins and leaves of 100 agents) on top of
// 30,000 rows of the day before that it reads too.
func BenchmarkUnusualAccess(b *testing.B) {
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			db := sqldbtest.MustOpen(b, d)
			clock := sqldbtest.NewClock(db)
			w := sqldbtest.MustWorld(b, db)
			creator := w.MustAgent(b, "Cora Creator", w.Council, w.LocalA)
			cl := w.MustClient(b, creator, "Bench", "Watched", "01/02/2003")
			var agents []*patchwork.Agent
			for i := range 100 {
				agents = append(agents, w.MustAgent(b, fmt.Sprintf("Agent %d", i), w.Council, w.LocalA))
			}
			actions := []string{patchwork.AuditClientView, patchwork.AuditClientSearch, patchwork.AuditTeamJoin, patchwork.AuditTeamLeave}
			for day := range 2 {
				var wg sync.WaitGroup
				for g := range 16 {
					wg.Add(1)
					go func(g int) {
						defer wg.Done()
						for i := g; i < 30000; i += 16 {
							ctx := sqldbtest.As(agents[i%len(agents)])
							if err := db.AuditRead(ctx, actions[i%len(actions)], cl.ID, ""); err != nil {
								b.Error(err)
								return
							}
						}
					}(g)
				}
				wg.Wait()
				if day == 0 {
					clock.Add(24 * time.Hour)
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := db.RunUnusualAccess(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
