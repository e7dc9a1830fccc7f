package sqldb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// auditChain is the audit chain's state in one DB: where its key and this
// instance's checkpoint file are, the key once loaded, and the checkpointer.
type auditChain struct {
	cfg       AuditKeyConfig
	key       []byte
	keyedFrom int64
	cp        *checkpointer
}

// txAuditHead is the head of the chain as one transaction has extended it.
type txAuditHead struct {
	id   int64
	hash string
}

// openAudit loads the audit key and checks the chain's head against this
// instance's checkpoint file before anything is appended. It runs at the
// end of Migrate. It creates the key only for a database whose log has never
// been keyed; it refuses to start when the key is missing or wrong, or when
// the database no longer holds the row the checkpoint file names (the log
// was cut short or rewritten, or an older backup was restored), since going
// on would extend a chain that no longer matches what was recorded.
func (db *DB) openAudit(ctx context.Context) error {
	c := &db.chain
	if c.key != nil || (c.cfg.Key == "" && c.cfg.KeyFile == "") {
		return nil
	}
	if c.cfg.CheckpointFile == "" {
		return errors.New("sqldb: no audit checkpoint file configured")
	}
	head, err := readHead(ctx, db.read)
	if err != nil {
		return err
	}
	file, err := readCheckpointFile(c.cfg.CheckpointFile)
	if err != nil {
		return err
	}
	if head == nil && file != nil {
		return fmt.Errorf("sqldb: the database has no audit checkpoint but %s holds one: the database's checkpoint was deleted, or this is another database (docs/security.md)", c.cfg.CheckpointFile)
	}
	key, created, err := loadAuditKey(c.cfg, head == nil)
	if err != nil {
		if head != nil && errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sqldb: this database's audit log is keyed, but there is no key at %s: restore it from backup or copy it from another instance; a new key would leave the log unverifiable (docs/security.md)", c.cfg.KeyFile)
		}
		return err
	}
	fail := func(err error) error {
		if created {
			os.Remove(c.cfg.KeyFile) // nobody has used it
		}
		return err
	}
	if head == nil {
		if head, err = db.anchorAudit(ctx, key); err != nil {
			return fail(err)
		}
	}
	if !head.valid(key) {
		return fail(errors.New("sqldb: the audit key does not match this database's audit log (its checkpoint is not signed with it): start with the key this database was first started with (docs/security.md)"))
	}
	if file != nil {
		if err := db.checkFileCheckpoint(ctx, key, head, file); err != nil {
			return err
		}
	}
	written := checkpoint{}
	if file != nil {
		written = *file
	}
	if head.HeadID > written.HeadID || file == nil {
		if err := writeCheckpointFile(c.cfg.CheckpointFile, *head); err != nil {
			return err
		}
		written = *head
	}
	c.key, c.keyedFrom = key, head.KeyedFrom
	c.cp = newCheckpointer(db, c.cfg.CheckpointFile, written)
	return nil
}

// checkFileCheckpoint checks that the database's chain still extends the
// checkpoint in this instance's file.
func (db *DB) checkFileCheckpoint(ctx context.Context, key []byte, head, file *checkpoint) error {
	path := db.chain.cfg.CheckpointFile
	if !file.valid(key) || file.KeyedFrom != head.KeyedFrom {
		return fmt.Errorf("sqldb: the audit checkpoint in %s was not written for this database with this key (docs/security.md)", path)
	}
	h, err := rowHash(ctx, db.read, file.HeadID)
	if err != nil {
		return err
	}
	if file.HeadID > 0 && h != file.HeadHash {
		return fmt.Errorf("sqldb: the audit log no longer holds row %d as recorded in %s: rows were deleted or rewritten, or an older backup was restored; run `patchwork audit verify`, and to go on from a restored backup move the checkpoint file aside and keep it (docs/security.md)",
			file.HeadID, path)
	}
	if head.HeadID < file.HeadID {
		return fmt.Errorf("sqldb: the database's audit checkpoint (row %d) is older than the one in %s (row %d): it was rewound (docs/security.md)",
			head.HeadID, path, file.HeadID)
	}
	return nil
}

// anchorAudit writes the first checkpoint of a database whose log has never
// been keyed: rows from here on are hashed with the key, and the rows before
// (hashed the earlier, unkeyed way) are sealed by the first keyed row, whose
// hash covers theirs. Instances starting together anchor once.
func (db *DB) anchorAudit(ctx context.Context, key []byte) (*checkpoint, error) {
	var out *checkpoint
	err := db.inTx(ctx, func(tx *Tx) error {
		if l := db.Dialect.LockAudit; l != "" {
			if _, err := tx.ExecContext(ctx, l); err != nil {
				return fmt.Errorf("sqldb: lock audit: %w", err)
			}
		}
		head, err := readHead(ctx, tx)
		if err != nil || head != nil {
			out = head
			return err
		}
		last, err := lastAuditRow(ctx, tx)
		if err != nil {
			return err
		}
		if last.ID > 0 && last.unkeyedHash() != last.Hash {
			return fmt.Errorf("sqldb: the audit log's newest row %d is hashed with a key, yet the database has no checkpoint: it was deleted; restore the database or its key from backup (docs/security.md)", last.ID)
		}
		hash := last.Hash
		if last.ID == 0 {
			hash = genesisHash
		}
		cp := signCheckpoint(key, last.ID+1, last.ID, hash, micros(tx.now))
		out = &cp
		return writeHead(ctx, tx, cp)
	})
	return out, err
}

// closeAudit writes a last checkpoint at shutdown: the newest head any
// instance signed. It returns the first failure of the checkpointer.
func (db *DB) closeAudit() error {
	c := &db.chain
	if c.cp == nil {
		return nil
	}
	if head, err := readHead(context.Background(), db.read); err == nil && head != nil && head.valid(c.key) {
		c.cp.advance(*head)
	}
	return c.cp.close()
}

// sealAudit signs the head a transaction has extended the chain to and
// stores it as the database's checkpoint in that same transaction (so every
// instance sees the newest); once committed, it goes to the file. inTx calls
// it before committing.
func (tx *Tx) sealAudit(ctx context.Context) error {
	h := tx.auditHead
	if h == nil {
		return nil
	}
	c := &tx.db.chain
	cp := signCheckpoint(c.key, c.keyedFrom, h.id, h.hash, micros(tx.now))
	if err := writeHead(ctx, tx, cp); err != nil {
		return err
	}
	tx.afterCommit(func() { c.cp.advance(cp) })
	return nil
}
