package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestLoadMix runs `patchwork load` for a few seconds against the demo:
// every kind of request in the mix is made and none fails, joins included
// (so the generator really follows search results to the join form), and
// the peak memory of the served process is reported. With --rate, the same
// mix runs as an open loop.
func TestLoadMix(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "pw.db")
	site := startServe(t, []string{"--demo", "--addr", "127.0.0.1:0", "--db", dbPath,
		"--search-rate-limit", "-1", "--join-limit", "-1"}, "Patchwork is running")[0]
	var out bytes.Buffer
	err := run(context.Background(), []string{"load", "--url", site, "--users", "4", "--duration", "4s",
		"--pid", strconv.Itoa(os.Getpid())}, &out, &out)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, out.String())
	}
	report := out.String()
	for _, op := range []string{"search", "client page", "dashboard", "join", "attention", "phone book"} {
		m := regexp.MustCompile(`(?m)^` + op + `\s+(\d+)\s`).FindStringSubmatch(report)
		if m == nil || m[1] == "0" {
			t.Errorf("no %q requests in the report:\n%s", op, report)
		}
	}
	if !strings.Contains(report, "peak resident memory") {
		t.Errorf("no peak memory reported:\n%s", report)
	}
	t.Log("\n" + report)

	// As an open loop: requests arrive at a rate, the report says so.
	out.Reset()
	if err := run(context.Background(), []string{"load", "--url", site, "--users", "4", "--rate", "40", "--duration", "2s"}, &out, &out); err != nil {
		t.Fatalf("load --rate: %v\n%s", err, out.String())
	}
	report = out.String()
	if m := regexp.MustCompile(`(?m)^all\s+(\d+)\s`).FindStringSubmatch(report); !strings.Contains(report, "40 requests a second arriving at random, up to 4 at once") ||
		m == nil || m[1] == "0" {
		t.Errorf("open loop report:\n%s", report)
	}
}
