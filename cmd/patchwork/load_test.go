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
// the peak memory of the served process is reported.
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
}
