package sqldb

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// checkpoint is a signed statement of the audit chain's head: "the chain
// had head_id rows, the last with hash head_hash". It is kept in two places
// the audit table cannot reach: the audit_head row (updated in the same
// transaction as every append, so every instance sees the newest) and each
// instance's checkpoint file (which someone with only database access
// cannot rewind). KeyedFrom is the first row hashed with the key; rows
// before it date from before keyed hashing (migration 011).
type checkpoint struct {
	KeyedFrom int64
	HeadID    int64
	HeadHash  string
	At        int64 // unix microseconds
	MAC       string
}

// sum is the checkpoint's HMAC; its prefix keeps it apart from row hashes.
func (cp checkpoint) sum(key []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "patchwork audit checkpoint v1\n%d\n%d\n%s\n%d", cp.KeyedFrom, cp.HeadID, cp.HeadHash, cp.At)
	return hex.EncodeToString(m.Sum(nil))
}

func signCheckpoint(key []byte, keyedFrom, headID int64, headHash string, at int64) checkpoint {
	cp := checkpoint{KeyedFrom: keyedFrom, HeadID: headID, HeadHash: headHash, At: at}
	cp.MAC = cp.sum(key)
	return cp
}

// valid reports whether cp was signed with key.
func (cp checkpoint) valid(key []byte) bool {
	return hmac.Equal([]byte(cp.MAC), []byte(cp.sum(key)))
}

const checkpointFormat = "patchwork-audit-checkpoint v1 keyed_from=%d head=%d hash=%s at=%d mac=%s\n"

// readCheckpointFile returns the checkpoint in path, or nil if there is no
// such file.
func readCheckpointFile(path string) (*checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqldb: audit checkpoint: %w", err)
	}
	var cp checkpoint
	if _, err := fmt.Sscanf(string(b), checkpointFormat, &cp.KeyedFrom, &cp.HeadID, &cp.HeadHash, &cp.At, &cp.MAC); err != nil {
		return nil, fmt.Errorf("sqldb: audit checkpoint %s is unreadable: %v", path, err)
	}
	return &cp, nil
}

// writeCheckpointFile replaces path with cp: written and synced under a
// temporary name, then renamed over the old one, so a crash leaves either
// the old checkpoint or the new one, never a torn file.
func writeCheckpointFile(path string, cp checkpoint) error {
	tmp, err := writeSynced(path, fmt.Sprintf(checkpointFormat, cp.KeyedFrom, cp.HeadID, cp.HeadHash, cp.At, cp.MAC))
	if err != nil {
		return fmt.Errorf("sqldb: write audit checkpoint: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sqldb: write audit checkpoint: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// readHead returns the database's checkpoint (not yet checked against the
// key), or nil if there is none.
func readHead(ctx context.Context, q querier) (*checkpoint, error) {
	var cp checkpoint
	err := q.QueryRowContext(ctx, `SELECT keyed_from, head_id, head_hash, at, mac FROM audit_head WHERE id = 1`).
		Scan(&cp.KeyedFrom, &cp.HeadID, &cp.HeadHash, &cp.At, &cp.MAC)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqldb: read audit checkpoint: %w", err)
	}
	return &cp, nil
}

// writeHead stores cp as the database's checkpoint. It inserts the row
// again if it was deleted; a trigger refuses to move it backwards.
func writeHead(ctx context.Context, q querier, cp checkpoint) error {
	_, err := q.ExecContext(ctx, `INSERT INTO audit_head (id, keyed_from, head_id, head_hash, at, mac)
		VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET head_id = excluded.head_id,
		head_hash = excluded.head_hash, at = excluded.at, mac = excluded.mac`,
		cp.KeyedFrom, cp.HeadID, cp.HeadHash, cp.At, cp.MAC)
	if err != nil {
		return fmt.Errorf("sqldb: write audit checkpoint: %w", err)
	}
	return nil
}

// rowHash returns the stored hash of audit row id, or "" if there is none.
func rowHash(ctx context.Context, q querier, id int64) (string, error) {
	var h string
	err := q.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE id = $1`, id).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return h, err
}

// checkpointer writes this instance's checkpoint file after the commits
// that append audit rows. Commits only hand it their newest checkpoint; one
// goroutine writes the newest it holds, at most once every
// checkpointFileGap, so a busy second of commits costs one file write (a
// write and two fsyncs), and no request waits for the file's fsync (the
// rows themselves are already durable in the database). The file may
// therefore trail the database by the commits of the last gap; it never
// runs ahead of it, and close writes the newest.
type checkpointer struct {
	db   *DB
	path string

	mu      sync.Mutex
	latest  checkpoint // newest handed in
	written checkpoint // what the file holds
	err     error      // the chain no longer extends the file: final, returned by close
	// failed is the last write of the file that failed (a full disk, say);
	// the next commit tries again, and close returns it if the last try
	// failed too.
	failed error

	wake     chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

func newCheckpointer(db *DB, path string, written checkpoint) *checkpointer {
	c := &checkpointer{db: db, path: path, latest: written, written: written,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// advance hands in a newer checkpoint; it returns at once.
func (c *checkpointer) advance(cp checkpoint) {
	c.mu.Lock()
	if cp.HeadID > c.latest.HeadID {
		c.latest = cp
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// checkpointFileGap is the least time between two writes of the
// checkpoint file. Written after every commit, the file cost a tenth of the
// client page's CPU under load.
const checkpointFileGap = time.Second

func (c *checkpointer) run() {
	defer close(c.done)
	gap := time.NewTimer(0)
	for {
		select {
		case <-c.wake:
		case <-c.stop:
			c.flush()
			return
		}
		// Wait out the gap since the last write: commits meanwhile only
		// move the newest checkpoint on.
		select {
		case <-gap.C:
		case <-c.stop:
			c.flush()
			return
		}
		c.flush()
		gap.Reset(checkpointFileGap)
	}
}

// flush writes the newest checkpoint, unless the row the file names has
// changed since: then the chain no longer extends what the file recorded
// (rows were deleted or rewritten, or an older backup was restored), and
// moving the file on would hide it.
func (c *checkpointer) flush() {
	c.mu.Lock()
	cp, w, failed := c.latest, c.written, c.err != nil
	c.mu.Unlock()
	if failed || cp.HeadID <= w.HeadID {
		return
	}
	err := c.extends(w)
	if err == nil {
		err = writeCheckpointFile(c.path, cp)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case errors.Is(err, errChainMoved):
		c.err = err
	case err != nil:
		// Writing the file failed, not the chain: the file keeps the older
		// checkpoint, which the database extends, and the next commit
		// writes the newest once there is room again.
		c.failed = err
	default:
		c.written, c.failed = cp, nil
	}
}

// errChainMoved marks the checkpointer's one final error: the row the file
// names has changed.
var errChainMoved = errors.New("sqldb: the audit chain no longer extends the checkpoint file")

// extends checks that the database still holds the row w names, unchanged.
func (c *checkpointer) extends(w checkpoint) error {
	if w.HeadID == 0 {
		return nil
	}
	h, err := rowHash(context.Background(), c.db.read, w.HeadID)
	if err != nil {
		return fmt.Errorf("sqldb: audit checkpoint: %w", err)
	}
	if h != w.HeadHash {
		return fmt.Errorf("%w: audit row %d no longer matches the checkpoint in %s: run `patchwork audit verify` (docs/security.md)", errChainMoved, w.HeadID, c.path)
	}
	return nil
}

// close writes the newest checkpoint and stops; it returns the first
// failure the checkpointer met. Checkpoints handed in after close are not
// written.
func (c *checkpointer) close() error {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	return c.failed
}

// describe names a checkpoint for verify's report.
func (cp checkpoint) describe(where string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (row %d", where, cp.HeadID)
	if cp.At != 0 {
		fmt.Fprintf(&b, ", %s", fromMicros(cp.At).Format("2006-01-02 15:04:05 UTC"))
	}
	b.WriteString(")")
	return b.String()
}
