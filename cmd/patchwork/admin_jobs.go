package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"patchwork"
	"patchwork/sqldb"
)

// The nightly jobs an admin can run now from the shell, each timed: the
// commands to time them on a loaded database (docs/performance.md).

// openForJob parses a job command's flags (--db and the audit key's) and
// opens the migrated database.
func openForJob(ctx context.Context, name string, args []string, stderr io.Writer) (*sqldb.DB, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return openMigrated(ctx, *dsn, audit)
}

// cmdRebuildStats rebuilds the network statistics' precomputed cells now,
// as the daily stats_rebuild job does, and says how long it took.
func cmdRebuildStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	db, err := openForJob(ctx, "admin rebuild-stats", args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.RebuildStats(ctx); err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	fmt.Fprintf(stdout, "Statistics rebuilt in %s.\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// cmdScanDuplicates refreshes the duplicates queue across the whole
// network now, as the nightly duplicate_scan job does.
func cmdScanDuplicates(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	db, err := openForJob(ctx, "admin scan-duplicates", args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	var clients int
	read, _ := db.SQL()
	if err := read.QueryRowContext(ctx, `SELECT COUNT(*) FROM clients WHERE merged_into IS NULL`).Scan(&clients); err != nil {
		return err
	}
	start := time.Now()
	added, err := sqldb.NewMergeService(db).ScanDuplicates(patchwork.NewSystemContext(ctx))
	if err != nil {
		return fmt.Errorf("duplicate scan: %w", err)
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "Scanned %d clients in %s (%.0f clients/s): %d likely duplicate pairs added to the queue.\n",
		clients, took.Round(100*time.Millisecond), float64(clients)/max(took.Seconds(), 1e-3), added)
	return nil
}
