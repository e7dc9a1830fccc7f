package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"patchwork/sqldb"
)

// cmdSearchEval measures client search on an already loaded database (see
// docs/search-evaluation.md): recall and latency of Patchwork's search and
// of a trigram baseline, per kind of corrupted query.
func cmdSearchEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search-eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	var opt sqldb.EvalOptions
	fs.IntVar(&opt.Queries, "queries", 1000, "queries in all, shared evenly by the query kinds")
	fs.Uint64Var(&opt.Seed, "seed", 1, "random seed: picks the clients and their corruptions")
	fs.IntVar(&opt.Warmup, "warmup", 50, "queries run first to warm the caches, not counted")
	engines := fs.String("engines", "", `run only these engines, comma-separated: "search", "matcher", "baseline"`)
	queryLog := fs.String("write-queries", "", "write the text of every counted query to this file, one per line (to drive a load test); it holds client names, so evaluate test data only")
	misses := fs.String("write-misses", "", "write each query an engine did not rank first, with the rank it gave and the client looked for, to this file; it holds client names and dates of birth, so evaluate test data only")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the evaluation to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, e := range strings.Split(*engines, ",") {
		switch strings.TrimSpace(e) {
		case "search":
			opt.Engines = append(opt.Engines, sqldb.EngineSearch)
		case "matcher":
			opt.Engines = append(opt.Engines, sqldb.EngineMatcher)
		case "baseline":
			opt.Engines = append(opt.Engines, sqldb.EngineTrgm, sqldb.EngineFTS)
		case "":
		default:
			return fmt.Errorf("unknown engine %q", e)
		}
	}
	for _, out := range []struct {
		path string
		w    *io.Writer
	}{{*queryLog, &opt.QueryLog}, {*misses, &opt.Misses}} {
		if out.path == "" {
			continue
		}
		f, err := os.Create(out.path)
		if err != nil {
			return err
		}
		defer f.Close()
		*out.w = f
	}
	opt.Progress = stderr
	rep, err := db.EvaluateSearch(ctx, opt)
	if err != nil {
		return err
	}
	rep.Markdown(stdout)
	fmt.Fprintln(stdout)
	return nil
}
