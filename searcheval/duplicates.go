package searcheval

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"patchwork"
	"patchwork/match"
	"patchwork/sqldb"
)

// The duplicate-check evaluation: corrupted copies of existing clients,
// and clean new clients who are on Patchwork under no name, are submitted
// as the add-client form submits them (Client.Validate on a copy, then
// ClientService.FindPossibleDuplicates), creating nothing.

// DupKind is a way a practitioner adding a client already on Patchwork
// writes them differently from the existing record.
type DupKind struct {
	Name string
	// NameAgrees is whether at least one name part still agrees with the
	// record, exactly or by typo, sound or nickname.
	NameAgrees bool
}

// Duplicate-check kinds, in report order.
var (
	DupExact      = DupKind{"exact copy", true}
	DupTypo       = DupKind{"surname typo", true}
	DupBothTypo   = DupKind{"typos in both names", true}
	DupPhonetic   = DupKind{"phonetic variant", true}
	DupNickname   = DupKind{"nickname", true}
	DupSwapped    = DupKind{"first/last swapped", true}
	DupDOBSwapped = DupKind{"DOB day/month swapped", true}
	DupDOBOther   = DupKind{"another DOB", true}
	DupNewSurname = DupKind{"another surname, another address", true}
	DupFormerName = DupKind{"another surname, the record's name as alias", true}
	DupInitial    = DupKind{"given name as an initial", true}
	DupPostcode   = DupKind{"given-name typo, another surname, same DOB + postcode", true}
	DupAddress    = DupKind{"nickname, another surname, same DOB + address written differently", true}
	DupNoName     = DupKind{"both names replaced, same DOB + address + postcode", false}
)

// DupKinds lists the duplicate-check kinds in report order.
var DupKinds = []DupKind{DupExact, DupTypo, DupBothTypo, DupPhonetic, DupNickname, DupSwapped, DupDOBSwapped,
	DupDOBOther, DupNewSurname, DupFormerName, DupInitial, DupPostcode, DupAddress, DupNoName}

// DupRow holds the outcome of the checks of one kind of submission (or of
// the unrelated new clients).
type DupRow struct {
	Kind       string
	NameAgrees bool
	N          int
	// Likely and Listed count the checks that listed the existing record
	// (or a record with exactly its name and date of birth) as a likely
	// match, or at any level; Prompted those that listed anybody, and
	// LikelyAny those that listed anybody as likely.
	Likely, Listed, Prompted, LikelyAny int
	// BaselineTop5 counts the checks whose record the baseline search, given
	// the submitted name and date of birth, ranks in its first five (for
	// unrelated new clients: that it returns anybody); BaselineN the checks
	// it ran on.
	BaselineTop5, BaselineN int
	// Lengths counts the checks by how many matches they listed; the last
	// cell holds longer lists.
	Lengths   [7]int
	MaxLen    int
	Latencies []time.Duration
}

func (r *DupRow) add(o *DupRow) {
	r.N += o.N
	r.Likely += o.Likely
	r.Listed += o.Listed
	r.Prompted += o.Prompted
	r.LikelyAny += o.LikelyAny
	r.BaselineTop5 += o.BaselineTop5
	r.BaselineN += o.BaselineN
	for i, n := range o.Lengths {
		r.Lengths[i] += n
	}
	r.MaxLen = max(r.MaxLen, o.MaxLen)
	r.Latencies = append(r.Latencies, o.Latencies...)
}

// Percentile returns the p-th percentile (0 < p ≤ 100) latency.
func (r *DupRow) Percentile(p float64) time.Duration {
	return (&Row{Latencies: r.Latencies}).Percentile(p)
}

// DupReport is the outcome of a duplicate-check evaluation.
type DupReport struct {
	Dialect     string
	Clients     int
	Baseline    string // "" when the baseline did not run
	Elapsed     time.Duration
	Rows        []*DupRow
	NameAgrees  *DupRow // the kinds where a name part agrees, together
	All         *DupRow // every duplicate
	Unrelated   *DupRow // clean new clients on Patchwork under no name
	Checks      int
	Duplicates  int
	UnrelatedOf int
}

// Row returns the row of kind, or nil.
func (r *DupReport) Row(kind string) *DupRow {
	for _, row := range r.Rows {
		if row.Kind == kind {
			return row
		}
	}
	return nil
}

// RunDuplicates runs the duplicate-check evaluation on db, a database
// loaded for evaluation (as Run): opt.Duplicates corrupted copies of
// random clients, shared evenly by DupKinds, and opt.Unrelated clean new
// clients, interleaved, after opt.Warmup uncounted checks. Each check
// writes what the form's check writes (an audit row, a search count);
// nothing is created. On PostgreSQL the pg_trgm baseline runs beside it
// unless opt.Engines leaves it out, under the same guard on its tables as
// in Run.
func RunDuplicates(ctx context.Context, db *sqldb.DB, opt Options) (*DupReport, error) {
	return runDuplicates(ctx, db, opt, nil)
}

// checkFunc is a duplicate check: ClientService.FindPossibleDuplicates.
type checkFunc func(ctx context.Context, c *patchwork.Client) ([]*patchwork.ClientMatch, error)

// runDuplicates is RunDuplicates with the check replaced by check, when set
// (tests count with a check whose answers they know).
func runDuplicates(ctx context.Context, db *sqldb.DB, opt Options, check checkFunc) (*DupReport, error) {
	start := time.Now()
	progress := opt.Progress
	if progress == nil {
		progress = io.Discard
	}
	ev := &evaluation{db: db, postgres: db.Dialect.Name == "postgres"}
	ev.read, ev.write = db.SQL()
	defer ev.close()
	rep := &DupReport{Dialect: db.Dialect.Name, NameAgrees: &DupRow{Kind: "all where a name part agrees", NameAgrees: true},
		All: &DupRow{Kind: "all duplicates"}, Unrelated: &DupRow{Kind: "unrelated new clients"}}
	ctx, maxID, err := ev.setup(ctx, &rep.Clients)
	if err != nil {
		return nil, err
	}
	if ev.postgres && (len(opt.Engines) == 0 || slices.Contains(opt.Engines, EngineTrgm)) {
		if _, err := ev.buildBaseline(ctx, opt.CreateBaseline); err != nil {
			return nil, fmt.Errorf("searcheval: baseline: %w", err)
		}
		rep.Baseline = EngineTrgm
	}
	if check == nil {
		svc := sqldb.NewClientService(db)
		svc.RateLimit = 0
		check = svc.FindPossibleDuplicates
	}
	rows := map[string]*DupRow{}
	for _, k := range DupKinds {
		row := &DupRow{Kind: k.Name, NameAgrees: k.NameAgrees}
		rows[k.Name] = row
		rep.Rows = append(rep.Rows, row)
	}
	// The plan: warm-up checks, then the kinds in turn with an unrelated
	// new client as often as the unrelated share asks.
	type step struct {
		kind             *DupKind
		unrelated, count bool
	}
	var plan []step
	for i := range opt.Warmup {
		plan = append(plan, step{kind: &DupKinds[i%len(DupKinds)]})
	}
	perKind := (opt.Duplicates + len(DupKinds) - 1) / len(DupKinds)
	dups := perKind * len(DupKinds)
	for i, u := 0, 0; i < dups || u < opt.Unrelated; {
		// Unrelated checks spread evenly among the duplicates.
		if u < opt.Unrelated && (i >= dups || u*dups <= i*opt.Unrelated) {
			plan = append(plan, step{unrelated: true, count: true})
			u++
			continue
		}
		plan = append(plan, step{kind: &DupKinds[i%len(DupKinds)], count: true})
		i++
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0xd0b1e))
	for n, st := range plan {
		var sub *submission
		if st.unrelated {
			sub, err = ev.unrelated(ctx, rng, maxID)
		} else {
			sub, err = ev.duplicate(ctx, rng, maxID, *st.kind)
		}
		if err != nil {
			return nil, err
		}
		// As the form: a validated copy is checked.
		typed := sub.client
		t0 := time.Now()
		if err := typed.Validate(sub.dobTyped, db.Now()); err != nil {
			return nil, fmt.Errorf("searcheval: a generated submission is not valid: %w", err)
		}
		matches, err := check(ctx, &typed)
		took := time.Since(t0)
		if err != nil {
			return nil, fmt.Errorf("searcheval: duplicate check: %w", err)
		}
		if !st.count {
			continue
		}
		row := rep.Unrelated
		if !st.unrelated {
			row = rows[st.kind.Name]
		}
		row.N++
		row.Latencies = append(row.Latencies, took)
		row.Lengths[min(len(matches), len(row.Lengths)-1)]++
		row.MaxLen = max(row.MaxLen, len(matches))
		if len(matches) > 0 {
			row.Prompted++
		}
		if slices.ContainsFunc(matches, func(m *patchwork.ClientMatch) bool { return m.Level == "likely" }) {
			row.LikelyAny++
		}
		level := ""
		if !st.unrelated {
			if level, err = ev.levelOf(ctx, sub.original, matches); err != nil {
				return nil, err
			}
			if level != "" {
				row.Listed++
			}
			if level == "likely" {
				row.Likely++
			}
		}
		if rep.Baseline != "" {
			ids, err := ev.trgmIDs(ctx, match.Fold(typed.FirstName+" "+typed.LastName), typed.DateOfBirth)
			if err != nil {
				return nil, fmt.Errorf("searcheval: baseline duplicate check: %w", err)
			}
			row.BaselineN++
			if st.unrelated {
				if len(ids) > 0 {
					row.BaselineTop5++
				}
			} else if rank, err := ev.rank(ctx, sub.original, ids[:min(len(ids), 5)]); err != nil {
				return nil, err
			} else if rank >= 0 {
				row.BaselineTop5++
			}
		}
		if opt.Misses != nil {
			if err := sub.writeMiss(opt.Misses, st.unrelated, level, matches); err != nil {
				return nil, err
			}
		}
		if (n+1)%200 == 0 {
			fmt.Fprintf(progress, "%d/%d duplicate checks, %s\n", n+1, len(plan), time.Since(start).Round(time.Second))
		}
	}
	for _, row := range rep.Rows {
		rep.All.add(row)
		if row.NameAgrees {
			rep.NameAgrees.add(row)
		}
	}
	rep.Duplicates, rep.UnrelatedOf = rep.All.N, rep.Unrelated.N
	rep.Checks = rep.All.N + rep.Unrelated.N
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// submission is one new client submitted to the duplicate check, and the
// existing client it copies (nil for an unrelated new client).
type submission struct {
	client   patchwork.Client
	dobTyped string
	kind     string
	original *target
}

// writeMiss writes a line to w when the check missed: a duplicate whose
// record was not listed, or an unrelated new client shown a likely match.
func (s *submission) writeMiss(w io.Writer, unrelated bool, level string, matches []*patchwork.ClientMatch) error {
	c := s.client
	typed := fmt.Sprintf("%s %s, %s, %q %q, aliases %q", c.FirstName, c.LastName, s.dobTyped, c.Address, c.Postcode, c.Aliases)
	var shown []string
	for _, m := range matches {
		shown = append(shown, fmt.Sprintf("%s %s %s (%s)", m.Level, m.Name, m.DateOfBirth, strings.Join(m.Reasons, " · ")))
	}
	switch {
	case unrelated && slices.ContainsFunc(matches, func(m *patchwork.ClientMatch) bool { return m.Level == "likely" }):
		_, err := fmt.Fprintf(w, "duplicate check\tunrelated, shown a likely match\t%s\tshown: %s\n", typed, strings.Join(shown, "; "))
		return err
	case !unrelated && level == "":
		o := s.original
		_, err := fmt.Fprintf(w, "duplicate check\t%s\t%s\trecord: %s %s %s %q %q\tshown: %s\n", s.kind, typed,
			o.first, o.last, o.dob, o.address, o.postcode, strings.Join(shown, "; "))
		return err
	}
	return nil
}

// levelOf returns the level at which matches list t's client (or a client
// with exactly its name and date of birth), or "".
func (ev *evaluation) levelOf(ctx context.Context, t *target, matches []*patchwork.ClientMatch) (string, error) {
	ids := matchIDs(matches)
	if len(ids) == 0 {
		return "", nil
	}
	best := ""
	for len(ids) > 0 {
		i, err := ev.rank(ctx, t, ids)
		if err != nil || i < 0 {
			return best, err
		}
		if matches[i].Level == "likely" {
			return "likely", nil
		}
		best = matches[i].Level
		if best == "" {
			best = "possible"
		}
		// A likely twin may follow a possible one.
		ids, matches = ids[i+1:], matches[i+1:]
	}
	return best, nil
}

// Markdown writes the report as Markdown tables.
func (r *DupReport) Markdown(w io.Writer) {
	fmt.Fprintf(w, "Duplicate check. Database: %s, %d clients, %d checks: %d corrupted copies, %d unrelated new clients (%s).\n\n",
		r.Dialect, r.Clients, r.Checks, r.Duplicates, r.UnrelatedOf, r.Elapsed.Round(time.Second))
	base := "baseline top 5"
	if r.Baseline == "" {
		base += " (not run)"
	}
	fmt.Fprintf(w, "| Submitted copy | a name part agrees | n | record listed likely | record listed (any level) | any prompt | %s | p50 ms | p95 ms |\n", base)
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, row := range append(slices.Clone(r.Rows), r.NameAgrees, r.All) {
		agrees := "yes"
		if !row.NameAgrees {
			agrees = "no"
		}
		if row == r.All {
			agrees = ""
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.3f | %.3f | %.3f | %s | %s | %s |\n", row.Kind, agrees, row.N,
			ratio(row.Likely, row.N), ratio(row.Listed, row.N), ratio(row.Prompted, row.N), r.baselineCell(row),
			ms(row.Percentile(50)), ms(row.Percentile(95)))
	}
	u := r.Unrelated
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Unrelated new clients | n | shown a likely match | shown any possible match | baseline returns anybody | p50 ms | p95 ms |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	fmt.Fprintf(w, "| on Patchwork under no name | %d | %.3f | %.3f | %s | %s | %s |\n", u.N, ratio(u.LikelyAny, u.N),
		ratio(u.Prompted, u.N), r.baselineCell(u), ms(u.Percentile(50)), ms(u.Percentile(95)))
	all := &DupRow{}
	all.add(r.All)
	all.add(u)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Every check: p95 %s ms, p99 %s ms.\n\n", ms(all.Percentile(95)), ms(all.Percentile(99)))
	fmt.Fprintln(w, "| Matches listed | 0 | 1 | 2 | 3 | 4 | 5 | more | max |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, row := range []*DupRow{r.All, u} {
		fmt.Fprintf(w, "| %s |", row.Kind)
		for _, n := range row.Lengths {
			fmt.Fprintf(w, " %d |", n)
		}
		fmt.Fprintf(w, " %d |\n", row.MaxLen)
	}
}

func (r *DupReport) baselineCell(row *DupRow) string {
	if row.BaselineN == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f", ratio(row.BaselineTop5, row.BaselineN))
}
