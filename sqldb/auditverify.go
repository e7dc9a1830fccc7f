package sqldb

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
)

// AuditProblem is one way the audit log differs from what was written:
// Row is the first row it affects, 0 for a problem of the checkpoints
// themselves (forged, missing), which names no row.
type AuditProblem struct {
	Row  int64
	Text string
}

// AuditError is what VerifyAudit found wrong, earliest row first.
type AuditError struct{ Problems []AuditProblem }

// maxAuditProblems bounds the report: after a few breaks the rest of a
// tampered log adds nothing an operator can act on.
const maxAuditProblems = 20

func (e *AuditError) Error() string {
	texts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		texts[i] = p.Text
	}
	return "audit: " + strings.Join(texts, "; ")
}

// FirstRow is the first row affected, or 0 when only the checkpoints are
// wrong.
func (e *AuditError) FirstRow() int64 { return e.Problems[0].Row }

func (e *AuditError) add(row int64, format string, args ...any) {
	if len(e.Problems) < maxAuditProblems {
		e.Problems = append(e.Problems, AuditProblem{Row: row, Text: fmt.Sprintf(format, args...)})
	}
}

// VerifyAudit walks the chain in id order with the audit key and compares
// its end with the signed checkpoints in the database and in this
// instance's checkpoint file. It returns how many rows it read and, if
// anything is wrong, an *AuditError naming each problem and the first row
// it affects: an edited row, a missing row, rows deleted from the end, an
// emptied table, rows re-hashed without the key, a checkpoint forged or
// rewound. It never creates the key. An error of another type means the
// check could not be made (no key, no database). Only admins and the
// system caller may verify; anyone else gets ENOTFOUND.
func (s *AuditService) VerifyAudit(ctx context.Context) (int, error) {
	if _, err := administrator(ctx); err != nil {
		return 0, err
	}
	db := s.db
	key := db.chain.key
	if key == nil {
		var err error
		if key, _, err = loadAuditKey(db.chain.cfg, false); err != nil {
			return 0, fmt.Errorf("%w: without the key the chain cannot be checked", err)
		}
	}
	var report AuditError
	head, err := readHead(ctx, db.read)
	if err != nil {
		return 0, err
	}
	var file *checkpoint
	if p := db.chain.cfg.CheckpointFile; p != "" {
		if file, err = readCheckpointFile(p); err != nil {
			return 0, err
		}
	}
	// The anchors are the checkpoints signed with this key. Which row keyed
	// hashing starts at comes from them; with none, every row is checked
	// the unkeyed way, and keyed rows show up as altered.
	var anchors []namedCheckpoint
	keyedFrom := int64(math.MaxInt64)
	if head != nil {
		if head.valid(key) {
			anchors = append(anchors, namedCheckpoint{*head, head.describe("the database's checkpoint")})
			keyedFrom = head.KeyedFrom
		} else {
			report.add(0, "the database's checkpoint is not signed with this key (forged, or the wrong key)")
		}
	}
	if file != nil {
		switch {
		case !file.valid(key):
			report.add(0, "the checkpoint file %s is not signed with this key (forged, or the wrong key)", db.chain.cfg.CheckpointFile)
		case len(anchors) > 0 && file.KeyedFrom != keyedFrom:
			report.add(0, "the database's checkpoint and the checkpoint file disagree on where keyed hashing starts (row %d, row %d)", keyedFrom, file.KeyedFrom)
		default:
			anchors = append(anchors, namedCheckpoint{*file, file.describe("the checkpoint file " + db.chain.cfg.CheckpointFile)})
			keyedFrom = file.KeyedFrom
		}
	}
	n, last, hashes, err := s.walk(ctx, key, keyedFrom, anchors, &report)
	if err != nil {
		return n, err
	}
	switch {
	case head == nil && (last > 0 || file != nil):
		report.add(0, "the database has no checkpoint: it was deleted (or Patchwork has not been started since the upgrade that keys the log)")
	case file == nil && head != nil && db.chain.cfg.CheckpointFile != "":
		report.add(0, "there is no checkpoint file at %s, so rows deleted from the end cannot be ruled out (docs/security.md)", db.chain.cfg.CheckpointFile)
	case db.chain.cfg.CheckpointFile == "":
		report.add(0, "no checkpoint file was given, so rows deleted from the end cannot be ruled out (docs/security.md)")
	}
	// A cut-off tail is told once, from the anchor recording the most rows
	// (the database's on a tie): the checkpoint file trails the database
	// by up to checkpointFileGap, so naming each anchor would word the same
	// loss differently from one check to the next, and the scheduled check
	// would alert on it again (RecordAuditCheck compares the words).
	var longest *namedCheckpoint
	for i, a := range anchors {
		switch {
		case a.HeadID > last:
			if longest == nil || a.HeadID > longest.HeadID {
				longest = &anchors[i]
			}
		case a.HeadID > 0 && hashes[a.HeadID] != a.HeadHash:
			report.add(a.HeadID, "row %d is not the row %s records (the chain was rewritten)", a.HeadID, a.name)
		}
	}
	switch {
	case longest != nil && last == 0:
		report.add(1, "the audit log is empty but %s records %d rows: the table was emptied (truncated)", longest.name, longest.HeadID)
	case longest != nil:
		report.add(last+1, "%s missing: the log ends at row %d but %s records row %d (the log was cut short)",
			rowRange(last+1, longest.HeadID), last, longest.name, longest.HeadID)
	}
	if head != nil && file != nil && len(anchors) == 2 && head.HeadID < file.HeadID && last >= file.HeadID {
		report.add(head.HeadID+1, "the database's checkpoint (row %d) is older than the checkpoint file's (row %d): it was rewound", head.HeadID, file.HeadID)
	}
	if len(report.Problems) == 0 {
		return n, nil
	}
	// Rows first, in order; problems naming no row last.
	sort.SliceStable(report.Problems, func(i, j int) bool {
		a, b := report.Problems[i].Row, report.Problems[j].Row
		return a != 0 && (b == 0 || a < b)
	})
	return n, &report
}

// namedCheckpoint is a checkpoint with the words verify's report uses.
type namedCheckpoint struct {
	checkpoint
	name string
}

// walk checks every row: ids without gaps from 1, each row linked to the
// one before, each hash right (keyed from keyedFrom on). It goes on past a
// break, resynchronising on the row it has, so that the report lists each
// place the log was touched. It returns the rows read, the last id, and the
// stored hashes of the rows the anchors name.
func (s *AuditService) walk(ctx context.Context, key []byte, keyedFrom int64, anchors []namedCheckpoint, report *AuditError) (int, int64, map[int64]string, error) {
	want := map[int64]bool{}
	for _, a := range anchors {
		want[a.HeadID] = true
	}
	hashes := map[int64]string{}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+auditRowColumns+` FROM audit_events ORDER BY id`)
	if err != nil {
		return 0, 0, nil, err
	}
	defer rows.Close()
	prev, next, n := genesisHash, int64(1), 0
	for rows.Next() {
		var r auditRow
		if err := r.scan(rows); err != nil {
			return n, 0, nil, err
		}
		keyed := r.ID >= keyedFrom
		switch {
		case r.ID != next:
			report.add(next, "%s missing (deleted)", rowRange(next, r.ID-1))
		case r.PrevHash != prev:
			report.add(r.ID, "row %d does not follow row %d (rows were rewritten or reordered)", r.ID, r.ID-1)
		case keyed && r.keyedHash(key) != r.Hash:
			report.add(r.ID, "row %d was altered (its hash is not the keyed hash of its content: edited, or re-hashed without the key)", r.ID)
		case !keyed && r.unkeyedHash() != r.Hash:
			report.add(r.ID, "row %d was altered", r.ID)
		}
		if want[r.ID] {
			hashes[r.ID] = r.Hash
		}
		prev, next, n = r.Hash, r.ID+1, n+1
	}
	return n, next - 1, hashes, rows.Err()
}

// rowRange says "row 7 is" or "rows 7 to 9 are".
func rowRange(from, to int64) string {
	if from == to {
		return fmt.Sprintf("row %d is", from)
	}
	return fmt.Sprintf("rows %d to %d are", from, to)
}
