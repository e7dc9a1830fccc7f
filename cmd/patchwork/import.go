package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"patchwork"
	"patchwork/importer"
)

// exitCode is an error that ends the command with a status other than 1.
type exitCode struct {
	code int
	err  error
}

func (e *exitCode) Error() string { return e.err.Error() }

// cmdImport loads a CSV file: patchwork import [--dry-run] --kind clients FILE.
// Exit status 0 when every row is fine (or imported), 1 when any row has a
// problem (each listed as "row N: field: reason"), 2 for a file that
// cannot be read at all. A real run is a durable job (docs/import.md):
// the same command run again after a crash resumes it.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	dry := fs.Bool("dry-run", false, "check every row and report the problems; change nothing")
	kind := fs.String("kind", "", "what the file holds: agencies, agents, clients or areas")
	allowDup := fs.Bool("allow-duplicates", false, "import rows the duplicate check finds likely to be an existing client")
	skipBad := fs.Bool("skip-bad-rows", false, "import the good rows of a file that has bad ones (by default a file with any bad row imports nothing)")
	invite := fs.Bool("invite", false, "with --kind agents: email each new agent an invitation to choose a password (by default none is sent)")
	batch := fs.Int("batch-size", importer.DefaultBatchSize, "rows written per transaction; a resumed import must use the same size (it is one of the import's options)")
	quiet := fs.Bool("quiet", false, "no progress on standard error")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file")
	generate := fs.Int("generate", 0, "write a sample client file of this many rows to FILE (for measurements; three members each, from the database's agents) instead of importing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &exitCode{2, errors.New("import needs one FILE: patchwork import [--dry-run] --kind clients FILE")}
	}
	if *generate > 0 {
		db, err := openMigrated(ctx, *dsn, audit)
		if err != nil {
			return err
		}
		defer db.Close()
		return importer.WriteSampleClients(patchwork.NewSystemContext(ctx), db, fs.Arg(0), *generate)
	}
	load, noun, links := importer.ImportClients, "clients", "memberships"
	switch *kind {
	case "clients":
	case "agencies":
		load, noun, links = importer.ImportAgencies, "agencies", "areas"
	case "agents":
		load, noun, links = importer.ImportAgents, "agents", "areas"
	case "areas":
		load, noun, links = importer.ImportAreas, "areas", ""
	default:
		return &exitCode{2, errors.New("--kind must be agencies, agents, clients or areas")}
	}
	if *batch < 1 {
		return &exitCode{2, errors.New("--batch-size must be 1 or more")}
	}
	if *invite && *kind != "agents" {
		return &exitCode{2, errors.New("--invite is for --kind agents")}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return &exitCode{2, fmt.Errorf("cannot read %s: %w", fs.Arg(0), err)}
	}
	defer f.Close()
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
	opt := importer.Options{DryRun: *dry, AllowDuplicates: *allowDup, SkipBadRows: *skipBad, Invite: *invite, FileName: fs.Arg(0),
		BatchSize: *batch}
	if !*quiet {
		opt.Progress = progressReporter(stderr, time.Now)
	}
	rep, err := load(patchwork.NewSystemContext(ctx), db, f, opt)
	var fe *importer.FileError
	if errors.As(err, &fe) {
		return &exitCode{2, fmt.Errorf("%s: %s", fs.Arg(0), fe.Msg)}
	}
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p)
	}
	if rep.Resumed {
		fmt.Fprintf(stdout, "Resumed import %d, which an earlier run of this file left unfinished.\n", rep.JobID)
	}
	switch {
	case *kind == "areas":
		fmt.Fprintln(stdout, importer.AreaSummary(rep, opt))
	case *dry && rep.Blocked && !*skipBad:
		fmt.Fprintf(stdout, "Dry run: %d rows, %d problems: an import would write nothing until they are fixed; "+
			"with --skip-bad-rows, %d %s would be imported (%d %s) and %d were imported before. Nothing was changed.\n",
			rep.Rows, len(rep.Problems), rep.Imported, noun, rep.Memberships, links, rep.Unchanged)
	case *dry:
		fmt.Fprintf(stdout, "Dry run: %d rows; %d %s would be imported (%d %s), %d were imported before, %d problems. Nothing was changed.\n",
			rep.Rows, rep.Imported, noun, rep.Memberships, links, rep.Unchanged, len(rep.Problems))
	case rep.Rejected:
		fmt.Fprintf(stdout, "Nothing was imported: %d problems in %d rows. Fix the rows and run the import again, "+
			"or run it with --skip-bad-rows to import the good rows only.\n", len(rep.Problems), rep.Rows)
	case rep.Imported == 0 && len(rep.Problems) == 0:
		fmt.Fprintf(stdout, "Nothing changed: all %d rows were imported before.\n", rep.Rows)
	default:
		fmt.Fprintf(stdout, "Imported %d %s (%d %s); %d rows were imported before; %d problems, whose rows were not imported.\n",
			rep.Imported, noun, rep.Memberships, links, rep.Unchanged, len(rep.Problems))
	}
	if len(rep.Problems) > 0 {
		return &exitCode{1, fmt.Errorf("%d problems", len(rep.Problems))}
	}
	return nil
}

// progressReporter shows an import's progress on w: a one-line progress
// bar rewritten in place when w is a terminal, plain lines (one every ten
// seconds at most, and at the end of each phase) otherwise.
func progressReporter(w io.Writer, now func() time.Time) func(string, int, int) {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return progressBar(w, now)
		}
	}
	return progressLines(w, now)
}

// progress keeps the speed of one phase.
type progress struct {
	now   func() time.Time
	phase string
	start time.Time
	from  int // rows done when the phase's clock started
}

// update starts a new phase's clock when the phase changes, and returns
// the rows per second and the time left.
func (p *progress) update(phase string, done, total int) (rate float64, left string, fresh bool) {
	if phase != p.phase {
		p.phase, p.start, p.from, fresh = phase, p.now(), done, true
	}
	if el := p.now().Sub(p.start).Seconds(); el > 0 && done > p.from {
		rate = float64(done-p.from) / el
	}
	left = "?"
	if rate > 0 {
		left = (time.Duration(float64(total-done)/rate) * time.Second).Round(time.Second).String()
	}
	return rate, left, fresh
}

// progressBar rewrites one line on a terminal: the phase, a bar, rows
// done, rows per second and the time left.
func progressBar(w io.Writer, now func() time.Time) func(string, int, int) {
	p := &progress{now: now}
	return func(phase string, done, total int) {
		prev := p.phase
		rate, left, fresh := p.update(phase, done, total)
		if fresh && prev != "" {
			fmt.Fprintln(w)
		}
		const width = 30
		fill := width
		if total > 0 {
			fill = width * done / total
		}
		fmt.Fprintf(w, "\r%s [%s%s] %d/%d rows, %.0f rows/s, %s left \x1b[K", phase, strings.Repeat("=", fill),
			strings.Repeat(" ", width-fill), done, total, rate, left)
		if done == total {
			fmt.Fprintln(w)
			p.phase = ""
		}
	}
}

// progressLines writes a plain progress line now and then, for a log.
func progressLines(w io.Writer, now func() time.Time) func(string, int, int) {
	p := &progress{now: now}
	var last time.Time
	return func(phase string, done, total int) {
		rate, left, fresh := p.update(phase, done, total)
		if !fresh && done != total && now().Sub(last) < 10*time.Second {
			return
		}
		last = now()
		fmt.Fprintf(w, "%s: %d/%d rows, %.0f rows/s, %s left\n", phase, done, total, rate, left)
		if done == total {
			p.phase = ""
		}
	}
}
