package sqldbtest

import (
	"sync"
	"time"

	"patchwork/sqldb"
)

// ClockStart is where NewClock starts: Sunday 22 November 2026, 10:00 UTC,
// which is also 10:00 in London (winter time).
var ClockStart = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// Clock is a fake clock tests move by hand. It is safe for concurrent use:
// the store and a running worker read it from several goroutines.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock at ClockStart and makes it db's clock.
func NewClock(db *sqldb.DB) *Clock {
	c := &Clock{t: ClockStart}
	db.Now = c.Now
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
