package sqldbtest

import (
	"testing"
	"time"
)

// pollEvery is how often Eventually looks again: often enough that a test
// goes on within milliseconds of its condition holding.
const pollEvery = 5 * time.Millisecond

// Eventually fails tb unless cond holds within timeout. It looks at once
// and then every few milliseconds, so a test waits for what it needs, as
// long as that takes on a busy machine, and never for a fixed time.
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	if cond() {
		return
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if cond() {
				return
			}
		case <-deadline.C:
			if cond() {
				return
			}
			tb.Fatalf("waited %v for %s", timeout, what)
		}
	}
}
