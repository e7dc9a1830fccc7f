package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"patchwork/loadgen"
)

// cmdLoad runs the realistic mix against a running Patchwork (a copy of the
// data, started with --search-rate-limit -1 --join-limit -1) and prints
// throughput and latency per kind of request (docs/performance.md).
func cmdLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "Patchwork to load")
	agents := fs.String("agents", "agent%d@patchwork.test", "sign-in addresses, %d numbered from 1 (the demo and statewide data sets' agents)")
	agentCount := fs.Int("agent-count", 37, "how many numbered agents there are to sign in as")
	password := fs.String("password", "demo", "their password")
	users := fs.Int("users", 16, "virtual users at once, each one request at a time")
	rate := fs.Float64("rate", 0, "requests a second arriving at random (an open loop, up to --users at once); 0: each user sends its next request as soon as the last is answered")
	duration := fs.Duration("duration", time.Minute, "how long to measure")
	warmup := fs.Duration("warmup", 0, "run the mix this long before measuring")
	seed := fs.Uint64("seed", 1, "random seed of the mix")
	pids := fs.String("pid", "", "comma-separated process ids of the Patchwork instances: their peak resident memory (VmHWM) is reported")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.Contains(*agents, "%d") || *agentCount < 1 {
		return errors.New("--agents needs a %d and --agent-count at least 1")
	}
	var emails []string
	for i := 1; i <= *agentCount; i++ {
		emails = append(emails, fmt.Sprintf(*agents, i))
	}
	fmt.Fprintf(stdout, "Signing in %d users at %s…\n", *users, *base)
	rep, err := loadgen.Run(ctx, loadgen.Config{BaseURL: *base, Agents: emails, Password: *password, Users: *users,
		Rate: *rate, Duration: *duration, Warmup: *warmup, Seed: *seed})
	if err != nil {
		return err
	}
	if *rate > 0 {
		fmt.Fprintf(stdout, "%.0f requests a second arriving at random, up to %d at once, for %s (after %s warm-up):\n",
			*rate, *users, rep.Elapsed.Round(100*time.Millisecond), *warmup)
	} else {
		fmt.Fprintf(stdout, "%d users for %s (after %s warm-up):\n", *users, rep.Elapsed.Round(100*time.Millisecond), *warmup)
	}
	rep.Format(stdout)
	for _, pid := range strings.Split(*pids, ",") {
		if pid = strings.TrimSpace(pid); pid == "" {
			continue
		}
		if hwm, err := peakRSS(pid); err == nil {
			fmt.Fprintf(stdout, "process %s: peak resident memory %s\n", pid, hwm)
		} else {
			fmt.Fprintf(stdout, "process %s: %v\n", pid, err)
		}
	}
	if rep.Total().Errors > 0 {
		return fmt.Errorf("%d requests failed", rep.Total().Errors)
	}
	if rep.Dropped > 0 {
		return fmt.Errorf("%d arrivals dropped: the site is far slower than --rate", rep.Dropped)
	}
	return nil
}

// peakRSS reads a process's peak resident set size from /proc (Linux).
func peakRSS(pid string) (string, error) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", errors.New("no VmHWM in /proc status")
}
