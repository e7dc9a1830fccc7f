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

// cmdScanDuplicates refreshes the duplicates queue across the whole
// network now, as the nightly duplicate_scan job does, and says how long
// it took: the command to time the scan on a loaded database
// (docs/performance.md).
func cmdScanDuplicates(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin scan-duplicates", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dsn, audit)
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
