package sqldb

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestAuditKeyCreatedOnce: instances starting together on one host, each
// finding no key file, end up with one key: exactly one creates it, the
// others read it, and no half-written file is ever read.
func TestAuditKeyCreatedOnce(t *testing.T) {
	cfg := AuditKeyConfig{KeyFile: filepath.Join(t.TempDir(), "patchwork.db.audit-key")}
	const n = 16
	keys := make([][]byte, n)
	created := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			keys[i], created[i], errs[i] = loadAuditKey(cfg, true)
		}(i)
	}
	close(start)
	wg.Wait()
	creators := 0
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) || len(keys[i]) != auditKeyLen {
			t.Fatalf("instance %d got another key", i)
		}
		if created[i] {
			creators++
		}
	}
	if creators != 1 {
		t.Fatalf("%d instances created the key, want 1", creators)
	}
	entries, err := os.ReadDir(filepath.Dir(cfg.KeyFile))
	if err != nil || len(entries) != 1 {
		t.Fatalf("directory holds %v (%v), want only the key", entries, err)
	}
}

// TestDecodeAuditKey: PATCHWORK_AUDIT_KEY may be hex or base64; a short key
// is refused.
func TestDecodeAuditKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb, 0xff, 0x01}, 11)[:32]
	for _, s := range []string{hex.EncodeToString(key), base64.StdEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key), " " + hex.EncodeToString(key) + "\n"} {
		got, err := decodeAuditKey(s)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("decode %q: %x, %v", s, got, err)
		}
	}
	if _, err := decodeAuditKey(hex.EncodeToString(key[:16])); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}
