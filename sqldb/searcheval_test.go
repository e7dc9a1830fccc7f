package sqldb_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"patchwork/demo"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func TestEvaluateSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a small statewide data set")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := demo.LoadStatewide(ctx, db, demo.Statewide{Clients: 1500, Agents: 40, Agencies: 8}, io.Discard); err != nil {
			t.Fatal(err)
		}
		rep, err := db.EvaluateSearch(ctx, sqldb.EvalOptions{Queries: 90, Seed: 7, Warmup: 2})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Clients != 1500 || rep.Queries != 90 || rep.BaselineExisted {
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
		for _, e := range []string{sqldb.EngineSearch, sqldb.EngineMatcher} {
			if r := rep.Row(e, sqldb.EvalExact); r == nil || r.Recall1() != 1 {
				t.Errorf("%s: exact name and date of birth recall@1 = %v, want 1", e, r.Recall1())
			}
		}
		var buf bytes.Buffer
		rep.Markdown(&buf)
		if !strings.Contains(buf.String(), "| "+sqldb.EvalExact+" | "+sqldb.EngineSearch+" | 10 | 1.000 |") {
			t.Errorf("markdown:\n%s", buf.String())
		}
		// A second run reuses the baseline.
		rep, err = db.EvaluateSearch(ctx, sqldb.EvalOptions{Queries: 9, Seed: 8})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.BaselineExisted {
			t.Error("baseline rebuilt on the second run")
		}
	})
}
