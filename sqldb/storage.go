package sqldb

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsStorageFull reports whether err is a write refused for lack of space:
// SQLite's SQLITE_FULL (what it returns when the disk refuses a write with
// ENOSPC), PostgreSQL's disk_full (53100), or ENOSPC, EDQUOT or EFBIG from
// a file Patchwork writes itself (the audit checkpoint). SQLite rolls the
// transaction back; nothing of it is half-written.
func IsStorageFull(err error) bool {
	if err == nil {
		return false
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code()&0xff == sqlite3.SQLITE_FULL
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "53100"
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EFBIG)
}

// minFreeBytes is the free space below which a SQLite database counts as
// full for readiness: less than a megabyte leaves room for a few small
// transactions, not for the write-ahead log to grow or to checkpoint.
const minFreeBytes = 1 << 20

// StorageFull returns an error when the database cannot take writes for
// lack of space, and nil otherwise; /readyz asks it. On SQLite it looks at
// the filesystem holding the database file (less than a megabyte free
// counts as full); on PostgreSQL, whose disk is the server's, it reports a
// write that failed with disk_full when no write has committed since. Both
// clear by themselves once space returns.
func (db *DB) StorageFull() error {
	if db.path != "" {
		free, ok := freeBytes(filepath.Dir(db.path))
		if ok && free < minFreeBytes {
			return fmt.Errorf("sqldb: storage full: %d bytes free for %s", free, db.path)
		}
		return nil
	}
	if db.full.Load() {
		return errors.New("sqldb: storage full: the last write failed for lack of space")
	}
	return nil
}

// noteWrite records how a write transaction ended, for StorageFull.
func (db *DB) noteWrite(err error) {
	if err == nil {
		if db.full.Load() {
			db.full.Store(false)
		}
	} else if IsStorageFull(err) {
		db.full.Store(true)
	}
}
