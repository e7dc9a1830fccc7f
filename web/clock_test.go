package web_test

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// jumpClock is the system clock of a drill: time passes (the wall clock
// and the clock nobody sets both move) or the wall clock alone is set,
// forwards or back. Patchwork reads it through a SteadyClock, as serve
// does.
type jumpClock struct {
	wall   *sqldbtest.Clock
	mu     sync.Mutex
	mono   time.Duration
	steady *sqldb.SteadyClock
}

func newJumpClock(db *sqldb.DB) *jumpClock {
	j := &jumpClock{wall: sqldbtest.NewClock(db)}
	j.steady = sqldb.NewSteadyClock(j.wall.Now, j.elapsed, time.Time{}, nil)
	return j
}

func (j *jumpClock) elapsed() time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.mono
}

// pass lets d go by.
func (j *jumpClock) pass(d time.Duration) {
	j.mu.Lock()
	j.mono += d
	j.mu.Unlock()
	j.wall.Add(d)
}

// set moves the wall clock by d, as NTP stepping it or an operator would.
func (j *jumpClock) set(d time.Duration) { j.wall.Add(d) }

// TestTokensAcrossClockJumps: one-time links and sessions under a system
// clock set back and forth. A reset link that has expired stays expired
// when the clock is set back two hours or a day; a forward jump past a
// link's or a session's lifetime ends it; a link used once stays used.
func TestTokensAcrossClockJumps(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := newJumpClock(db)
		e := newMailEnvOn(t, db, clk.wall, clk.steady.Now)
		sam := e.MustAgent(t, "Sam Stepped", e.Council, e.LocalA)
		resetLinkFor := func() string {
			t.Helper()
			e.smtp.Reset()
			e.anonymous(t).post("/password/forgot", url.Values{"email": {sam.Email}}).must(t, http.StatusOK)
			msgs := e.deliver(t, sam.Email)
			if len(msgs) != 1 {
				t.Fatalf("reset emails = %d", len(msgs))
			}
			return linkIn(t, msgs[0])
		}
		b := e.anonymous(t)
		live := func(what, link string) {
			t.Helper()
			b.get(link).must(t, http.StatusOK, `name="password"`)
		}
		dead := func(what, link string) {
			t.Helper()
			if r := b.get(link); r.status != http.StatusNotFound {
				t.Fatalf("%s: the reset link answers %d, want 404", what, r.status)
			}
		}

		// Expired, then the clock is set back: it stays expired.
		link := resetLinkFor()
		clk.pass(sqldb.ResetTTL + time.Minute)
		dead("expired", link)
		clk.set(-2 * time.Hour)
		dead("expired, then the clock set back two hours", link)
		clk.set(-24 * time.Hour)
		dead("expired, then the clock set back a day more", link)
		clk.set(26 * time.Hour) // the clock put right

		// A live link keeps its lifetime across a step back (never more
		// than twice its length of real time), and a forward jump past its
		// end expires it.
		link = resetLinkFor()
		clk.set(-2 * time.Hour)
		clk.pass(time.Minute)
		live("fresh, the clock set back", link)
		clk.pass(2 * sqldb.ResetTTL)
		dead("after twice its lifetime of real time, the clock still behind", link)
		link = resetLinkFor()
		clk.set(24 * time.Hour)
		dead("the clock set a day forwards", link)

		// A session ends when the clock jumps past its lifetime.
		s := e.signedIn(t, sam)
		s.get("/").must(t, http.StatusOK)
		clk.set(24 * time.Hour)
		s.signedOut("the clock set a day forwards")
	})
}
