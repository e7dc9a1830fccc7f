package sqldb

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
)

// The search evaluation (`patchwork search-eval`, docs/search-evaluation.md)
// picks clients of a loaded database at random, turns each into the kind of
// query a worker would type with one realistic corruption, and measures how
// often and how fast the client comes back from Patchwork's search and from
// a baseline a developer might build instead: pg_trgm on PostgreSQL, FTS5
// trigram on SQLite.

// Query kinds of the evaluation, in report order.
const (
	EvalExact      = "name + DOB"
	EvalTypo       = "surname typo + DOB"
	EvalPhonetic   = "phonetic variant + DOB"
	EvalNickname   = "nickname + DOB"
	EvalSwapped    = "first/last swapped + DOB"
	EvalDOBSwapped = "name + DOB day/month swapped"
	EvalNoDOB      = "name only"
	EvalTypoNoDOB  = "surname typo, name only"
	EvalPhonNoDOB  = "phonetic variant, name only"
)

// EvalKinds lists the query kinds in report order.
var EvalKinds = []string{EvalExact, EvalTypo, EvalPhonetic, EvalNickname, EvalSwapped, EvalDOBSwapped, EvalNoDOB,
	EvalTypoNoDOB, EvalPhonNoDOB}

// Engines compared by the evaluation.
const (
	EngineSearch  = "Patchwork search (SearchService.Search)"
	EngineMatcher = "FuzzyMatcher alone"
	EngineTrgm    = "pg_trgm baseline"
	EngineFTS     = "FTS5 trigram baseline"
)

// EvalOptions sets up an evaluation.
type EvalOptions struct {
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
	// Misses, when set, receives one line per counted query an engine did
	// not rank first: engine, kind, the rank it gave (1 for second, "-"
	// when not in its results), query, and the client looked for.
	Misses io.Writer
}

// EvalRow holds the results of one engine on one query kind.
type EvalRow struct {
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
func (r *EvalRow) Recall1() float64 { return ratio(r.Top1, r.N) }

// Recall10 is the share of queries whose client was in the first ten.
func (r *EvalRow) Recall10() float64 { return ratio(r.Top10, r.N) }

// RareRecall10 is Recall10 over queries for rare enough names.
func (r *EvalRow) RareRecall10() float64 { return ratio(r.RareTop10, r.Rare) }

// Percentile returns the p-th percentile (0 < p ≤ 100) latency.
func (r *EvalRow) Percentile(p float64) time.Duration {
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

// EvalReport is the outcome of an evaluation.
type EvalReport struct {
	Dialect         string
	Clients         int
	Queries         int
	Baseline        string
	BaselineBuild   time.Duration // building the baseline's structures this run
	BaselineExisted bool          // they were there already
	Elapsed         time.Duration
	Rows            []*EvalRow
}

// Row returns the row of engine on kind, or nil.
func (r *EvalReport) Row(engine, kind string) *EvalRow {
	for _, row := range r.Rows {
		if row.Engine == engine && row.Kind == kind {
			return row
		}
	}
	return nil
}

// Markdown writes the report as a Markdown table.
func (r *EvalReport) Markdown(w io.Writer) {
	fmt.Fprintf(w, "Database: %s, %d clients, %d queries (%s).\n", r.Dialect, r.Clients, r.Queries, r.Elapsed.Round(time.Second))
	if r.BaselineExisted {
		fmt.Fprintf(w, "Baseline %s: structures already built.\n\n", r.Baseline)
	} else {
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

// evalTarget is a client the evaluation looks for.
type evalTarget struct {
	id                 int64
	first, last, dob   string
	givenNorm, famNorm string
	sameName           int // clients whose primary name is the same
	text               string
	query              match.Query
	baselineName, bDOB string
}

// EvaluateSearch runs the evaluation on db, which must hold clients and at
// least one active agent. It writes to db: the baseline's structures (kept
// for the next run), and the audit rows and rate-limit counts of the
// searches, as the search page would.
func (db *DB) EvaluateSearch(ctx context.Context, opt EvalOptions) (*EvalReport, error) {
	start := time.Now()
	if opt.Queries <= 0 {
		opt.Queries = 1000
	}
	progress := opt.Progress
	if progress == nil {
		progress = io.Discard
	}
	rep := &EvalReport{Dialect: db.Dialect.Name, Baseline: EngineFTS}
	if db.pool != nil {
		rep.Baseline = EngineTrgm
	}
	var maxID int64
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM clients`).Scan(&rep.Clients, &maxID); err != nil {
		return nil, err
	}
	if rep.Clients == 0 {
		return nil, errors.New("sqldb: the database holds no clients to look for")
	}
	var agentID int64
	if err := db.read.QueryRowContext(ctx, `SELECT MIN(id) FROM agents WHERE active = 1`).Scan(&agentID); err != nil {
		return nil, fmt.Errorf("sqldb: the evaluation needs an active agent: %w", err)
	}
	agent, err := NewAgentService(db).FindCaller(ctx, agentID)
	if err != nil {
		return nil, err
	}
	ctx = patchwork.NewContextWithCaller(ctx, agent)

	t0 := time.Now()
	existed, err := db.buildBaseline(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqldb: build baseline: %w", err)
	}
	rep.BaselineBuild, rep.BaselineExisted = time.Since(t0), existed
	fmt.Fprintf(progress, "baseline %s ready in %s\n", rep.Baseline, rep.BaselineBuild.Round(time.Millisecond))

	search := NewSearchService(db, FuzzyMatcher{})
	search.RateLimit = 0
	engines := []struct {
		name string
		run  func(t *evalTarget) ([]int64, error)
	}{
		{EngineSearch, func(t *evalTarget) ([]int64, error) {
			res, err := search.Search(ctx, patchwork.SearchQuery{Text: t.text, Scope: patchwork.ScopeNetwork})
			if err != nil {
				return nil, err
			}
			ids := make([]int64, len(res.Clients))
			for i, m := range res.Clients {
				ids[i] = m.ID
			}
			return ids, nil
		}},
		{EngineMatcher, func(t *evalTarget) ([]int64, error) {
			mr, err := FuzzyMatcher{}.MatchClients(ctx, db, MatchQuery{Text: t.text, Limit: 10})
			if err != nil {
				return nil, err
			}
			return matchIDs(mr.Matches), nil
		}},
		{rep.Baseline, func(t *evalTarget) ([]int64, error) { return db.baselineSearch(ctx, t) }},
	}
	if len(opt.Engines) > 0 {
		kept := engines[:0]
		for _, e := range engines {
			if slices.Contains(opt.Engines, e.name) {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			return nil, fmt.Errorf("sqldb: no engine named %q", opt.Engines)
		}
		engines = kept
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5ea7c4))
	perKind := max(1, (opt.Queries+len(EvalKinds)-1)/len(EvalKinds))
	rows := map[string]*EvalRow{}
	for _, kind := range EvalKinds {
		for _, e := range engines {
			row := &EvalRow{Engine: e.name, Kind: kind}
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
		plan = append(plan, EvalKinds...)
	}
	for n, kind := range plan {
		k := kind
		if k == "" {
			k = EvalKinds[n%len(EvalKinds)]
		}
		t, err := db.evalTarget(ctx, rng, maxID, k)
		if err != nil {
			return nil, err
		}
		for _, e := range engines {
			t1 := time.Now()
			ids, err := e.run(t)
			took := time.Since(t1)
			if err != nil {
				return nil, fmt.Errorf("sqldb: %s on %q: %w", e.name, k, err)
			}
			if kind == "" {
				continue
			}
			rank, err := db.evalRank(ctx, t, ids)
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

// evalRank returns where t's client is in ids (at most the first ten), or
// -1. A client with exactly the same name and date of birth as t's is
// indistinguishable from it and counts as found.
func (db *DB) evalRank(ctx context.Context, t *evalTarget, ids []int64) (int, error) {
	ids = ids[:min(len(ids), 10)]
	if i := slices.Index(ids, t.id); i >= 0 {
		return i, nil
	}
	if len(ids) == 0 {
		return -1, nil
	}
	ph, args := idList(ids, 1)
	rows, err := db.read.QueryContext(ctx, `SELECT id, first_name, last_name, date_of_birth FROM clients WHERE id IN (`+ph+`)`, args...)
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

// evalTarget picks a random client to which kind applies and writes its
// query.
func (db *DB) evalTarget(ctx context.Context, rng *rand.Rand, maxID int64, kind string) (*evalTarget, error) {
	for range 10000 {
		t := &evalTarget{id: 1 + rng.Int64N(maxID)}
		err := db.read.QueryRowContext(ctx, `SELECT c.first_name, c.last_name, c.date_of_birth, n.given_norm, n.family_norm
			FROM clients c JOIN client_names n ON n.client_id = c.id AND n.is_alias = 0 WHERE c.id = $1`, t.id).
			Scan(&t.first, &t.last, &t.dob, &t.givenNorm, &t.famNorm)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var y, m, d int
		if _, err := fmt.Sscanf(t.dob, "%d-%d-%d", &y, &m, &d); err != nil || t.first == "" {
			continue
		}
		given, family := t.first, t.last
		date := fmt.Sprintf("%02d/%02d/%04d", d, m, y)
		ok := true
		switch kind {
		case EvalTypo, EvalTypoNoDOB:
			family, ok = typo(rng, family)
		case EvalPhonetic, EvalPhonNoDOB:
			if rng.IntN(2) == 0 {
				if family, ok = phoneticVariant(rng, family); !ok {
					family, given = t.last, t.first
					given, ok = phoneticVariant(rng, given)
				}
			} else if given, ok = phoneticVariant(rng, given); !ok {
				given = t.first
				family, ok = phoneticVariant(rng, family)
			}
		case EvalNickname:
			given, ok = nicknameOf(rng, given)
		case EvalSwapped:
			given, family = family, given
		case EvalDOBSwapped:
			ok = d <= 12 && d != m
			date = fmt.Sprintf("%02d/%02d/%04d", m, d, y)
		}
		if !ok {
			continue
		}
		switch kind {
		case EvalNoDOB, EvalTypoNoDOB, EvalPhonNoDOB:
			date = ""
		}
		t.text = strings.TrimSpace(given + " " + family + " " + date)
		t.query = match.ParseQuery(t.text, db.now())
		t.baselineName = foldText(strings.Join(t.query.Names, " "))
		if t.query.Date.Day != 0 {
			t.bDOB = t.query.Date.String()
		}
		if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_names
			WHERE family_norm = $1 AND given_norm = $2 AND is_alias = 0`, t.famNorm, t.givenNorm).Scan(&t.sameName); err != nil {
			return nil, err
		}
		return t, nil
	}
	return nil, fmt.Errorf("sqldb: found no client for a %q query", kind)
}
