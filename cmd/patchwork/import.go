package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
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
// cannot be read at all.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	dry := fs.Bool("dry-run", false, "check every row and report the problems; change nothing")
	kind := fs.String("kind", "", "what the file holds: agencies, clients or areas (agents are not supported yet)")
	allowDup := fs.Bool("allow-duplicates", false, "import rows the duplicate check finds likely to be an existing client")
	quiet := fs.Bool("quiet", false, "no progress lines")
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
	switch *kind {
	case "clients", "agencies", "areas":
	case "agents":
		return &exitCode{2, fmt.Errorf("--kind %s is not supported yet: only clients", *kind)}
	default:
		return &exitCode{2, errors.New("--kind must be agencies, agents, clients or areas")}
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
	if *kind == "areas" {
		return importAreas(patchwork.NewSystemContext(ctx), db, f, fs.Arg(0), *dry, stdout)
	}
	opt := importer.Options{DryRun: *dry, AllowDuplicates: *allowDup}
	if !*quiet {
		opt.Progress = progressLine(stderr, time.Now)
	}
	load, noun := importer.ImportClients, "clients"
	if *kind == "agencies" {
		load, noun = importer.ImportAgencies, "agencies"
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
	switch {
	case *dry:
		fmt.Fprintf(stdout, "Dry run: %d rows; %d %s would be imported (%d memberships), %d were imported before, %d have problems. Nothing was changed.\n",
			rep.Rows, rep.Imported, noun, rep.Memberships, rep.Unchanged, len(rep.Problems))
	case rep.Imported == 0 && len(rep.Problems) == 0:
		fmt.Fprintf(stdout, "Nothing changed: all %d rows were imported before.\n", rep.Rows)
	default:
		fmt.Fprintf(stdout, "Imported %d %s (%d memberships); %d rows were imported before; %d rows have problems and were not imported.\n",
			rep.Imported, noun, rep.Memberships, rep.Unchanged, len(rep.Problems))
	}
	if len(rep.Problems) > 0 {
		return &exitCode{1, fmt.Errorf("%d rows have problems", len(rep.Problems))}
	}
	return nil
}

// progressLine returns an importer progress callback that rewrites one
// line on w: the phase, rows done, rows per second and the time left.
func progressLine(w io.Writer, now func() time.Time) func(string, int, int) {
	var phase string
	var start time.Time
	var from int // rows done when the phase's clock started
	return func(p string, done, total int) {
		if p != phase {
			if phase != "" {
				fmt.Fprintln(w)
			}
			phase, start, from = p, now(), done
		}
		el := now().Sub(start).Seconds()
		rate := 0.0
		if el > 0 && done > from {
			rate = float64(done-from) / el
		}
		left := "?"
		if rate > 0 {
			left = (time.Duration(float64(total-done)/rate) * time.Second).Round(time.Second).String()
		}
		fmt.Fprintf(w, "\r%s: %d/%d rows, %.0f rows/s, %s left   ", phase, done, total, rate, left)
		if done == total {
			fmt.Fprintln(w)
			phase = ""
		}
	}
}
