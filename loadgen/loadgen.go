// Package loadgen drives a running Patchwork the way practitioners do — a
// realistic mix of search, client pages, the dashboard, joining a team,
// raising an attention and the phone book — as many signed-in agents at
// once, and reports throughput and latency per kind of request
// (`patchwork load`, docs/performance.md). It speaks plain HTTP to the
// server, like a browser without JavaScript, so it measures the whole
// stack: middleware, sessions, the audit of every view, rendering.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Op is one kind of request in the mix.
type Op string

// The operations of the mix.
const (
	OpSearch    Op = "search"
	OpClient    Op = "client page"
	OpDashboard Op = "dashboard"
	OpJoin      Op = "join"
	OpAttention Op = "attention"
	OpPhoneBook Op = "phone book"
)

// Ops lists the operations in report order.
var Ops = []Op{OpSearch, OpClient, OpDashboard, OpJoin, OpAttention, OpPhoneBook}

// DefaultMix weighs the operations as a practitioner's day does: mostly
// looking people up and reading client pages, some dashboard and phone
// book, a few writes.
var DefaultMix = map[Op]int{OpSearch: 30, OpClient: 35, OpDashboard: 15, OpJoin: 3, OpAttention: 5, OpPhoneBook: 12}

// Config says what to load and how hard.
type Config struct {
	BaseURL string
	// Agents are the email addresses the virtual users sign in as (one
	// each, round robin), all with Password.
	Agents   []string
	Password string
	// Users is how many virtual users run at once, each one request at a
	// time: with no pause (a closed loop), or, with a Rate, taking the next
	// arrival as soon as they are free.
	Users int
	// Rate, when above zero, makes the load an open loop: requests arrive
	// at random (a Poisson process) at Rate a second, whether or not
	// earlier ones are answered, as people's clicks do. A request's latency
	// then counts from its arrival, so the time it waited for a free user
	// is counted too (no coordinated omission).
	Rate     float64
	Duration time.Duration
	// Warmup runs the mix this long before measuring.
	Warmup time.Duration
	Mix    map[Op]int
	Seed   uint64
}

// Stats are one operation's figures.
type Stats struct {
	Op        Op
	Requests  int
	Errors    int
	latencies []time.Duration
}

// Quantile returns the q-quantile (0–1) of the successful requests'
// latencies, nearest rank.
func (s *Stats) Quantile(q float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(s.latencies))+0.5) - 1
	return s.latencies[max(0, min(i, len(s.latencies)-1))]
}

// Report is a run's result.
type Report struct {
	Elapsed time.Duration
	Ops     map[Op]*Stats
	// FirstErrors holds a few error descriptions, for the operator.
	FirstErrors []string
	// Dropped counts an open loop's arrivals that found the backlog of
	// waiting arrivals full: the site was far slower than the rate.
	Dropped int
}

// Total returns all operations together.
func (r *Report) Total() *Stats {
	t := &Stats{Op: "all"}
	for _, s := range r.Ops {
		t.Requests += s.Requests
		t.Errors += s.Errors
		t.latencies = append(t.latencies, s.latencies...)
	}
	slices.Sort(t.latencies)
	return t
}

// Format writes the report as a table.
func (r *Report) Format(w io.Writer) {
	fmt.Fprintf(w, "%-12s %9s %9s %9s %9s %9s %7s\n", "request", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
	row := func(s *Stats) {
		ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
		fmt.Fprintf(w, "%-12s %9d %9.1f %9s %9s %9s %7d\n", s.Op, s.Requests, float64(s.Requests)/r.Elapsed.Seconds(),
			ms(s.Quantile(.5)), ms(s.Quantile(.95)), ms(s.Quantile(.99)), s.Errors)
	}
	for _, op := range Ops {
		if s := r.Ops[op]; s != nil {
			row(s)
		}
	}
	row(r.Total())
	if r.Dropped > 0 {
		fmt.Fprintf(w, "arrivals dropped (backlog full): %d\n", r.Dropped)
	}
	for _, e := range r.FirstErrors {
		fmt.Fprintln(w, "error:", e)
	}
}

// user is one signed-in virtual user.
type user struct {
	c        *http.Client
	base     string
	rng      *rand.Rand
	clients  []string // ids of clients on the user's teams
	names    []string // names to search for
	agencies []string // agency ids in the phone book
}

var (
	clientLink = regexp.MustCompile(`href="/clients/(\d+)"`)
	joinLink   = regexp.MustCompile(`href="(/clients/(\d+)/join\?t=[^"]+)"`)
	agencyLink = regexp.MustCompile(`href="/agencies/(\d+)"`)
	heading    = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
	tags       = regexp.MustCompile(`<[^>]+>`)
	hiddenT    = regexp.MustCompile(`name="t" value="([^"]+)"`)
)

func newUser(ctx context.Context, cfg Config, email string, seed uint64) (*user, error) {
	jar, _ := cookiejar.New(nil)
	u := &user{base: strings.TrimRight(cfg.BaseURL, "/"), rng: rand.New(rand.NewPCG(seed, 7)),
		c: &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	status, _, err := u.post(ctx, "/login", url.Values{"email": {email}, "password": {cfg.Password}})
	if err != nil {
		return nil, err
	}
	if status != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in as %s: status %d", email, status)
	}
	// Accept the terms of use, as a first sign-in does; once accepted
	// this changes nothing.
	if status, _, err := u.post(ctx, "/terms", url.Values{"accept": {"yes"}}); err != nil {
		return nil, err
	} else if status != http.StatusSeeOther && status != http.StatusNotFound {
		return nil, fmt.Errorf("accept the terms of use as %s: status %d", email, status)
	}
	_, body, err := u.get(ctx, "/")
	if err != nil {
		return nil, err
	}
	for _, m := range clientLink.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(u.clients, m[1]) {
			u.clients = append(u.clients, m[1])
		}
	}
	// Names to search for: the user's own clients' names, as a
	// practitioner looks up someone they know.
	for _, id := range u.clients[:min(len(u.clients), 5)] {
		_, page, err := u.get(ctx, "/clients/"+id)
		if err != nil {
			return nil, err
		}
		if m := heading.FindStringSubmatch(page); m != nil {
			if n := strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(m[1], ""))); n != "" {
				u.names = append(u.names, n)
			}
		}
	}
	if len(u.names) == 0 {
		u.names = []string{"Smith", "Olivia Brown", "Jones"}
	}
	_, book, err := u.get(ctx, "/agencies")
	if err != nil {
		return nil, err
	}
	for _, m := range agencyLink.FindAllStringSubmatch(book, 50) {
		u.agencies = append(u.agencies, m[1])
	}
	return u, nil
}

// transport keeps enough idle connections for every virtual user.
var transport = &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}

func (u *user) get(ctx context.Context, path string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.base+path, nil)
	if err != nil {
		return 0, "", err
	}
	return u.do(req)
}

func (u *user) post(ctx context.Context, path string, form url.Values) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.do(req)
}

func (u *user) do(req *http.Request) (int, string, error) {
	res, err := u.c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

// errSkip says an operation had nothing to do (no client to join, say)
// and was not counted.
var errSkip = errors.New("skip")

// run performs op once and returns the time it took (the join's two
// requests together).
func (u *user) run(ctx context.Context, op Op) (time.Duration, error) {
	pick := func(xs []string) string { return xs[u.rng.IntN(len(xs))] }
	start := time.Now()
	want := http.StatusOK
	var status int
	var err error
	switch op {
	case OpSearch:
		status, _, err = u.get(ctx, "/search?q="+url.QueryEscape(pick(u.names)))
	case OpClient:
		if len(u.clients) == 0 {
			return 0, errSkip
		}
		status, _, err = u.get(ctx, "/clients/"+pick(u.clients))
	case OpDashboard:
		status, _, err = u.get(ctx, "/")
	case OpPhoneBook:
		if len(u.agencies) > 0 && u.rng.IntN(2) == 0 {
			status, _, err = u.get(ctx, "/agencies/"+pick(u.agencies))
		} else {
			status, _, err = u.get(ctx, "/agencies")
		}
	case OpAttention:
		if len(u.clients) == 0 {
			return 0, errSkip
		}
		want = http.StatusSeeOther
		status, _, err = u.post(ctx, "/clients/"+pick(u.clients)+"/attentions",
			url.Values{"category": {"update"}, "message": {"Load test: no client data"}})
	case OpJoin:
		// Not timed: finding someone to join is a search, counted as one.
		// A surname alone finds namesakes on other teams.
		words := strings.Fields(pick(u.names))
		var body string
		if _, body, err = u.get(ctx, "/search?q="+url.QueryEscape(words[len(words)-1])+"&scope=network"); err != nil {
			return 0, err
		}
		links := joinLink.FindAllStringSubmatch(body, -1)
		if len(links) == 0 {
			return 0, errSkip
		}
		l := links[u.rng.IntN(len(links))]
		start = time.Now()
		var form string
		if status, form, err = u.get(ctx, html.UnescapeString(l[1])); err != nil || status != http.StatusOK {
			break
		}
		m := hiddenT.FindStringSubmatch(form)
		if m == nil {
			return 0, fmt.Errorf("join form without its ticket")
		}
		want = http.StatusSeeOther
		status, _, err = u.post(ctx, "/clients/"+l[2]+"/join",
			url.Values{"t": {html.UnescapeString(m[1])}, "basis": {"safeguarding"}, "declaration": {"yes"}})
		if err == nil && status == want {
			u.clients = append(u.clients, l[2])
		}
	}
	d := time.Since(start)
	if err != nil {
		return d, err
	}
	if status != want {
		return d, fmt.Errorf("%s: status %d, want %d", op, status, want)
	}
	return d, nil
}

// Run signs the users in, warms up, then measures for cfg.Duration.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Users < 1 || len(cfg.Agents) == 0 || cfg.Duration <= 0 {
		return nil, errors.New("loadgen: need at least one user, one agent and a duration")
	}
	if cfg.Mix == nil {
		cfg.Mix = DefaultMix
	}
	var ops []Op // the mix as a bag to draw from
	for _, op := range Ops {
		for range cfg.Mix[op] {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		return nil, errors.New("loadgen: the mix is empty")
	}
	users := make([]*user, cfg.Users)
	for i := range users {
		u, err := newUser(ctx, cfg, cfg.Agents[i%len(cfg.Agents)], cfg.Seed+uint64(i))
		if err != nil {
			return nil, err
		}
		users[i] = u
	}
	rep := &Report{Ops: map[Op]*Stats{}}
	for _, op := range Ops {
		if cfg.Mix[op] > 0 {
			rep.Ops[op] = &Stats{Op: op}
		}
	}
	var mu sync.Mutex
	measuring := false
	record := func(op Op, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if !measuring || errors.Is(err, errSkip) {
			return
		}
		s := rep.Ops[op]
		s.Requests++
		if err != nil {
			s.Errors++
			if len(rep.FirstErrors) < 5 {
				rep.FirstErrors = append(rep.FirstErrors, err.Error())
			}
			return
		}
		s.latencies = append(s.latencies, d)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var arrivals chan time.Time
	if cfg.Rate > 0 {
		arrivals = make(chan time.Time, arrivalBacklog)
		wg.Go(func() {
			arrive(ctx, stop, arrivals, cfg.Rate, rand.New(rand.NewPCG(cfg.Seed, 11)), func() {
				mu.Lock()
				defer mu.Unlock()
				if measuring {
					rep.Dropped++
				}
			})
		})
	}
	for _, u := range users {
		wg.Go(func() {
			for {
				var at time.Time
				if arrivals != nil {
					select {
					case at = <-arrivals:
					case <-stop:
						return
					case <-ctx.Done():
						return
					}
				}
				select {
				case <-stop:
					return
				case <-ctx.Done():
					return
				default:
				}
				op := ops[u.rng.IntN(len(ops))]
				var waited time.Duration
				if !at.IsZero() {
					waited = max(0, time.Since(at))
				}
				d, err := u.run(ctx, op)
				record(op, waited+d, err)
			}
		})
	}
	if cfg.Warmup > 0 {
		select {
		case <-time.After(cfg.Warmup):
		case <-ctx.Done():
		}
	}
	mu.Lock()
	measuring = true
	mu.Unlock()
	start := time.Now()
	select {
	case <-time.After(cfg.Duration):
	case <-ctx.Done():
	}
	mu.Lock()
	measuring = false
	rep.Elapsed = time.Since(start)
	mu.Unlock()
	close(stop)
	wg.Wait()
	for _, s := range rep.Ops {
		sort.Slice(s.latencies, func(i, j int) bool { return s.latencies[i] < s.latencies[j] })
	}
	return rep, ctx.Err()
}

// arrivalBacklog bounds the arrivals waiting for a free user in an open
// loop; past it an arrival is dropped and counted (Report.Dropped).
const arrivalBacklog = 1 << 16

// arrive sends arrival times at rate a second, spaced at random as a
// Poisson process's, until stop. Each is the time it was due, not the
// time the timer fired, so a late timer does not hide the wait.
func arrive(ctx context.Context, stop <-chan struct{}, out chan<- time.Time, rate float64, rng *rand.Rand, overflow func()) {
	next := time.Now()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		next = next.Add(time.Duration(rng.ExpFloat64() / rate * float64(time.Second)))
		t.Reset(time.Until(next))
		select {
		case <-t.C:
		case <-stop:
			return
		case <-ctx.Done():
			return
		}
		select {
		case out <- next:
		default:
			overflow()
		}
	}
}
