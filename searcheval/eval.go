// Package searcheval measures client search on a database loaded for it
// (`patchwork search-eval`, docs/search-evaluation.md): it picks clients at
// random, turns each into the kind of query a worker would type with one
// realistic corruption, and measures how often and how fast the client
// comes back from Patchwork's search and from a baseline a developer might
// build instead: pg_trgm on PostgreSQL, FTS5 trigram on SQLite. It is a
// tool of the CLI, never compiled into the store.
package searcheval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"patchwork"
	"patchwork/match"
	"patchwork/search"
	"patchwork/sqldb"
)

// Query kinds of the evaluation, in report order.
const (
	Exact         = "name + DOB"
	Typo          = "surname typo + DOB"
	Phonetic      = "phonetic variant + DOB"
	Nickname      = "nickname + DOB"
	Swapped       = "first/last swapped + DOB"
	DOBSwapped    = "name + DOB day/month swapped"
	BothTypo      = "typos in both names + DOB"
	DOBOther      = "name + another DOB"
	NewSurname    = "given name + DOB, another surname"
	NoGiven       = "surname + DOB, no given name"
	NoDOB         = "name only"
	TypoNoDOB     = "surname typo, name only"
	PhoneticNoDOB = "phonetic variant, name only"
)

// Kinds lists the query kinds in report order.
var Kinds = []string{Exact, Typo, BothTypo, Phonetic, Nickname, Swapped, DOBSwapped, DOBOther, NewSurname,
	NoGiven, NoDOB, TypoNoDOB, PhoneticNoDOB}

// Engines compared by the evaluation.
const (
	EngineSearch  = "Patchwork search (SearchService.Search)"
	EngineMatcher = "search.Engine alone"
	EngineTrgm    = "pg_trgm baseline"
	EngineFTS     = "FTS5 trigram baseline"
)

// Options sets up an evaluation.
type Options struct {
	Queries int    // in all, shared evenly by the query kinds
	Seed    uint64 // picks the clients and corruptions
	Warmup  int    // queries run first and not counted
	// Engines, when set, runs only the engines of these names (such as
	// EngineMatcher): each then runs without the others disturbing its
	// caches.
	Engines  []string
	Progress io.Writer
	// QueryLog, when set, receives the text of every counted query, one
	// per line: the same queries can then drive a load test of the search
	// page.
	QueryLog io.Writer
	// CreateBaseline allows the baseline's structures (a pg_trgm index or an
	// FTS5 table of every client name) to be created when the baseline
	// runs and they are missing: only in a database loaded for evaluation.
	CreateBaseline bool
	// Misses, when set, receives one line per counted query an engine did
	// not rank first: engine, kind, the rank it gave (1 for second, "-"
	// when not in its results), query, and the client looked for.
	Misses io.Writer
	// Duplicates and Unrelated size the duplicate-check evaluation
	// (RunDuplicates): corrupted copies of clients, shared evenly by
	// DupKinds, and new clients on Patchwork under no name.
	Duplicates, Unrelated int
}

// Row holds the results of one engine on one query kind.
type Row struct {
	Engine, Kind string
	N            int // queries
	Top1, Top10  int // queries whose client came first, or in the first ten
	// Rare counts the queries whose client's full name is shared by at most
	// ten clients, so that a perfect engine could list them all in ten, and
	// RareTop10 those of them found in the first ten.
	Rare, RareTop10 int
	Latencies       []time.Duration
}

// Recall1 is the share of queries whose client came first.
func (r *Row) Recall1() float64 { return ratio(r.Top1, r.N) }

// Recall10 is the share of queries whose client was in the first ten.
func (r *Row) Recall10() float64 { return ratio(r.Top10, r.N) }

// RareRecall10 is Recall10 over queries for rare enough names.
func (r *Row) RareRecall10() float64 { return ratio(r.RareTop10, r.Rare) }

// Percentile returns the p-th percentile (0 < p ≤ 100) latency.
func (r *Row) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	l := slices.Clone(r.Latencies)
	slices.Sort(l)
	i := int(p/100*float64(len(l))+0.5) - 1
	return l[min(max(i, 0), len(l)-1)]
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Report is the outcome of an evaluation.
type Report struct {
	Dialect         string
	Clients         int
	Queries         int
	Baseline        string
	BaselineRun     bool          // the baseline was among the engines run
	BaselineBuild   time.Duration // building the baseline's structures this run
	BaselineExisted bool          // they were there already
	Elapsed         time.Duration
	Rows            []*Row
}

// Row returns the row of engine on kind, or nil.
func (r *Report) Row(engine, kind string) *Row {
	for _, row := range r.Rows {
		if row.Engine == engine && row.Kind == kind {
			return row
		}
	}
	return nil
}

// Markdown writes the report as a Markdown table.
func (r *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "Database: %s, %d clients, %d queries (%s).\n", r.Dialect, r.Clients, r.Queries, r.Elapsed.Round(time.Second))
	switch {
	case !r.BaselineRun:
		fmt.Fprintf(w, "Baseline %s: not run.\n\n", r.Baseline)
	case r.BaselineExisted:
		fmt.Fprintf(w, "Baseline %s: structures already built.\n\n", r.Baseline)
	default:
		fmt.Fprintf(w, "Baseline %s: structures built in %s.\n\n", r.Baseline, r.BaselineBuild.Round(100*time.Millisecond))
	}
	fmt.Fprintln(w, "| Query | Engine | n | recall@1 | recall@10 | recall@10, name in ≤ 10 clients (n) | p50 ms | p95 ms | p99 ms |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, row := range r.Rows {
		fmt.Fprintf(w, "| %s | %s | %d | %.3f | %.3f | %.3f (%d) | %s | %s | %s |\n", row.Kind, row.Engine, row.N,
			row.Recall1(), row.Recall10(), row.RareRecall10(), row.Rare,
			ms(row.Percentile(50)), ms(row.Percentile(95)), ms(row.Percentile(99)))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// target is a client the evaluation looks for.
type target struct {
	id                 int64
	first, last, dob   string
	givenNorm, famNorm string
	address, postcode  string // read for the duplicate check only
	sameName           int    // clients whose primary name is the same
	text               string
	query              match.Query
	baselineName, bDOB string
}

// engineRun is an engine compared: its name and how it answers a query.
type engineRun struct {
	name string
	run  func(t *target) ([]int64, error)
}

// evaluation is one run of Run on a database.
type evaluation struct {
	db          *sqldb.DB
	read, write *sql.DB
	postgres    bool
	trgmConn    *sql.Conn // the pg_trgm baseline's, once it has run
}

// setup counts the clients (into clients) and returns their largest id and
// ctx with the evaluation's caller: the first active agent.
func (ev *evaluation) setup(ctx context.Context, clients *int) (context.Context, int64, error) {
	var maxID int64
	if err := ev.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM clients`).Scan(clients, &maxID); err != nil {
		return nil, 0, err
	}
	if *clients == 0 {
		return nil, 0, errors.New("searcheval: the database holds no clients to look for")
	}
	var agentID int64
	if err := ev.read.QueryRowContext(ctx, `SELECT MIN(id) FROM agents WHERE active = 1`).Scan(&agentID); err != nil {
		return nil, 0, fmt.Errorf("searcheval: the evaluation needs an active agent: %w", err)
	}
	agent, err := sqldb.NewAgentService(ev.db).FindCaller(ctx, agentID)
	if err != nil {
		return nil, 0, err
	}
	return patchwork.NewContextWithCaller(ctx, agent), maxID, nil
}

// close releases the baseline's connection.
func (ev *evaluation) close() {
	if ev.trgmConn != nil {
		ev.trgmConn.Close()
	}
}

// Run runs the evaluation on db, which must hold clients and at least one
// active agent: a database loaded for evaluation, never one holding real
// clients. It writes to db the audit rows and rate-limit counts of the
// searches, as the search page would, and, when the baseline runs, the
// baseline's structures (kept for the next run) — only if
// opt.CreateBaseline allows it: without it, missing structures are an
// error and nothing is created.
func Run(ctx context.Context, db *sqldb.DB, opt Options) (*Report, error) {
	start := time.Now()
	if opt.Queries <= 0 {
		opt.Queries = 1000
	}
	progress := opt.Progress
	if progress == nil {
		progress = io.Discard
	}
	ev := &evaluation{db: db, postgres: db.Dialect.Name == "postgres"}
	ev.read, ev.write = db.SQL()
	defer ev.close()
	rep := &Report{Dialect: db.Dialect.Name, Baseline: EngineFTS}
	if ev.postgres {
		rep.Baseline = EngineTrgm
	}
	ctx, maxID, err := ev.setup(ctx, &rep.Clients)
	if err != nil {
		return nil, err
	}

	searchSvc := sqldb.NewSearchService(db)
	searchSvc.RateLimit = 0
	engine := db.SearchEngine()
	engines := []engineRun{
		{EngineSearch, func(t *target) ([]int64, error) {
			res, err := searchSvc.Search(ctx, patchwork.SearchQuery{Text: t.text, Scope: patchwork.ScopeNetwork})
			if err != nil {
				return nil, err
			}
			return matchIDs(res.Clients), nil
		}},
		{EngineMatcher, func(t *target) ([]int64, error) {
			mr, err := engine.Match(ctx, search.Query{Text: t.text, Now: db.Now(), Limit: 10})
			if err != nil {
				return nil, err
			}
			return matchIDs(mr.Matches), nil
		}},
		{rep.Baseline, func(t *target) ([]int64, error) { return ev.baselineSearch(ctx, t) }},
	}
	if len(opt.Engines) > 0 {
		kept := engines[:0]
		for _, e := range engines {
			if slices.Contains(opt.Engines, e.name) {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			return nil, fmt.Errorf("searcheval: no engine named %q", opt.Engines)
		}
		engines = kept
	}
	// The baseline's structures are looked at only when it runs.
	if slices.ContainsFunc(engines, func(e engineRun) bool { return e.name == rep.Baseline }) {
		rep.BaselineRun = true
		t0 := time.Now()
		existed, err := ev.buildBaseline(ctx, opt.CreateBaseline)
		if err != nil {
			return nil, fmt.Errorf("searcheval: baseline: %w", err)
		}
		rep.BaselineBuild, rep.BaselineExisted = time.Since(t0), existed
		fmt.Fprintf(progress, "baseline %s ready in %s\n", rep.Baseline, rep.BaselineBuild.Round(time.Millisecond))
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5ea7c4))
	perKind := max(1, (opt.Queries+len(Kinds)-1)/len(Kinds))
	rows := map[string]*Row{}
	for _, kind := range Kinds {
		for _, e := range engines {
			row := &Row{Engine: e.name, Kind: kind}
			rows[e.name+"\x00"+kind] = row
			rep.Rows = append(rep.Rows, row)
		}
	}
	// Interleave the kinds so that a busy spell of the machine spreads over
	// all of them; warm the caches first.
	var plan []string
	for range opt.Warmup {
		plan = append(plan, "")
	}
	for range perKind {
		plan = append(plan, Kinds...)
	}
	for n, kind := range plan {
		k := kind
		if k == "" {
			k = Kinds[n%len(Kinds)]
		}
		t, err := ev.target(ctx, rng, maxID, k)
		if err != nil {
			return nil, err
		}
		for _, e := range engines {
			t1 := time.Now()
			ids, err := e.run(t)
			took := time.Since(t1)
			if err != nil {
				return nil, fmt.Errorf("searcheval: %s on %q: %w", e.name, k, err)
			}
			if kind == "" {
				continue
			}
			rank, err := ev.rank(ctx, t, ids)
			if err != nil {
				return nil, err
			}
			row := rows[e.name+"\x00"+kind]
			row.N++
			row.Latencies = append(row.Latencies, took)
			if rank == 0 {
				row.Top1++
			}
			if rank >= 0 && rank < 10 {
				row.Top10++
			}
			if rank != 0 && opt.Misses != nil {
				r := "-"
				if rank > 0 {
					r = strconv.Itoa(rank)
				}
				if _, err := fmt.Fprintf(opt.Misses, "%s\t%s\t%s\t%s\t%s %s %s (%d with this name)\n",
					e.name, kind, r, t.text, t.first, t.last, t.dob, t.sameName); err != nil {
					return nil, err
				}
			}
			if t.sameName <= 10 {
				row.Rare++
				if rank >= 0 && rank < 10 {
					row.RareTop10++
				}
			}
		}
		if kind != "" {
			rep.Queries++
			if opt.QueryLog != nil {
				if _, err := fmt.Fprintln(opt.QueryLog, t.text); err != nil {
					return nil, err
				}
			}
		}
		if (n+1)%200 == 0 {
			fmt.Fprintf(progress, "%d/%d queries, %s\n", n+1, len(plan), time.Since(start).Round(time.Second))
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// rank returns where t's client is in ids (at most the first ten), or
// -1. A client with exactly the same name and date of birth as t's is
// indistinguishable from it and counts as found.
func (ev *evaluation) rank(ctx context.Context, t *target, ids []int64) (int, error) {
	ids = ids[:min(len(ids), 10)]
	if i := slices.Index(ids, t.id); i >= 0 {
		return i, nil
	}
	if len(ids) == 0 {
		return -1, nil
	}
	ph, args := idArgs(ids)
	rows, err := ev.read.QueryContext(ctx, `SELECT id, first_name, last_name, date_of_birth FROM clients WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return -1, err
	}
	defer rows.Close()
	twins := map[int64]bool{}
	for rows.Next() {
		var id int64
		var first, last, dob string
		if err := rows.Scan(&id, &first, &last, &dob); err != nil {
			return -1, err
		}
		if first == t.first && last == t.last && dob == t.dob {
			twins[id] = true
		}
	}
	if err := rows.Err(); err != nil {
		return -1, err
	}
	for i, id := range ids {
		if twins[id] {
			return i, nil
		}
	}
	return -1, nil
}

// idArgs returns the placeholders and arguments of an IN list of ids.
func idArgs(ids []int64) (string, []any) {
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = "$"+strconv.Itoa(i+1), id
	}
	return strings.Join(ph, ", "), args
}

func matchIDs(ms []*patchwork.ClientMatch) []int64 {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}
