package patchwork

import (
	"context"
	"fmt"
	"time"
)

// Bulk import (patchwork import, docs/import.md): each real run of an
// import is a durable job, resumed by running the same command again after
// a crash, and listed for system admins with its progress and problems.

// Import job states.
const (
	ImportChecking = "checking" // every row being checked; nothing written yet
	ImportWriting  = "writing"
	ImportDone     = "done"
	ImportRejected = "rejected" // rows had problems, so nothing was written
)

// ImportStalledAfter is how long a job may go without progress before it
// counts as stopped (its command ended; running it again resumes it).
const ImportStalledAfter = 2 * time.Minute

// ImportProblem is one problem with one row of an import. Row counts as a
// spreadsheet does: the header is row 1, the first record row 2.
type ImportProblem struct {
	Row    int
	Field  string
	Reason string
}

func (p ImportProblem) String() string {
	return fmt.Sprintf("row %d: %s: %s", p.Row, p.Field, p.Reason)
}

// ImportJob is one import of one file. Its counts are the whole job's,
// over every run.
type ImportJob struct {
	ID           int64
	Kind         string // agencies, agents, clients or areas
	FileName     string // the file's base name
	FileSHA256   string
	Options      string
	Status       string
	RowsTotal    int // the file's record rows, once checked
	RowsDone     int // record rows the writing has passed, good or not
	Imported     int // records written (for areas: the areas added)
	Unchanged    int // rows written by an earlier import of the same rows
	Links        int // memberships (clients), areas (agents, agencies)
	Problems     int
	Runs         int // 1, and one more for each resumption
	StartedBy    int64
	StartedAt    time.Time
	RunStartedAt time.Time // when the current (or last) run started writing
	RunFrom      int       // RowsDone when it did
	UpdatedAt    time.Time
	FinishedAt   time.Time // zero while under way
}

// RowsPerSecond is the current (or last) run's writing speed.
func (j *ImportJob) RowsPerSecond() float64 {
	el := j.UpdatedAt.Sub(j.RunStartedAt).Seconds()
	if el <= 0 || j.RowsDone <= j.RunFrom {
		return 0
	}
	return float64(j.RowsDone-j.RunFrom) / el
}

// Stalled reports whether an unfinished job has made no progress for
// ImportStalledAfter at now.
func (j *ImportJob) Stalled(now time.Time) bool {
	return (j.Status == ImportChecking || j.Status == ImportWriting) && now.Sub(j.UpdatedAt) > ImportStalledAfter
}

// TimeLeft estimates when a job being written will end, at its current
// speed; 0 when unknown or done.
func (j *ImportJob) TimeLeft() time.Duration {
	r := j.RowsPerSecond()
	if j.Status != ImportWriting || r <= 0 {
		return 0
	}
	return (time.Duration(float64(j.RowsTotal-j.RowsDone)/r) * time.Second).Round(time.Second)
}

// ImportService shows system admins the imports.
type ImportService interface {
	// FindImports returns a page (counting from 1) of the imports, the
	// newest first, and how many there are. Only system admins may call
	// it; anyone else gets ENOTFOUND.
	FindImports(ctx context.Context, page int) ([]*ImportJob, int, error)
	// ExportImports calls fn with every import, in FindImports' order.
	// The export is audited before the first row. Only system admins may
	// call it; anyone else gets ENOTFOUND.
	ExportImports(ctx context.Context, fn func(*ImportJob) error) error
	// FindImportProblems returns an import's problems by row, at most
	// limit. Only system admins may call it; anyone else gets ENOTFOUND.
	FindImportProblems(ctx context.Context, id int64, limit int) ([]ImportProblem, error)
}
