package sqldb

import (
	"context"
	"fmt"
	"strconv"

	"patchwork"
	"patchwork/match"
)

// JobVacuum is the job an erasure enqueues so that no copy of the erased
// values outlives it in the database files: on SQLite a checkpoint that
// empties the write-ahead log (the erasure tries one at once, which a
// long read can hold up), on PostgreSQL a VACUUM of the tables it changed,
// which removes the old row versions and their index entries.
const JobVacuum = "vacuum_after_erasure"

// erasedTables are the tables an erasure rewrites or deletes from.
var erasedTables = []string{"clients", "client_names", "client_keys", "client_key_freq", "attentions", "memberships",
	"circle_links"}

// ErasureService implements patchwork.ErasureService.
type ErasureService struct{ db *DB }

// NewErasureService returns an ErasureService on db.
func NewErasureService(db *DB) *ErasureService { return &ErasureService{db: db} }

// FindClientForErasure returns the client an admin is about to erase; see
// patchwork.ErasureService.
func (s *ErasureService) FindClientForErasure(ctx context.Context, id int64) (*patchwork.ErasureCard, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	var card *patchwork.ErasureCard
	err := s.db.inTx(ctx, func(tx *Tx) error {
		cl, err := tx.db.loadClient(ctx, tx, id)
		if err != nil {
			return err
		}
		card = &patchwork.ErasureCard{Client: cl}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT a.agency_id) FROM memberships m
			JOIN agents a ON a.id = m.agent_id WHERE m.client_id = $1 AND m.left_at IS NULL`, id).
			Scan(&card.TeamSize, &card.AgencyCount); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditClientEraseView, id, "")
	})
	return card, err
}

// EraseClient erases a client's identifying data; see
// patchwork.ErasureService. Everything happens in one transaction: the
// team is told, memberships end, the names, search keys and details are
// removed, the vacuum is scheduled and the audit row written. On SQLite,
// writes run with secure_delete, so freed space is zeroed, and once the
// erasure has committed the write-ahead log, which still holds the old
// pages, is checkpointed and truncated.
func (s *ErasureService) EraseClient(ctx context.Context, id int64, req patchwork.ErasureRequest) error {
	admin, err := administrator(ctx)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		cl, err := tx.db.loadClient(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := req.Validate(cl); err != nil {
			return err
		}
		if err := tx.endAllMemberships(ctx, id, admin); err != nil {
			return err
		}
		if err := tx.eraseLinks(ctx, id, admin); err != nil {
			return err
		}
		if err := tx.eraseIdentifiers(ctx, cl); err != nil {
			return err
		}
		if _, _, err := tx.enqueueJob(ctx, JobSpec{Kind: JobVacuum, UniqueKey: "vacuum:client:" + strconv.FormatInt(id, 10),
			Priority: PriorityNormal}); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditClientErase, id, "reason="+req.Reason)
	})
	if err != nil {
		return err
	}
	if s.db.Dialect.Name == "sqlite" {
		// The job does it again should a long read hold this one up.
		_ = s.db.checkpointWAL(ctx)
	}
	return nil
}

// endAllMemberships tells the current members their client was removed
// from Patchwork, then ends every membership and empties the notes typed
// on joining and leaving, which may describe the client. The system
// caller (an automatic erasure) acts as nobody, so it tells nobody: it
// erases only clients without a team.
func (tx *Tx) endAllMemberships(ctx context.Context, clientID int64, admin *patchwork.Agent) error {
	members, err := queryIDs(ctx, tx, `SELECT agent_id FROM memberships WHERE client_id = $1 AND left_at IS NULL ORDER BY id`, clientID)
	if err != nil {
		return err
	}
	if admin != nil && len(members) > 0 {
		act, err := tx.addActivity(ctx, clientID, admin.ID, patchwork.ActivityClientRemoved, "")
		if err != nil {
			return err
		}
		if err := tx.notifyAgents(ctx, act, admin.ID, patchwork.ActivityClientRemoved, members...); err != nil {
			return err
		}
	} else if len(members) > 0 {
		return patchwork.Errorf(patchwork.ECONFLICT, "The client still has a team: an admin must erase them.")
	}
	_, err = tx.ExecContext(ctx, `UPDATE memberships SET
		leave_reason = CASE WHEN left_at IS NULL THEN $2 ELSE leave_reason END,
		left_at = COALESCE(left_at, $3), leave_note = '', basis_note = ''
		WHERE client_id = $1`, clientID, patchwork.LeaveClientErased, micros(tx.now))
	return err
}

// eraseLinks removes what ties the client to others: its circle links
// (each related client's team is told its circle changed; an automatic
// erasure, acting as nobody, tells nobody) and a pending lead proposal.
func (tx *Tx) eraseLinks(ctx context.Context, clientID int64, admin *patchwork.Agent) error {
	if admin != nil {
		if err := deleteCircleLinks(ctx, tx, admin.ID, clientID); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `DELETE FROM circle_links WHERE client_a = $1 OR client_b = $1`, clientID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM lead_proposals WHERE client_id = $1`, clientID)
	return err
}

// eraseIdentifiers removes the client's names with their search keys
// (and the key counts no other client shares, since a surname's deletion
// keys spell most of it), empties the client's row of every identifying
// value and empties its attentions' texts, keeping their categories and
// times for the statistics.
func (tx *Tx) eraseIdentifiers(ctx context.Context, cl *patchwork.Client) error {
	if err := tx.deleteClientNames(ctx, cl); err != nil {
		return err
	}
	// An import key is another system's id for the person, or a hash of
	// their details.
	if _, err := tx.ExecContext(ctx, `DELETE FROM client_import_keys WHERE client_id = $1`, cl.ID); err != nil {
		return err
	}
	seen := map[match.NameKey]bool{}
	for _, k := range ClientNameKeys(cl.FirstName, cl.LastName, cl.Aliases) {
		if seen[k] {
			continue
		}
		seen[k] = true
		if _, err := tx.ExecContext(ctx, `DELETE FROM client_key_freq WHERE key = $1 AND kind = $2 AND n <= 0`, k.Key, k.Kind); err != nil {
			return fmt.Errorf("sqldb: erase key count: %w", err)
		}
	}
	now := micros(tx.now)
	if _, err := tx.ExecContext(ctx, `UPDATE clients SET first_name = '', last_name = '', date_of_birth = '', address = '',
		postcode = '', household_key = '', phone = '', updated_at = $2, erased_at = $2 WHERE id = $1`, cl.ID, now); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE attentions SET message = '', resolution_note = '' WHERE client_id = $1`, cl.ID)
	return err
}

// checkpointWAL copies SQLite's write-ahead log into the database file and
// truncates it, so the pages from before an erasure are gone from the log.
// It fails when a reader held the log past the busy timeout.
func (db *DB) checkpointWAL(ctx context.Context) error {
	var busy, logFrames, done int
	if err := db.write.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("sqldb: checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("sqldb: checkpoint: the write-ahead log is still in use")
	}
	return nil
}

// VacuumAfterErasure runs JobVacuum's work: on SQLite it checkpoints and
// truncates the write-ahead log; on PostgreSQL it vacuums the tables an
// erasure changes, so the erased values' old row versions and index
// entries are removed. VACUUM cannot run inside a transaction, so this is
// a job of its own rather than a step of the erasure.
func (db *DB) VacuumAfterErasure(ctx context.Context) error {
	if db.Dialect.Name == "sqlite" {
		return db.checkpointWAL(ctx)
	}
	for _, t := range erasedTables {
		if _, err := db.write.ExecContext(ctx, `VACUUM `+t); err != nil {
			return fmt.Errorf("sqldb: vacuum %s: %w", t, err)
		}
	}
	return nil
}
