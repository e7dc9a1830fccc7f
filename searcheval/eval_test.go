package searcheval_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"patchwork/demo"
	"patchwork/searcheval"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestRun evaluates a small statewide data set on each database: the
// report's figures are in range, and exact queries are found first.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a small statewide data set")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := demo.LoadStatewide(ctx, db, demo.Statewide{Clients: 1500, Agents: 40, Agencies: 8}, io.Discard); err != nil {
			t.Fatal(err)
		}
		rep, err := searcheval.Run(ctx, db, searcheval.Options{Queries: 130, Seed: 7, Warmup: 2, CreateBaseline: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Clients != 1500 || rep.Queries != 130 || rep.BaselineExisted {
			t.Errorf("report: %d clients, %d queries, baseline existed %v", rep.Clients, rep.Queries, rep.BaselineExisted)
		}
		for _, row := range rep.Rows {
			for _, r := range []float64{row.Recall1(), row.Recall10(), row.RareRecall10()} {
				if r < 0 || r > 1 {
					t.Errorf("%s / %s: recall %v out of range", row.Engine, row.Kind, r)
				}
			}
			if row.N != 10 || len(row.Latencies) != row.N || row.Percentile(99) <= 0 || row.Recall1() > row.Recall10() {
				t.Errorf("%s / %s: n %d, %d latencies, p99 %v, recall@1 %v > recall@10 %v", row.Engine, row.Kind,
					row.N, len(row.Latencies), row.Percentile(99), row.Recall1(), row.Recall10())
			}
		}
		for _, e := range []string{searcheval.EngineSearch, searcheval.EngineMatcher} {
			if r := rep.Row(e, searcheval.Exact); r == nil || r.Recall1() != 1 {
				t.Errorf("%s: exact name and date of birth recall@1 = %v, want 1", e, r.Recall1())
			}
		}
		var buf bytes.Buffer
		rep.Markdown(&buf)
		if !strings.Contains(buf.String(), "| "+searcheval.Exact+" | "+searcheval.EngineSearch+" | 10 | 1.000 |") {
			t.Errorf("markdown:\n%s", buf.String())
		}
		// A second run reuses the baseline.
		rep, err = searcheval.Run(ctx, db, searcheval.Options{Queries: 9, Seed: 8})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.BaselineExisted {
			t.Error("baseline rebuilt on the second run")
		}
	})
}

// TestRunCreatesNoBaselineUnasked covers the guard on the baseline's
// tables: an evaluation of Patchwork's engines alone never looks at them,
// and one that runs the baseline refuses to create them unless allowed,
// leaving the database as it was.
func TestRunCreatesNoBaselineUnasked(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a small statewide data set")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := demo.LoadStatewide(ctx, db, demo.Statewide{Clients: 300, Agents: 10, Agencies: 3}, io.Discard); err != nil {
			t.Fatal(err)
		}
		rep, err := searcheval.Run(ctx, db, searcheval.Options{Queries: 9, Seed: 1,
			Engines: []string{searcheval.EngineSearch, searcheval.EngineMatcher}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.BaselineRun || len(rep.Rows) != 2*len(searcheval.Kinds) {
			t.Errorf("engines alone: baseline run %v, %d rows", rep.BaselineRun, len(rep.Rows))
		}
		if n := evalTables(t, db); n != 0 {
			t.Fatalf("an evaluation of the engines alone created %d baseline tables", n)
		}
		// The duplicate check's evaluation: with Patchwork's check alone, and
		// with the baseline (PostgreSQL only) but not allowed to create it.
		if _, err := searcheval.RunDuplicates(ctx, db, searcheval.Options{Duplicates: 14, Unrelated: 2, Seed: 1,
			Engines: []string{searcheval.EngineSearch}}); err != nil {
			t.Fatal(err)
		}
		_, err = searcheval.RunDuplicates(ctx, db, searcheval.Options{Duplicates: 14, Unrelated: 2, Seed: 1})
		if db.Dialect.Name == "postgres" && (err == nil || !strings.Contains(err.Error(), "--create-baseline")) {
			t.Errorf("duplicate check with the baseline but without its tables: %v, want a refusal naming --create-baseline", err)
		} else if db.Dialect.Name != "postgres" && err != nil {
			t.Errorf("duplicate check on SQLite, which has no baseline for it: %v", err)
		}
		if n := evalTables(t, db); n != 0 {
			t.Fatalf("a duplicate-check evaluation not allowed to create the baseline created %d tables", n)
		}
		if _, err := searcheval.Run(ctx, db, searcheval.Options{Queries: 9, Seed: 1}); err == nil ||
			!strings.Contains(err.Error(), "--create-baseline") {
			t.Errorf("baseline without its tables: %v, want a refusal naming --create-baseline", err)
		}
		if n := evalTables(t, db); n != 0 {
			t.Fatalf("a refused evaluation created %d baseline tables", n)
		}
		if _, err := searcheval.Run(ctx, db, searcheval.Options{Queries: 9, Seed: 1, CreateBaseline: true}); err != nil {
			t.Fatal(err)
		}
		if n := evalTables(t, db); n == 0 {
			t.Error("an evaluation allowed to create the baseline's tables left none")
		}
	})
}

// evalTables counts the baseline's tables in db.
func evalTables(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'eval%'`
	if db.Dialect.Name == "postgres" {
		q = `SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'eval%'`
	}
	read, _ := db.SQL()
	var n int
	if err := read.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
