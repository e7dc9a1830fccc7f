package worker_test

import (
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestDigestOnceAcrossClockJumps: the clock of every instance jumps — NTP
// stepping it, an operator setting it — forwards and back, by hours and by
// a day. Each agent still gets one daily digest per digest run and never a
// second for the same day; what happened is told once, in the first digest
// after it; an email due at once is sent at once even after the clock went
// back past the moment it was queued.
func TestDigestOnceAcrossClockJumps(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := e.world
		alice := w.MustAgent(t, "Alice Able", w.Council, w.LocalA)
		bob := w.MustAgent(t, "Bob Baker", w.Council, w.LocalA)
		e.setPrefs(t, bob, patchwork.NotifyDaily)
		c := e.mustSecretClient(t, alice, "Zebedee")
		w.MustJoin(t, bob, c)
		e.at(t, 2026, 11, 23, 8, 0) // Monday; the join goes out in the 23rd's digest
		e.smtp.Reset()
		daily := func(n int) []string {
			if n == 1 {
				return []string{"Your daily Patchwork summary: 1 update on 1 client"}
			}
			return []string{"Your daily Patchwork summary: " + string(rune('0'+n)) + " updates on 1 client"}
		}
		event := func() { e.event(t, c, alice, patchwork.ActivityClientUpdated, "") }
		london := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, e.loc) }
		step := func(what string, to time.Time, want map[*patchwork.Agent][]string) {
			t.Helper()
			e.clk.Set(to)
			drain(t, e.w)
			e.expect(t, what, want)
		}

		// The 24th's digest goes out at 07:00; then the clock is set back
		// two hours, across the digest hour.
		event()
		step("the 24th's digest", london(24, 7, 5), map[*patchwork.Agent][]string{bob: daily(1)})
		step("two hours back, before the digest hour", london(24, 5, 5), nil)
		event() // stamped 05:05 on the 24th, after that day's digest ran
		step("the digest hour again", london(24, 7, 5), nil)
		step("later that day", london(24, 12, 0), nil)

		// Forwards across the digest hour by two hours: the 25th's digest
		// is sent, late, once.
		step("the 25th before the digest hour", london(25, 6, 0), nil)
		event()
		step("two hours forwards, past the digest hour", london(25, 8, 0), map[*patchwork.Agent][]string{bob: daily(2)})
		step("the 25th later", london(25, 9, 0), nil)

		// A day and more forwards: the 26th's digest never came due by
		// this clock; the 27th's tells everything since the 25th's.
		event()
		step("a day and two hours forwards", london(26, 11, 0).Add(24*time.Hour), map[*patchwork.Agent][]string{bob: daily(1)})

		// A whole day back: the 26th's run now comes due, late, and finds
		// nothing untold; the 27th's digest is not sent again.
		step("a day back", london(26, 11, 0), nil)
		event()
		step("the 27th's digest hour again", london(27, 7, 5), nil)
		step("the 28th's digest", london(28, 7, 5), map[*patchwork.Agent][]string{bob: daily(1)})

		// An attention is queued, and the clock goes back two hours before
		// the worker's next round: it goes now, not two hours late.
		step("the 28th later", london(28, 10, 0), nil)
		e.event(t, c, bob, patchwork.ActivityAttentionRaised, "")
		step("an attention sent after the clock went back", london(28, 8, 0),
			map[*patchwork.Agent][]string{alice: {"Attention raised: client " + patchwork.ClientRef(c.ID)}})
	})
}
