package sqldb_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestAuditKeyFile: the first start creates the key outside the database,
// readable by its owner only, and a checkpoint file beside it.
func TestAuditKeyFile(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		cfg := sqldbtest.AuditConfig(t, db)
		fi, err := os.Stat(cfg.KeyFile)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
		}
		b, err := os.ReadFile(cfg.KeyFile)
		if err != nil {
			t.Fatal(err)
		}
		if k, err := hex.DecodeString(strings.TrimSpace(string(b))); err != nil || len(k) != 32 {
			t.Fatalf("key file holds %q", b)
		}
		if _, err := os.Stat(cfg.CheckpointFile); err != nil {
			t.Fatalf("no checkpoint file after the first start: %v", err)
		}
		if !strings.HasSuffix(sqldb.DefaultAuditKeyConfig("/srv/patchwork.db").CheckpointFile, "/srv/patchwork.db.audit-checkpoint") {
			t.Fatal("SQLite's checkpoint file is not next to the database")
		}
	})
}

// TestAuditStartRefused: a start with no key, the wrong key, or after the
// log was cut short is refused with a message that says what to do, and
// creates no new key.
func TestAuditStartRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		appendAudit(t, db, 5)
		cfg := sqldbtest.AuditConfig(t, db)
		dir := t.TempDir()

		lost := sqldb.AuditKeyConfig{KeyFile: filepath.Join(dir, "audit-key"), CheckpointFile: filepath.Join(dir, "audit-checkpoint")}
		if _, err := sqldbtest.Reopen(t, db, lost); err == nil || !strings.Contains(err.Error(), "there is no key at") {
			t.Fatalf("start without the key: %v", err)
		}
		if _, err := os.Stat(lost.KeyFile); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a new key was created for a keyed log: %v", err)
		}

		wrong := sqldb.AuditKeyConfig{Key: hex.EncodeToString(randomBytes(t, 32)), CheckpointFile: filepath.Join(dir, "other-checkpoint")}
		if _, err := sqldbtest.Reopen(t, db, wrong); err == nil || !strings.Contains(err.Error(), "does not match") {
			t.Fatalf("start with the wrong key: %v", err)
		}

		waitCheckpointFile(t, db, 5)
		dropGuard(t, db)
		mustExec(t, db, `DELETE FROM audit_events WHERE id > 3`)
		if _, err := sqldbtest.Reopen(t, db, cfg); err == nil || !strings.Contains(err.Error(), "no longer holds row 5") {
			t.Fatalf("restart after the log was cut short: %v", err)
		}
	})
}

// TestAuditSecondInstance: a second instance with the same key (from the
// environment, in base64) and its own checkpoint file appends to the same
// chain; the first instance's verify sees the newest head; an instance
// stopped and started again goes on from its checkpoint.
func TestAuditSecondInstance(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		appendAudit(t, db, 3)
		cfg := sqldbtest.AuditConfig(t, db)
		b, err := os.ReadFile(cfg.KeyFile)
		if err != nil {
			t.Fatal(err)
		}
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		second, err := sqldbtest.Reopen(t, db, sqldb.AuditKeyConfig{Key: base64.StdEncoding.EncodeToString(key),
			CheckpointFile: filepath.Join(t.TempDir(), "audit-checkpoint")})
		if err != nil {
			t.Fatal(err)
		}
		appendAudit(t, second, 4)
		appendAudit(t, db, 2)
		waitCheckpointFile(t, second, 7)
		for _, inst := range []*sqldb.DB{db, second} {
			if n, err := sqldb.NewAuditService(inst).VerifyAudit(sqldbtest.System()); err != nil || n != 9 {
				t.Fatalf("verify: %d rows, %v", n, err)
			}
		}
		// Stopping writes the newest head to the checkpoint file, so the
		// restarted instance's file covers what the other one appended.
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if c, err := os.ReadFile(cfg.CheckpointFile); err != nil || !strings.Contains(string(c), " head=9 ") {
			t.Fatalf("checkpoint file after stop: %q, %v", c, err)
		}
		again, err := sqldbtest.Reopen(t, db, cfg)
		if err != nil {
			t.Fatal(err)
		}
		appendAudit(t, again, 1)
		if n, err := sqldb.NewAuditService(again).VerifyAudit(sqldbtest.System()); err != nil || n != 10 {
			t.Fatalf("verify after restart: %d rows, %v", n, err)
		}
	})
}

// TestAuditUpgradeFromUnkeyed: a database whose rows were hashed the
// earlier, unkeyed way (as before migration 011) gets a key at its next
// start; keyed hashing starts after its last row, the chain verifies, and
// re-chaining the old rows without the key is caught where they meet the
// first keyed row.
func TestAuditUpgradeFromUnkeyed(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		// Back to what migration 011 leaves: no checkpoint, no key, rows
		// with unkeyed hashes.
		cfg := sqldbtest.AuditConfig(t, db)
		dropHeadGuard(t, db)
		mustExec(t, db, `DELETE FROM audit_head`)
		for _, f := range []string{cfg.KeyFile, cfg.CheckpointFile} {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
		prev := strings.Repeat("0", 64)
		for id := int64(1); id <= 4; id++ {
			h := sqldb.UnkeyedAuditHash(prev, id, 1000+id, 0, 0, "client.view", "", "")
			mustExec(t, db, `INSERT INTO audit_events (id, at, action, prev_hash, hash) VALUES ($1, $2, 'client.view', $3, $4)`, id, 1000+id, prev, h)
			prev = h
		}
		upgraded, err := sqldbtest.Reopen(t, db, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(cfg.KeyFile); err != nil {
			t.Fatalf("no key created at the upgrade: %v", err)
		}
		if from := sqldbtest.MustCount(t, upgraded, `SELECT keyed_from FROM audit_head`); from != 5 {
			t.Fatalf("keyed from row %d, want 5", from)
		}
		appendAudit(t, upgraded, 3)
		audit := sqldb.NewAuditService(upgraded)
		if n, err := audit.VerifyAudit(sqldbtest.System()); err != nil || n != 7 {
			t.Fatalf("verify after the upgrade: %d rows, %v", n, err)
		}
		dropGuard(t, upgraded)
		mustExec(t, upgraded, `UPDATE audit_events SET detail = 'tampered' WHERE id = 2`)
		rehashRows(t, upgraded, 2, 4)
		if _, err := audit.VerifyAudit(sqldbtest.System()); err == nil || !strings.Contains(err.Error(), "row 5 does not follow row 4") {
			t.Fatalf("re-chained old rows: %v", err)
		}
	})
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
