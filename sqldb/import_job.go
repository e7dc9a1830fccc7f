package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"patchwork"
)

// An import as a durable job (table imports): the importer starts or
// resumes the job of a file, records the check pass, then writes the file
// in batches, each committed together with the job's progress, so that a
// run stopped anywhere (a crash, SIGKILL, a lost database) and started
// again resumes after the last batch committed and ends exactly as an
// uninterrupted run would.

// The job types are the root package's.
type (
	ImportJob     = patchwork.ImportJob
	ImportProblem = patchwork.ImportProblem
)

// Import job states.
const (
	ImportChecking = patchwork.ImportChecking
	ImportWriting  = patchwork.ImportWriting
	ImportDone     = patchwork.ImportDone
	ImportRejected = patchwork.ImportRejected
)

// ErrImportTaken is a batch whose job another run of the same import has
// moved on meanwhile: two commands on one file at once.
var ErrImportTaken = errors.New("another run of this import is writing it now: wait for it to finish")

const importJobColumns = `id, kind, file_name, file_sha256, options, status, rows_total, rows_done, imported, unchanged,
	links, problems, runs, COALESCE(started_by, 0), started_at, run_started_at, run_from, updated_at, COALESCE(finished_at, 0)`

func scanImportJob(sc interface{ Scan(...any) error }) (*ImportJob, error) {
	j := &ImportJob{}
	var started, runStarted, updated, finished int64
	if err := sc.Scan(&j.ID, &j.Kind, &j.FileName, &j.FileSHA256, &j.Options, &j.Status, &j.RowsTotal, &j.RowsDone,
		&j.Imported, &j.Unchanged, &j.Links, &j.Problems, &j.Runs, &j.StartedBy, &started, &runStarted, &j.RunFrom,
		&updated, &finished); err != nil {
		return nil, err
	}
	j.StartedAt, j.RunStartedAt, j.UpdatedAt, j.FinishedAt = fromMicros(started), fromMicros(runStarted),
		fromMicros(updated), fromMicros(finished)
	return j, nil
}

// StartImportJob resumes the unfinished job of this file (its SHA-256),
// kind and options, or starts a new one; resumed says which. Each run is
// audited.
func (db *DB) StartImportJob(ctx context.Context, kind, fileName, sha, options string) (job *ImportJob, resumed bool, err error) {
	a, err := administrator(ctx)
	if err != nil {
		return nil, false, err
	}
	var by any
	if a != nil {
		by = a.ID
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		now := micros(tx.now)
		j, err := scanImportJob(tx.QueryRowContext(ctx, `SELECT `+importJobColumns+` FROM imports
			WHERE file_sha256 = $1 AND kind = $2 AND options = $3 AND status IN ('checking', 'writing')
			ORDER BY id DESC LIMIT 1`, sha, kind, options))
		switch {
		case err == nil:
			if _, err := tx.ExecContext(ctx, `UPDATE imports SET runs = runs + 1, run_started_at = $1, run_from = rows_done,
				updated_at = $1 WHERE id = $2`, now, j.ID); err != nil {
				return err
			}
			resumed = true
		case errors.Is(err, sql.ErrNoRows):
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO imports (kind, file_name, file_sha256, options, status, started_by,
				started_at, run_started_at, updated_at) VALUES ($1, $2, $3, $4, 'checking', $5, $6, $6, $6) RETURNING id`,
				kind, fileName, sha, options, by, now).Scan(&id); err != nil {
				return fmt.Errorf("sqldb: start import: %w", err)
			}
			j = &ImportJob{ID: id}
		default:
			return err
		}
		if job, err = scanImportJob(tx.QueryRowContext(ctx, `SELECT `+importJobColumns+` FROM imports WHERE id = $1`, j.ID)); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditImportRun, 0, fmt.Sprintf("import=%d kind=%s run=%d", job.ID, kind, job.Runs))
	})
	return job, resumed, err
}

// FinishImportCheck records the check pass of a job still checking: the
// file's record rows and the problems found. With reject, nothing is to
// be written and the job is finished as rejected; otherwise it moves on
// to writing. A job already writing (resumed) is left as it is: its check
// was recorded by its first run.
func (db *DB) FinishImportCheck(ctx context.Context, job *ImportJob, total int, problems []ImportProblem, reject bool) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	if job.Status != ImportChecking {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error {
		status, finished := ImportWriting, any(nil)
		if reject {
			status, finished = ImportRejected, micros(tx.now)
		}
		if err := tx.insertImportProblems(ctx, job.ID, problems); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE imports SET status = $1, rows_total = $2, problems = $3, updated_at = $4,
			run_started_at = $4, finished_at = $5 WHERE id = $6 AND status = 'checking'`,
			status, total, len(problems), micros(tx.now), finished, job.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrImportTaken
		}
		if reject {
			if err := tx.audit(ctx, patchwork.AuditImportDone, 0, fmt.Sprintf("import=%d status=%s problems=%d", job.ID, status,
				len(problems))); err != nil {
				return err
			}
		}
		job.Status, job.RowsTotal, job.Problems, job.UpdatedAt, job.RunStartedAt = status, total, len(problems), tx.now, tx.now
		return nil
	})
}

func (tx *Tx) insertImportProblems(ctx context.Context, id int64, problems []ImportProblem) error {
	rows := make([][]any, len(problems))
	for i, p := range problems {
		rows[i] = []any{id, p.Row, p.Field, p.Reason}
	}
	return tx.insertRows(ctx, "import_problems", []string{"import_id", "row_no", "field", "reason"}, rows, "")
}

// ImportBatch is what a batch of the write pass adds to its job besides
// the rows it writes.
type ImportBatch struct {
	Through   int             // RowsDone after the batch
	Unchanged int             // rows the importer found written by an earlier import
	Problems  []ImportProblem // found by the write pass (likely duplicates)
}

// batchCounts are what a batch's writes add.
type batchCounts struct{ imported, unchanged, links int }

// writeImportBatch runs write and records the batch on its job in one
// transaction: the batch is written with its progress or not at all.
func (db *DB) writeImportBatch(ctx context.Context, job *ImportJob, b ImportBatch, write func(tx *Tx) (batchCounts, error)) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	var c batchCounts
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if c, err = write(tx); err != nil {
			return err
		}
		if err := tx.insertImportProblems(ctx, job.ID, b.Problems); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE imports SET rows_done = $1, imported = imported + $2, unchanged = unchanged + $3,
			links = links + $4, problems = problems + $5, updated_at = $6
			WHERE id = $7 AND rows_done = $8 AND status = 'writing'`,
			b.Through, c.imported, c.unchanged+b.Unchanged, c.links, len(b.Problems), micros(tx.now), job.ID, job.RowsDone)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrImportTaken
		}
		job.UpdatedAt = tx.now
		return nil
	})
	if err != nil {
		return err
	}
	job.RowsDone = b.Through
	job.Imported += c.imported
	job.Unchanged += c.unchanged + b.Unchanged
	job.Links += c.links
	job.Problems += len(b.Problems)
	return nil
}

// FinishImportJob marks a job done and audits its counts.
func (db *DB) FinishImportJob(ctx context.Context, job *ImportJob) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'done', finished_at = $1, updated_at = $1
			WHERE id = $2 AND status = 'writing'`, micros(tx.now), job.ID); err != nil {
			return err
		}
		job.Status, job.FinishedAt, job.UpdatedAt = ImportDone, tx.now, tx.now
		return tx.audit(ctx, patchwork.AuditImportDone, 0, fmt.Sprintf("import=%d kind=%s imported=%d unchanged=%d links=%d problems=%d",
			job.ID, job.Kind, job.Imported, job.Unchanged, job.Links, job.Problems))
	})
}

// FindImportJob returns one job, or ENOTFOUND.
func (db *DB) FindImportJob(ctx context.Context, id int64) (*ImportJob, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	j, err := scanImportJob(db.read.QueryRowContext(ctx, `SELECT `+importJobColumns+` FROM imports WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, patchwork.ErrNotFound
	}
	return j, err
}

// ImportService implements patchwork.ImportService.
type ImportService struct{ db *DB }

// NewImportService returns an ImportService on db.
func NewImportService(db *DB) *ImportService { return &ImportService{db: db} }

// FindImports lists a page of the imports, the newest first; see
// patchwork.ImportService.
func (s *ImportService) FindImports(ctx context.Context, page int) ([]*patchwork.ImportJob, int, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM imports`).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := scanAll(ctx, s.db.read, `SELECT `+importJobColumns+` FROM imports ORDER BY id DESC`+pageClause(page), scanImportJob)
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// ExportImports streams every import; see patchwork.ImportService.
func (s *ImportService) ExportImports(ctx context.Context, fn func(*patchwork.ImportJob) error) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	if err := s.db.auditRead(ctx, patchwork.AuditImportExport, 0, ""); err != nil {
		return err
	}
	return streamRows(ctx, s.db.read, `SELECT `+importJobColumns+` FROM imports ORDER BY id DESC`, scanImportJob, fn)
}

// FindImportProblems lists an import's problems; see patchwork.ImportService.
func (s *ImportService) FindImportProblems(ctx context.Context, id int64, limit int) ([]patchwork.ImportProblem, error) {
	return s.db.FindImportProblems(ctx, id, limit)
}

// FindImportProblems returns a job's problems by row, at most limit (0:
// all).
func (db *DB) FindImportProblems(ctx context.Context, id int64, limit int) ([]ImportProblem, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	q := `SELECT row_no, field, reason FROM import_problems WHERE import_id = $1 ORDER BY row_no, field, reason`
	args := []any{id}
	if limit > 0 {
		q += limitClause(limit)
	}
	return scanAll(ctx, db.read, q, func(sc interface{ Scan(...any) error }) (ImportProblem, error) {
		var p ImportProblem
		return p, sc.Scan(&p.Row, &p.Field, &p.Reason)
	}, args...)
}
