package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// MaxClockHold is the longest step back of the wall clock that SteadyClock
// rides out. A longer one is taken as the clock being corrected (it was
// wrong, far ahead) and followed.
const MaxClockHold = 48 * time.Hour

// SteadyClock is the wall clock as Patchwork uses it: it never goes back.
// When the system clock is set back (NTP stepping it, an operator), the
// clock goes on from the latest time it returned at half the pace of a
// clock that nobody sets (elapsed), so that the wall clock catches up with
// it in twice the step (four hours for a step of two), and then follows
// the wall clock again. Durations run up to twice as long meanwhile, never
// shorter, and time does not stand still: leases and retries still come
// due. So a one-time token, a session or a lockout that has expired stays
// expired, nothing is stamped earlier than what came before it, and a
// day's digest is not run twice. A step forwards is followed at once: what
// should expire expires.
type SteadyClock struct {
	wall    func() time.Time
	elapsed func() time.Duration

	mu     sync.Mutex
	last   time.Time     // the latest time returned
	lastAt time.Duration // elapsed() when last was returned
	held   bool          // the wall clock is behind last
	onStep func(back time.Duration)
}

// NewSteadyClock returns a SteadyClock reading wall, with elapsed the time
// since some fixed moment on a clock that is never set (nil: Go's
// monotonic clock) and floor the latest time already on record (the
// database's newest audit row, say: a restart does not undo the guard); a
// floor more than MaxClockHold ahead of wall is ignored. onStep, if not
// nil, is called (outside any lock) when the wall clock is found to have
// gone back.
func NewSteadyClock(wall func() time.Time, elapsed func() time.Duration, floor time.Time, onStep func(back time.Duration)) *SteadyClock {
	if elapsed == nil {
		start := time.Now()
		elapsed = func() time.Duration { return time.Since(start) }
	}
	c := &SteadyClock{wall: wall, elapsed: elapsed, onStep: onStep}
	if w := wall(); floor.After(w) && floor.Sub(w) <= MaxClockHold {
		c.last, c.lastAt = floor, elapsed()
	}
	return c
}

// Now returns the current time: the wall clock's, or, while the wall clock
// is behind a time already returned, that time plus half of what has
// elapsed since.
func (c *SteadyClock) Now() time.Time {
	// Both are read under the lock, so that readings taken in order are
	// compared in order. Round(0) drops Go's monotonic reading, which would
	// otherwise make the comparisons blind to the wall clock being set.
	c.mu.Lock()
	w, e := c.wall().Round(0), c.elapsed()
	var stepped time.Duration
	if c.held || w.Before(c.last) {
		steady := c.last.Add((e - c.lastAt) / 2)
		switch {
		case steady.Sub(w) > MaxClockHold: // corrected, not stepped: follow it
			c.held = false
		case w.Before(steady):
			if !c.held {
				stepped = steady.Sub(w)
			}
			c.held = true
			w = steady
		default: // caught up
			c.held = false
		}
	}
	c.last, c.lastAt = w, e
	onStep := c.onStep
	c.mu.Unlock()
	if stepped > 0 && onStep != nil {
		onStep(stepped)
	}
	return w
}

// LatestAuditTime returns when the newest audit row was written (zero if
// there is none): the floor of a SteadyClock, since nearly every use case
// writes one.
func (db *DB) LatestAuditTime(ctx context.Context) (time.Time, error) {
	var at int64
	err := db.read.QueryRowContext(ctx, `SELECT at FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("sqldb: latest audit time: %w", err)
	}
	return fromMicros(at), nil
}
