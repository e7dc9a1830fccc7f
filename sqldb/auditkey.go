package sqldb

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// AuditKeyConfig says where the secret key of the audit chain and this
// instance's checkpoint file live. Both stay outside the database, so that
// someone who can write to the database cannot recompute the chain or
// rewind its head (docs/security.md).
type AuditKeyConfig struct {
	// Key is the key itself, hex or base64, at least 32 bytes
	// (PATCHWORK_AUDIT_KEY). When set, KeyFile is neither read nor created.
	Key string
	// KeyFile holds the key in hex. It is created (mode 0600) at first
	// start when the database holds no keyed audit row yet.
	KeyFile string
	// CheckpointFile holds the newest signed checkpoint of the chain's head
	// this instance has seen, replaced atomically.
	CheckpointFile string
}

// DefaultAuditKeyConfig returns where the audit key and checkpoint file are
// kept for dsn when nothing else is said: next to a SQLite file
// ("patchwork.db.audit-key", "patchwork.db.audit-checkpoint"). A PostgreSQL
// DSN has no default: the key and checkpoint file must be given.
func DefaultAuditKeyConfig(dsn string) AuditKeyConfig {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return AuditKeyConfig{}
	}
	key := strings.TrimPrefix(dsn, "sqlite://") + ".audit-key"
	return AuditKeyConfig{KeyFile: key, CheckpointFile: CheckpointFileFor(key)}
}

// SetAuditKeyConfig says where the audit key and checkpoint file are. Call it
// before Migrate, which loads (or first creates) the key; until a key is
// loaded, every audited use case fails.
func (db *DB) SetAuditKeyConfig(cfg AuditKeyConfig) { db.chain.cfg = cfg }

// auditKeyLen is the length of a generated key: HMAC-SHA256's block-sized
// strength needs no more.
const auditKeyLen = 32

// errNoAuditKey is returned by audited use cases on a DB whose audit key
// was never loaded.
var errNoAuditKey = errors.New("sqldb: no audit key loaded (set the audit key file or PATCHWORK_AUDIT_KEY)")

// decodeAuditKey reads a key written in hex or in base64 (standard or URL
// alphabet, padded or not).
func decodeAuditKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) >= auditKeyLen {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) >= auditKeyLen {
			return b, nil
		}
	}
	return nil, fmt.Errorf("sqldb: the audit key must be at least %d bytes in hex or base64", auditKeyLen)
}

// loadAuditKey returns the configured key. When the key file does not exist
// and mayCreate is set, it creates one; created says whether this call did.
func loadAuditKey(cfg AuditKeyConfig, mayCreate bool) (key []byte, created bool, err error) {
	switch {
	case cfg.Key != "":
		key, err = decodeAuditKey(cfg.Key)
		return key, false, err
	case cfg.KeyFile == "":
		return nil, false, errNoAuditKey
	}
	key, err = readAuditKeyFile(cfg.KeyFile)
	if !errors.Is(err, fs.ErrNotExist) || !mayCreate {
		return key, false, err
	}
	return createAuditKeyFile(cfg.KeyFile)
}

func readAuditKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sqldb: audit key: %w", err)
	}
	key, err := decodeAuditKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return key, nil
}

// createAuditKeyFile writes a new random key to path without ever leaving a
// partial file there: the key is written and synced under a temporary name
// and then hard-linked into place, which fails if the name exists. Two
// instances starting together on one host therefore end up with the same
// key: the one that loses the race reads the winner's.
func createAuditKeyFile(path string) ([]byte, bool, error) {
	key := make([]byte, auditKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, false, err
	}
	tmp, err := writeSynced(path, hex.EncodeToString(key)+"\n")
	if err != nil {
		return nil, false, fmt.Errorf("sqldb: create audit key: %w", err)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		key, err := readAuditKeyFile(path)
		return key, false, err
	} else if err != nil {
		return nil, false, fmt.Errorf("sqldb: create audit key: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, false, fmt.Errorf("sqldb: create audit key: %w", err)
	}
	return key, true, nil
}

// writeSynced writes content to a new temporary file (mode 0600) beside
// path, flushed to disk, and returns its name.
func writeSynced(path, content string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncDir flushes a directory, so that a name just linked or renamed in it
// survives a power loss.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// CheckpointFileFor names the checkpoint file kept next to keyFile:
// "x.audit-key" gives "x.audit-checkpoint", any other name gets
// ".checkpoint" appended.
func CheckpointFileFor(keyFile string) string {
	if base, ok := strings.CutSuffix(keyFile, "-key"); ok {
		return base + "-checkpoint"
	}
	return keyFile + ".checkpoint"
}
