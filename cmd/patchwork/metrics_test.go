package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// startServe runs `patchwork serve` with args until the test ends and
// returns the first URL printed on each line matching the patterns, in order.
func startServe(t *testing.T, args []string, patterns ...string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("serve did not stop")
		}
	})
	found := make([]string, len(patterns))
	sc := bufio.NewScanner(pr)
	url := regexp.MustCompile(`https?://[0-9.:]+`)
	for sc.Scan() {
		for i, p := range patterns {
			if found[i] == "" && strings.Contains(sc.Text(), p) {
				found[i] = url.FindString(sc.Text())
			}
		}
		if !slices.Contains(found, "") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	for i, f := range found {
		if f == "" {
			t.Fatalf("serve printed no line with %q", patterns[i])
		}
	}
	return found
}

// TestMetrics: with --metrics-addr, Prometheus metrics are served on that
// address only, in a text format that promtool's linter accepts, with
// requests labelled by route pattern (never a path with an id in it), the
// sign-in failures counted and the job queue and audit gauges present.
func TestMetrics(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "pw.db")
	urls := startServe(t, []string{"--demo", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--db", dbPath},
		"Metrics at", "Patchwork is running")
	metricsURL, site := urls[0]+"/metrics", urls[1]
	res, err := http.PostForm(site+"/login", url.Values{"email": {"agent1@patchwork.test"}, "password": {"wrong password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d", res.StatusCode)
	}
	for _, p := range []string{"/clients/1", "/clients/2"} {
		res, err := http.Get(site + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	// Not on the public listener.
	res, err = http.Get(site + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(body), "patchwork_http_request_duration_seconds") {
		t.Fatal("metrics are served on the public listener")
	}

	res, err = http.Get(metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", res.StatusCode)
	}
	problems, err := promlint.New(strings.NewReader(string(text))).Lint()
	if err != nil {
		t.Fatalf("metrics do not parse: %v", err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(text)))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"patchwork_http_request_duration_seconds", "patchwork_search_duration_seconds",
		"patchwork_sign_in_failures_total", "patchwork_emails_total", "patchwork_jobs_queued", "patchwork_jobs_due",
		"patchwork_jobs_oldest_due_age_seconds", "patchwork_jobs_failed", "patchwork_audit_checkpoint_age_seconds",
		"patchwork_database_up"} {
		if families[name] == nil {
			t.Errorf("metric %s missing", name)
		}
	}
	if f := families["patchwork_sign_in_failures_total"]; f != nil {
		if got := f.GetMetric()[0].GetCounter().GetValue(); got != 1 {
			t.Errorf("sign-in failures = %v, want 1", got)
		}
	}
	routes := map[string]bool{}
	if f := families["patchwork_http_request_duration_seconds"]; f != nil {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" {
					routes[l.GetValue()] = true
				}
			}
		}
	}
	for _, want := range []string{"POST /login", "GET /clients/{id}"} {
		if !routes[want] {
			t.Errorf("no request recorded under route %q (have %v)", want, routes)
		}
	}
	for r := range routes {
		if regexp.MustCompile(`/\d`).MatchString(r) {
			t.Errorf("route label %q carries a path, not a pattern", r)
		}
	}
}
