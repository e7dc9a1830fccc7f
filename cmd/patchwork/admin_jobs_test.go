package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanDuplicatesCommand: patchwork admin scan-duplicates scans the
// whole network and says how many clients and pairs; a second scan adds
// none.
func TestScanDuplicatesCommand(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "p.db")
	if err := run(context.Background(), []string{"demo", "--db", dbPath}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	scan := func() string {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"admin", "scan-duplicates", "--db", dbPath}, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if out := scan(); !strings.HasPrefix(out, "Scanned ") || !strings.Contains(out, "likely duplicate pairs added") {
		t.Fatalf("first scan: %q", out)
	}
	if out := scan(); !strings.Contains(out, ": 0 likely duplicate pairs added") {
		t.Errorf("second scan: %q, want 0 pairs added", out)
	}
}

// TestRebuildStatsCommand: patchwork admin rebuild-stats fills the
// statistics' cells of a fresh demo network and says how long it took.
func TestRebuildStatsCommand(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "p.db")
	if err := run(context.Background(), []string{"demo", "--db", dbPath}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"admin", "rebuild-stats", "--db", dbPath}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Statistics rebuilt in ") {
		t.Fatalf("output %q", out.String())
	}
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var cells int
	if err := db.QueryRow(`SELECT COUNT(*) FROM stats_cells WHERE value > 0`).Scan(&cells); err != nil {
		t.Fatal(err)
	}
	if cells == 0 {
		t.Error("no statistics cells after the rebuild")
	}
}
