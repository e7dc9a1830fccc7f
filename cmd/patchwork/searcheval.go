package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"patchwork/searcheval"
)

// cmdSearchEval measures client search on an already loaded database (see
// docs/search-evaluation.md): recall and latency of Patchwork's search and
// of a trigram baseline, per kind of corrupted query, and with --duplicates
// how often the add-client duplicate check prompts for a corrupted copy of
// a client and for a new client who is not on Patchwork.
func cmdSearchEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search-eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	var opt searcheval.Options
	fs.IntVar(&opt.Queries, "queries", 1000, "search queries in all, shared evenly by the query kinds; 0 skips the search evaluation")
	fs.IntVar(&opt.Duplicates, "duplicates", 0, "also evaluate the add-client duplicate check: this many corrupted copies of clients, shared evenly by the kinds of copy")
	fs.IntVar(&opt.Unrelated, "unrelated", 500, "with --duplicates: new clients on Patchwork under no name, checked for false alarms")
	fs.Uint64Var(&opt.Seed, "seed", 1, "random seed: picks the clients and their corruptions")
	fs.IntVar(&opt.Warmup, "warmup", 50, "queries run first to warm the caches, not counted")
	engines := fs.String("engines", "", `run only these engines, comma-separated: "search", "matcher", "baseline"`)
	queryLog := fs.String("write-queries", "", "write the text of every counted query to this file, one per line (to drive a load test); it holds client names, so evaluate test data only")
	misses := fs.String("write-misses", "", "write each query an engine did not rank first, with the rank it gave and the client looked for, to this file; it holds client names and dates of birth, so evaluate test data only")
	fs.BoolVar(&opt.CreateBaseline, "create-baseline", false, "create the baseline's tables (pg_trgm index or FTS5 table of every client name) if they are missing; only in a database loaded for evaluation")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the evaluation to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The evaluation writes to the database it measures (audit rows,
	// search counts, perhaps the baseline's tables): it runs only on one
	// named on the command line, never on the deployment's from the
	// environment.
	named := false
	fs.Visit(func(f *flag.Flag) { named = named || f.Name == "db" })
	if !named {
		return errors.New("search-eval: name the database loaded for evaluation with --db (PATCHWORK_DATABASE is not used)")
	}
	db, err := openMigrated(ctx, *dsn, audit)
	if err != nil {
		return err
	}
	defer db.Close()
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	for _, e := range strings.Split(*engines, ",") {
		switch strings.TrimSpace(e) {
		case "search":
			opt.Engines = append(opt.Engines, searcheval.EngineSearch)
		case "matcher":
			opt.Engines = append(opt.Engines, searcheval.EngineMatcher)
		case "baseline":
			opt.Engines = append(opt.Engines, searcheval.EngineTrgm, searcheval.EngineFTS)
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
	if opt.Queries > 0 {
		rep, err := searcheval.Run(ctx, db, opt)
		if err != nil {
			return err
		}
		rep.Markdown(stdout)
		fmt.Fprintln(stdout)
	}
	if opt.Duplicates > 0 {
		rep, err := searcheval.RunDuplicates(ctx, db, opt)
		if err != nil {
			return err
		}
		rep.Markdown(stdout)
		fmt.Fprintln(stdout)
	}
	return nil
}

// startCPUProfile writes a CPU profile to path until stop is called; with
// path "" it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
