package main

import (
	"bytes"
	"context"
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
