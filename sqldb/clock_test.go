package sqldb_test

import (
	"context"
	"testing"
	"time"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestSteadyClock: set back, the clock goes on from where it was at half
// the pace of the clock nobody sets, and tells once that it is holding;
// once the wall clock catches up (in twice the step) it follows it again; a step forwards is
// followed at once; a step back of more than MaxClockHold is a correction
// and followed.
func TestSteadyClock(t *testing.T) {
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	wall, mono := start, time.Duration(0)
	move := func(d time.Duration) { wall = wall.Add(d); mono += d }
	var steps []time.Duration
	c := sqldb.NewSteadyClock(func() time.Time { return wall }, func() time.Duration { return mono }, time.Time{},
		func(back time.Duration) { steps = append(steps, back) })
	check := func(what string, want time.Time) {
		t.Helper()
		if got := c.Now(); !got.Equal(want) {
			t.Errorf("%s: %s, want %s", what, got, want)
		}
	}
	check("at first", start)
	move(time.Minute)
	check("a minute on", start.Add(time.Minute))
	wall = wall.Add(-2 * time.Hour) // set back two hours
	check("just after the step back", start.Add(time.Minute))
	// Read every ten minutes: half of each ten minutes is added until the
	// wall clock passes the last time returned, which takes twice the step.
	prev, caught := start.Add(time.Minute), time.Duration(0)
	for d := 10 * time.Minute; d <= 5*time.Hour; d += 10 * time.Minute {
		move(10 * time.Minute)
		got := c.Now()
		if got.Equal(wall) && wall.After(prev) {
			caught = d
			break
		}
		if want := prev.Add(5 * time.Minute); !got.Equal(want) {
			t.Fatalf("%s after the step back: %s, want %s", d, got, want)
		}
		prev = got
	}
	if caught != 4*time.Hour {
		t.Errorf("caught up with the wall clock after %s, want 4h", caught)
	}
	move(time.Minute)
	check("following the wall clock", wall)
	if len(steps) != 1 || steps[0] != 2*time.Hour {
		t.Errorf("told of steps %v, want one of 2h", steps)
	}
	wall = wall.Add(24 * time.Hour) // forwards a day
	check("a day forwards", wall)
	wall = wall.Add(-sqldb.MaxClockHold - time.Hour) // back further than it holds: a correction
	check("corrected", wall)
}

// TestSteadyClockFloor: a restart after the clock was set back starts
// from the newest audit row, not from the earlier wall time — unless that
// row lies more than MaxClockHold ahead.
func TestSteadyClockFloor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		w.MustAgent(t, "Ada Audited", w.Council) // an audited admin action at clk's time
		floor, err := db.LatestAuditTime(context.Background())
		if err != nil || !floor.Equal(clk.Now()) {
			t.Fatalf("latest audit time %s (%v), want %s", floor, err, clk.Now())
		}
		mono := func() time.Duration { return 0 }
		back := clk.Now().Add(-2 * time.Hour)
		if got := sqldb.NewSteadyClock(func() time.Time { return back }, mono, floor, nil).Now(); !got.Equal(floor) {
			t.Errorf("restarted two hours back: %s, want the floor %s", got, floor)
		}
		farBack := clk.Now().Add(-sqldb.MaxClockHold - time.Hour)
		if got := sqldb.NewSteadyClock(func() time.Time { return farBack }, mono, floor, nil).Now(); !got.Equal(farBack) {
			t.Errorf("restarted a day and more back: %s, want the wall clock %s", got, farBack)
		}
	})
}
