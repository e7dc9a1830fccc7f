package searcheval_test

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"patchwork"
	"patchwork/demo"
	"patchwork/match"
	"patchwork/searcheval"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestDuplicateCounts runs the duplicate-check evaluation on three
// constructed clients with a check whose answers are known: it lists the
// clients born on the submitted date, as likely when the name is exactly
// theirs. Every count of the report must then follow from the kinds.
func TestDuplicateCounts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := sqldbtest.MustWorld(t, db)
		agent := w.MustAgent(t, "Eval Agent", w.Council, w.LocalA)
		var clients []*patchwork.Client
		for _, c := range []*patchwork.Client{
			{FirstName: "Catherine", LastName: "Smith", DateOfBirth: "05/02/1980", Address: "12 Acacia Road", Postcode: "SW1 2AB"},
			{FirstName: "William", LastName: "Thompson", DateOfBirth: "20/11/1990", Address: "3 Mill Lane", Postcode: "SW2 3CD"},
			{FirstName: "Elizabeth", LastName: "Clarke", DateOfBirth: "15/07/2001", Address: "40 Church Street", Postcode: "SW3 4EF"},
		} {
			c.AreaIDs = []int64{w.LocalA.ID}
			clients = append(clients, w.MustCreateClient(t, agent, c))
		}
		isoDate := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
		calls := 0
		check := func(ctx context.Context, c *patchwork.Client) ([]*patchwork.ClientMatch, error) {
			calls++
			if !isoDate.MatchString(c.DateOfBirth) {
				t.Errorf("check given a date of birth %q not validated as the form does", c.DateOfBirth)
			}
			var out []*patchwork.ClientMatch
			for _, e := range clients {
				if e.DateOfBirth != c.DateOfBirth {
					continue
				}
				level := "possible"
				if match.Fold(e.FirstName) == match.Fold(c.FirstName) && match.Fold(e.LastName) == match.Fold(c.LastName) {
					level = "likely"
				}
				out = append(out, &patchwork.ClientMatch{ID: e.ID, Name: e.Name(), DateOfBirth: e.DateOfBirth, Level: level})
			}
			return out, nil
		}
		perKind := 2
		rep, err := searcheval.RunDuplicatesWith(ctx, db, searcheval.Options{Seed: 3, Warmup: 3,
			Duplicates: perKind * len(searcheval.DupKinds), Unrelated: 6, Engines: []string{searcheval.EngineSearch}}, check)
		if err != nil {
			t.Fatal(err)
		}
		if want := 3 + perKind*len(searcheval.DupKinds) + 6; calls != want {
			t.Errorf("%d checks, want %d (warm-up, duplicates, unrelated)", calls, want)
		}
		if rep.Clients != 3 || rep.Duplicates != perKind*len(searcheval.DupKinds) || rep.UnrelatedOf != 6 || rep.Baseline != "" {
			t.Errorf("report: %d clients, %d duplicates, %d unrelated, baseline %q", rep.Clients, rep.Duplicates, rep.UnrelatedOf, rep.Baseline)
		}
		listedAgrees := 0
		for _, row := range rep.Rows {
			likely, listed := 0, perKind // the date of birth is the record's
			switch row.Kind {
			case searcheval.DupExact.Name:
				likely = perKind
			case searcheval.DupDOBSwapped.Name, searcheval.DupDOBOther.Name:
				listed = 0
			}
			if row.NameAgrees {
				listedAgrees += listed
			}
			got := [...]int{row.N, row.Likely, row.Listed, row.Prompted, row.LikelyAny, row.Lengths[0], row.Lengths[1], row.MaxLen, len(row.Latencies), row.BaselineN}
			want := [...]int{perKind, likely, listed, listed, likely, perKind - listed, listed, min(listed, 1), perKind, 0}
			if got != want {
				t.Errorf("%s: n, likely, listed, prompted, likely any, lengths 0 and 1, max, latencies, baseline = %v, want %v", row.Kind, got, want)
			}
		}
		if a := rep.NameAgrees; a.N != perKind*(len(searcheval.DupKinds)-1) || a.Listed != listedAgrees || a.Likely != perKind {
			t.Errorf("where a name part agrees: n %d, listed %d (want %d), likely %d", a.N, a.Listed, listedAgrees, a.Likely)
		}
		if a := rep.All; a.N != rep.Duplicates || a.Listed != listedAgrees+perKind || len(a.Latencies) != a.N {
			t.Errorf("all duplicates: n %d, listed %d, %d latencies", a.N, a.Listed, len(a.Latencies))
		}
		if u := rep.Unrelated; u.N != 6 || u.Prompted != 0 || u.LikelyAny != 0 || u.Lengths[0] != 6 || u.Listed != 0 {
			t.Errorf("unrelated: %+v", u)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients`); n != 3 {
			t.Errorf("the evaluation left %d clients, want the 3 it was given", n)
		}
		var buf bytes.Buffer
		rep.Markdown(&buf)
		if !strings.Contains(buf.String(), "| "+searcheval.DupExact.Name+" | yes | 2 | 1.000 | 1.000 | 1.000 | – |") ||
			!strings.Contains(buf.String(), "| on Patchwork under no name | 6 | 0.000 | 0.000 | – |") {
			t.Errorf("markdown:\n%s", buf.String())
		}
	})
}

// TestRunDuplicates runs the duplicate-check evaluation with the store's
// check on a small statewide data set on each database: an exact copy is
// always listed as likely, the counts are consistent, nothing is created,
// and on PostgreSQL the baseline runs beside it.
func TestRunDuplicates(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a small statewide data set")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := demo.LoadStatewide(ctx, db, demo.Statewide{Clients: 1500, Agents: 40, Agencies: 8}, io.Discard); err != nil {
			t.Fatal(err)
		}
		before := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients`)
		rep, err := searcheval.RunDuplicates(ctx, db, searcheval.Options{Seed: 5, Warmup: 2,
			Duplicates: 3 * len(searcheval.DupKinds), Unrelated: 20, CreateBaseline: true})
		if err != nil {
			t.Fatal(err)
		}
		if r := rep.Row(searcheval.DupExact.Name); r == nil || r.N != 3 || r.Likely != 3 {
			t.Errorf("exact copies: %+v, want all three listed as likely", r)
		}
		for _, row := range append(rep.Rows, rep.Unrelated) {
			sum := 0
			for _, n := range row.Lengths {
				sum += n
			}
			if sum != row.N || row.Prompted != row.N-row.Lengths[0] || row.Likely > row.Listed || row.Listed > row.Prompted ||
				row.LikelyAny > row.Prompted || len(row.Latencies) != row.N {
				t.Errorf("%s: inconsistent counts %+v", row.Kind, row)
			}
			if wantBase := db.Dialect.Name == "postgres"; (row.BaselineN == row.N) != wantBase {
				t.Errorf("%s: baseline ran on %d of %d checks", row.Kind, row.BaselineN, row.N)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients`); n != before {
			t.Errorf("the duplicate checks created %d clients", n-before)
		}
	})
}
