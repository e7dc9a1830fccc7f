package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
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
			if t.sameName <= 10 {
				row.Rare++
				if rank >= 0 && rank < 10 {
					row.RareTop10++
				}
			}
		}
		if kind != "" {
			rep.Queries++
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

// typo makes one keyboard slip in a name of four letters or more: a letter
// replaced, dropped, doubled wrongly or swapped with the next.
func typo(rng *rand.Rand, name string) (string, bool) {
	if !isPlainName(name) || len(name) < 4 {
		return "", false
	}
	b := []byte(strings.ToLower(name))
	for range 20 {
		var out []byte
		i := rng.IntN(len(b))
		letter := byte('a' + rng.IntN(26))
		switch rng.IntN(4) {
		case 0: // substitution
			out = slices.Clone(b)
			out[i] = letter
		case 1: // deletion
			out = slices.Delete(slices.Clone(b), i, i+1)
		case 2: // insertion
			out = slices.Insert(slices.Clone(b), i, letter)
		default: // transposition
			if i+1 >= len(b) {
				continue
			}
			out = slices.Clone(b)
			out[i], out[i+1] = out[i+1], out[i]
		}
		if s := string(out); s != string(b) {
			return capitalize(s), true
		}
	}
	return "", false
}

// phoneticSpellings are common variant spellings of names, by normalised
// name.
var phoneticSpellings = map[string][]string{
	"smith": {"smyth", "smythe"}, "smyth": {"smith"}, "reid": {"reed", "read"}, "thompson": {"thomson"},
	"thomson": {"thompson"}, "clarke": {"clark"}, "clark": {"clarke"}, "catherine": {"kathryn", "katharine", "cathryn"},
	"katherine": {"catherine", "kathryn"}, "kathryn": {"catherine", "katherine"}, "stephen": {"steven"},
	"steven": {"stephen"}, "philip": {"phillip"}, "phillip": {"philip"}, "sarah": {"sara"}, "sara": {"sarah"},
	"mohammed": {"muhammad", "mohamed"}, "muhammad": {"mohammed", "mohamed"}, "mohammad": {"muhammad"},
	"caitlin": {"kaitlyn", "katelyn"}, "aisha": {"ayesha"}, "davies": {"davis"}, "davis": {"davies"},
	"macdonald": {"mcdonald"}, "mcdonald": {"macdonald"}, "jonathan": {"johnathan"}, "elizabeth": {"elisabeth"},
	"isabella": {"isabela"}, "sophia": {"sofia"}, "freya": {"freyja"}, "matthew": {"mathew"}, "phillips": {"philips"},
}

// phoneticRules rewrite spellings that usually sound the same.
var phoneticRules = [][2]string{
	{"ph", "f"}, {"f", "ph"}, {"ck", "k"}, {"c", "k"}, {"k", "c"}, {"y", "i"}, {"i", "y"}, {"ie", "y"}, {"y", "ie"},
	{"ey", "y"}, {"s", "z"}, {"z", "s"}, {"ll", "l"}, {"l", "ll"}, {"nn", "n"}, {"n", "nn"}, {"tt", "t"}, {"t", "tt"},
	{"rr", "r"}, {"r", "rr"}, {"mm", "m"}, {"m", "mm"}, {"ss", "s"}, {"th", "t"}, {"ine", "yn"}, {"a", "e"},
	{"e", "a"}, {"o", "ou"}, {"ei", "ie"}, {"ie", "ei"}, {"w", "wh"}, {"x", "ks"}, {"qu", "kw"}, {"dg", "j"},
}

// phoneticVariant returns a different spelling of name with the same Double
// Metaphone key: a known variant, or a rewrite that keeps the sound.
func phoneticVariant(rng *rand.Rand, name string) (string, bool) {
	if !isPlainName(name) {
		return "", false
	}
	n := strings.ToLower(name)
	var options []string
	options = append(options, phoneticSpellings[n]...)
	for _, r := range phoneticRules {
		for i := 1; i < len(n); i++ { // the first letter stays
			if strings.HasPrefix(n[i:], r[0]) {
				options = append(options, n[:i]+r[1]+n[i+len(r[0]):])
			}
		}
	}
	p1, a1 := match.DoubleMetaphone(n)
	var good []string
	for _, o := range options {
		if o == n || len(o) < 3 {
			continue
		}
		p2, a2 := match.DoubleMetaphone(o)
		if p1 == p2 || p1 == a2 || a1 == p2 || (a1 != "" && a1 == a2) {
			good = append(good, o)
		}
	}
	if len(good) == 0 {
		return "", false
	}
	return capitalize(good[rng.IntN(len(good))]), true
}

// evalNicknames are everyday short forms; those that share a nickname group
// (match.NameGroups) with a given name stand in for it.
var evalNicknames = strings.Fields(`bill will willy liam bob bobby rob robbie kate katie kathy cathy kat kitty liz lizzie
	beth betty eliza libby maggie meg peggy mike mick mikey danny dan alex sandy sasha chris kit matt matty andy drew
	becky becca jess jessie sam sammy tom tommy jim jimmy jamie joe joey bella izzy issy ollie olly charlie lottie harry
	hal hank dave davy steve stevie phil pete rick ricky dick rich richie jon johnny jack nick ted teddy ed eddie ned
	tony nat abby annie sue susie jen jenny mo moe millie milly ellie nell flo flossie gracie rosie evie liv livvy
	georgie archie leo sophie soph zac zach ty jay pat paddy sean shaun shawn`)

// nicknameOf returns a nickname of given from the same nickname group.
func nicknameOf(rng *rand.Rand, given string) (string, bool) {
	if !isPlainName(given) {
		return "", false
	}
	groups := match.NameGroups(strings.ToLower(given))
	if len(groups) == 0 {
		return "", false
	}
	var out []string
	for _, n := range evalNicknames {
		if n == strings.ToLower(given) {
			continue
		}
		for _, g := range match.NameGroups(n) {
			if slices.Contains(groups, g) {
				out = append(out, n)
				break
			}
		}
	}
	if len(out) == 0 {
		return "", false
	}
	return capitalize(out[rng.IntN(len(out))]), true
}

func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// buildBaseline creates the baseline's structures if they are missing and
// reports whether they existed.
func (db *DB) buildBaseline(ctx context.Context) (bool, error) {
	if db.pool != nil {
		var exists bool
		if err := db.write.QueryRowContext(ctx, `SELECT to_regclass('eval_trgm_name') IS NOT NULL`).Scan(&exists); err != nil {
			return false, err
		}
		if exists {
			return true, nil
		}
		for _, s := range []string{
			`CREATE EXTENSION IF NOT EXISTS pg_trgm`,
			`DROP TABLE IF EXISTS eval_trgm`,
			`CREATE TABLE eval_trgm (client_id BIGINT NOT NULL, name TEXT NOT NULL)`,
			`INSERT INTO eval_trgm (client_id, name) SELECT client_id, given_norm || ' ' || family_norm FROM client_names`,
			`CREATE INDEX eval_trgm_name ON eval_trgm USING gin (name gin_trgm_ops)`,
			`ANALYZE eval_trgm`,
		} {
			if _, err := db.write.ExecContext(ctx, s); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	if _, err := db.write.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS eval_fts USING fts5(name, tokenize='trigram')`); err != nil {
		return false, err
	}
	var n int
	if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM eval_fts LIMIT 1)`).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return true, nil
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO eval_fts (rowid, name) SELECT id, given_norm || ' ' || family_norm FROM client_names`)
	return false, err
}

// baselineSearch runs the baseline: the clients whose normalised names are
// most similar to the query's (pg_trgm similarity, or FTS5 bm25 over the
// query's trigrams), those with the query's date of birth first among
// equals.
func (db *DB) baselineSearch(ctx context.Context, t *evalTarget) ([]int64, error) {
	var ids []int64
	var err error
	if db.pool != nil {
		ids, err = queryIDs(ctx, db.read, `SELECT t.client_id FROM eval_trgm t JOIN clients c ON c.id = t.client_id
			WHERE t.name % $1 ORDER BY similarity(t.name, $1) DESC, c.date_of_birth = $2 DESC, t.client_id LIMIT 30`,
			t.baselineName, t.bDOB)
	} else {
		var grams []string
		for _, w := range strings.Fields(t.baselineName) {
			for i := 0; i+3 <= len(w); i++ {
				g := `"` + w[i:i+3] + `"`
				if !slices.Contains(grams, g) {
					grams = append(grams, g)
				}
			}
		}
		if len(grams) == 0 {
			return nil, nil
		}
		ids, err = queryIDs(ctx, db.read, `SELECT n.client_id FROM
			(SELECT rowid AS id, bm25(eval_fts) AS rank FROM eval_fts WHERE eval_fts MATCH $1) f
			JOIN client_names n ON n.id = f.id JOIN clients c ON c.id = n.client_id
			ORDER BY f.rank, c.date_of_birth = $2 DESC, n.client_id LIMIT 30`, strings.Join(grams, " OR "), t.bDOB)
	}
	if err != nil {
		return nil, err
	}
	out := ids[:0]
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}
