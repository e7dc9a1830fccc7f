package web_test

import (
	"net/http"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
)

// TestDuplicateScanQueued: POST /admin/duplicates/scan scans nothing
// itself: it queues one duplicate_scan job for the worker and answers 303
// back to the queue, which then says a scan is queued; a second POST while
// it waits queues no other and says so; once it has run, the page says
// when the queue was refreshed.
func TestDuplicateScanQueued(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		onA := e.MustAgent(t, "Ali OnA", e.Council, e.LocalA)
		e.MustClient(t, onA, "Jordan", "Merriweather", "04/05/2011")
		e.MustClient(t, onA, "Jordan", "Merriwether", "04/05/2011")
		admin := e.signedIn(t, e.MustAreaAdmin(t, "Nadia Northadmin", e.Council, e.District))
		scans := func(status string) int {
			return mustCount(t, e, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = $2`, sqldb.JobDuplicateScan, status)
		}
		runScenarios(t,
			scenario{name: "nothing queued yet", as: admin, path: "/admin/duplicates", status: http.StatusOK,
				contains: []string{"The queue has not been refreshed yet", "Look for duplicates now"}, notContains: []string{"A scan is queued"}},
			scenario{name: "ask for a scan", as: admin, method: "POST", path: "/admin/duplicates/scan",
				status: http.StatusSeeOther, location: "/admin/duplicates", after: func(t *testing.T, r response) {
					if n := scans("queued"); n != 1 {
						t.Fatalf("queued scans = %d, want 1", n)
					}
					if n := mustCount(t, e, `SELECT COUNT(*) FROM duplicate_pairs`); n != 0 {
						t.Fatalf("the request scanned: %d pairs", n)
					}
				}},
			scenario{name: "the flash and the state say queued", as: admin, path: "/admin/duplicates", status: http.StatusOK,
				contains: []string{"A scan has been queued", "A scan is queued: it was asked for just now"}},
			scenario{name: "ask again while it waits", as: admin, method: "POST", path: "/admin/duplicates/scan",
				status: http.StatusSeeOther, location: "/admin/duplicates", after: func(t *testing.T, r response) {
					if n := scans("queued"); n != 1 {
						t.Fatalf("queued scans = %d after a second request, want 1", n)
					}
				}},
			scenario{name: "which says so", as: admin, path: "/admin/duplicates", status: http.StatusOK,
				contains: []string{"A scan is queued already, so no other was queued"}},
		)
		// A worker claims it: the page says it is running.
		jobs, err := e.DB.ClaimJobs(t.Context(), "w1", 10, time.Hour)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("claimed %v, %v", jobs, err)
		}
		runScenarios(t,
			scenario{name: "running", as: admin, path: "/admin/duplicates", status: http.StatusOK,
				contains: []string{"A scan is running: it started just now"}},
			scenario{name: "ask while it runs", as: admin, method: "POST", path: "/admin/duplicates/scan",
				status: http.StatusSeeOther, location: "/admin/duplicates"},
			scenario{name: "which says so", as: admin, path: "/admin/duplicates", status: http.StatusOK,
				contains: []string{"A scan is running already, so no other was queued"}},
		)
		if n := mustCount(t, e, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, sqldb.JobDuplicateScan); n != 1 {
			t.Fatalf("scans = %d, want 1", n)
		}
		// The worker's run, as it does it.
		if _, err := sqldb.NewMergeService(e.DB).ScanDuplicates(patchwork.NewSystemContext(t.Context())); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.CompleteJob(t.Context(), jobs[0].ID); err != nil {
			t.Fatal(err)
		}
		runScenarios(t,
			scenario{name: "refreshed", as: admin, path: "/admin/duplicates", status: http.StatusOK,
				contains:    []string{"The queue was last refreshed just now", "1 likely pair", "Jordan Merriwether"},
				notContains: []string{"A scan is queued", "A scan is running"}},
		)
	})
}
