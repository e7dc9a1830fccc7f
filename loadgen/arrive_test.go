package loadgen

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// TestArrivals: an open loop's arrivals come at the rate asked on average,
// each stamped with the time it was due (which the random spacing decides,
// not the timer), so a busy machine's late timers do not shorten the
// latencies measured from them.
func TestArrivals(t *testing.T) {
	const rate, n = 2000.0, 4000
	out := make(chan time.Time, n)
	stop := make(chan struct{})
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		arrive(context.Background(), stop, out, rate, rand.New(rand.NewPCG(1, 11)), func() { t.Error("an arrival was dropped") })
	}()
	var got []time.Time
	for len(got) < n {
		got = append(got, <-out)
	}
	close(stop)
	<-done
	for i := 1; i < len(got); i++ {
		if got[i].Before(got[i-1]) {
			t.Fatalf("arrival %d is due before the one before it", i)
		}
	}
	mean := got[n-1].Sub(start).Seconds() / n
	if want := 1 / rate; mean < 0.9*want || mean > 1.1*want {
		t.Errorf("mean spacing %.3g s, want %.3g s ± 10%%", mean, want)
	}
}

// TestArrivalsOverflow: an arrival that finds the backlog full is counted,
// not waited for.
func TestArrivalsOverflow(t *testing.T) {
	out := make(chan time.Time) // nobody reads: every arrival overflows
	stop := make(chan struct{})
	dropped := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		arrive(context.Background(), stop, out, 1000, rand.New(rand.NewPCG(2, 11)), func() {
			select {
			case dropped <- struct{}{}:
			default:
			}
		})
	}()
	<-dropped
	close(stop)
	<-done
}
