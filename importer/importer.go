// Package importer loads agencies, agents, clients and the area list in
// bulk from the CSV files other systems export. An import streams the
// file three times and never holds it: once to read it as CSV and take
// its SHA-256, once to check every row (reporting each problem as "row N:
// field: reason"), and once to write the good rows in batches, each
// committed with the progress of the import's job (sqldb.ImportJob), so
// that the same command run again after a crash resumes after the last
// batch committed. Nothing is written unless every row is fine (or the
// run says to skip bad rows): a file is never half imported for its bad
// rows. A dry run checks everything and writes nothing.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"io"
	"path/filepath"
	"sort"

	"patchwork/sqldb"
)

// Problem is one problem with one row. Row counts as a spreadsheet does:
// the header is row 1, the first record row 2.
type Problem = sqldb.ImportProblem

// FileError is a file that cannot be read at all: not CSV, no header, a
// missing or unknown column. Nothing is checked further.
type FileError struct{ Msg string }

func (e *FileError) Error() string { return e.Msg }

// DefaultBatchSize is how many record rows each transaction of the write
// pass covers. A client's two dozen search keys land all over the key
// index, so a batch dirties pages in proportion to its rows until it
// covers most of the index: at 500 rows a batch, 100,000 clients took 43 s
// of system time writing pages to the WAL, at 2,000 19 s (docs/performance.md).
// A batch holds SQLite's write lock, about a second and a half for 2,000
// client rows, which a running server's writes wait out.
const DefaultBatchSize = 2000

// Options say how to run an import.
type Options struct {
	DryRun bool
	// AllowDuplicates imports rows the duplicate check calls likely the
	// same person as an existing client; by default they are reported.
	AllowDuplicates bool
	// SkipBadRows writes the good rows of a file that has bad ones; by
	// default a file with any bad row is not written at all. Likely
	// duplicates are reported and skipped either way.
	SkipBadRows bool
	// Invite sends each agent an agent import creates an invitation to
	// choose a password.
	Invite bool
	// FileName names the file on the admin page (its base name is kept).
	FileName string
	// BatchSize is the record rows per write transaction; 0 is
	// DefaultBatchSize. It is one of the job's options: a resumed run
	// cuts the same batches.
	BatchSize int
	// Progress, when set, receives the phase, rows done and rows in all
	// now and then.
	Progress func(phase string, done, total int)
}

// Report is what an import did, or in a dry run would do.
type Report struct {
	JobID    int64 // the import's job; 0 in a dry run
	Resumed  bool  // the run resumed a job an earlier run left unfinished
	Rejected bool  // rows had problems, so nothing was written
	// Blocked says rows have problems that keep the file from being
	// written without SkipBadRows (a dry run counts what skipping them
	// would write).
	Blocked  bool
	Rows     int // record rows in the file
	Imported int // written now (in a dry run: would be)
	// Memberships counts the team places of imported clients, and the
	// areas of imported agents and agencies.
	Memberships int
	Unchanged   int // imported before, by an earlier run of the same rows
	Problems    []Problem
}

// Blocking reports whether a problem keeps a file from being written
// (without SkipBadRows): every problem but a likely duplicate, which is
// reported and skipped.
func Blocking(p Problem) bool { return p.Field != "duplicate" }

// kind is what differs between the kinds of file.
type kind[T any] struct {
	name    string
	columns map[string]bool // required ones are true
	// header, when set, checks the file's columns further.
	header func(map[string]int) error
	// check checks one record: the item it stands for and the keys no
	// other row of the file may share, or its problems.
	check func(n int, rec []string, header map[string]int) (item T, keys []fileKey, probs []Problem)
	// person is a key two rows of the same person share ("" for none):
	// the later one is a likely duplicate.
	person func(T) string
	// key is the item's key in the store (sqldb.FindImportedKeys).
	key func(T) string
	// known, when set, says in place of key which items of a batch, in
	// the file's order, the store has already.
	known func(ctx context.Context, items []T) ([]bool, error)
	// records, when set, is how many records a fresh item writes (one
	// otherwise), for a dry run's count.
	records func(T) int
	// screen is the write pass's look at the fresh rows of a batch (the
	// duplicate check): the ones to write and the problems of the others.
	screen func(ctx context.Context, jobID int64, items []T, rows []int) ([]T, []Problem, error)
	links  func(T) int // nil: none
	write  func(ctx context.Context, job *sqldb.ImportJob, items []T, b sqldb.ImportBatch) error
}

// findKnown says which items the store has already.
func (k kind[T]) findKnown(ctx context.Context, db *sqldb.DB, items []T) ([]bool, error) {
	if k.known != nil {
		return k.known(ctx, items)
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = k.key(it)
	}
	found, err := db.FindImportedKeys(ctx, k.name, keys)
	if err != nil {
		return nil, err
	}
	known := make([]bool, len(items))
	for i, key := range keys {
		known[i] = found[key]
	}
	return known, nil
}

// fileKey is a key no two rows of a file may share, and the field to
// report a repeat under.
type fileKey struct{ field, key string }

func (o Options) batch() int {
	if o.BatchSize > 0 {
		return o.BatchSize
	}
	return DefaultBatchSize
}

// jobOptions are the options that make two runs the same import.
func (o Options) jobOptions() string {
	return fmt.Sprintf("allow_duplicates=%t skip_bad_rows=%t invite=%t batch=%d", o.AllowDuplicates, o.SkipBadRows, o.Invite, o.batch())
}

// run imports src as k says. ctx must carry the system caller or an admin.
func run[T any](ctx context.Context, db *sqldb.DB, src io.ReadSeeker, opt Options, k kind[T]) (*Report, error) {
	// Pass 0: the file is CSV with the right header; its digest and size.
	sum := sha256.New()
	f, err := openCSV(io.TeeReader(src, sum), k.columns)
	if err != nil {
		return nil, err
	}
	if k.header != nil {
		if err := k.header(f.header); err != nil {
			return nil, err
		}
	}
	total := 0
	for {
		if _, _, err := f.next(); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		total++
	}
	if _, err := io.Copy(sum, src); err != nil { // what the CSV reader left unread
		return nil, &FileError{"cannot read the file: " + err.Error()}
	}
	var job *sqldb.ImportJob
	rep := &Report{Rows: total}
	if !opt.DryRun {
		name := filepath.Base(opt.FileName)
		if opt.FileName == "" {
			name = "-"
		}
		if job, rep.Resumed, err = db.StartImportJob(ctx, k.name, name, hex.EncodeToString(sum.Sum(nil)), opt.jobOptions()); err != nil {
			return nil, err
		}
		rep.JobID = job.ID
	}

	// Pass 1: check every row; nothing is written.
	if f, err = reopen(src, k.columns); err != nil {
		return nil, err
	}
	seed := maphash.MakeSeed()
	firstRow := map[uint64]int32{} // a hash of each file key and person → the first row with it
	skip := map[int]bool{}         // rows with a problem
	var problems []Problem
	blocking := false
	for i := 0; ; i++ {
		rec, n, err := f.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		item, keys, probs := k.check(n, rec, f.header)
		if len(probs) == 0 {
			for _, fk := range keys {
				h := maphash.String(seed, fk.field+"\x00"+fk.key)
				if first, dup := firstRow[h]; dup {
					probs = append(probs, Problem{Row: n, Field: fk.field, Reason: fmt.Sprintf("the same as row %d", first)})
					break
				}
			}
		}
		if len(probs) == 0 && k.person != nil && !opt.AllowDuplicates {
			if p := k.person(item); p != "" {
				h := maphash.String(seed, "\x01person\x00"+p)
				if first, dup := firstRow[h]; dup {
					probs = append(probs, Problem{Row: n, Field: "duplicate", Reason: fmt.Sprintf("the same name and date of birth as row %d", first)})
				} else {
					firstRow[h] = int32(n)
				}
			}
		}
		if len(probs) == 0 {
			for _, fk := range keys {
				firstRow[maphash.String(seed, fk.field+"\x00"+fk.key)] = int32(n)
			}
		} else {
			skip[n] = true
			problems = append(problems, probs...)
			for _, p := range probs {
				blocking = blocking || Blocking(p)
			}
		}
		if opt.Progress != nil && ((i+1)%1000 == 0 || i+1 == total) {
			opt.Progress("checking", i+1, total)
		}
	}
	firstRow = nil
	// A dry run goes on to count what skipping the bad rows would write.
	reject := blocking && !opt.SkipBadRows && !opt.DryRun
	if job != nil {
		if err := db.FinishImportCheck(ctx, job, total, problems, reject); err != nil {
			return nil, err
		}
		if job.Status == sqldb.ImportRejected {
			// A resumed job was never rejected: it started writing.
			reject = true
		}
	}
	rep.Blocked = blocking
	if reject {
		rep.Rejected = true
		rep.Problems = sortProblems(problems)
		return rep, nil
	}

	// Pass 2: write the good rows in batches, each with the job's
	// progress; a resumed job skips the batches written before.
	if f, err = reopen(src, k.columns); err != nil {
		return nil, err
	}
	from, phase := 0, "checking for duplicates"
	if job != nil {
		from, phase = job.RowsDone, "writing"
	}
	size := opt.batch()
	var items []T
	var rows []int
	flush := func(through int) error {
		done, err := k.findKnown(ctx, db, items)
		if err != nil {
			return err
		}
		b := sqldb.ImportBatch{Through: through}
		var fresh []T
		var freshRows []int
		for i, it := range items {
			if done[i] {
				b.Unchanged++
				continue
			}
			fresh = append(fresh, it)
			freshRows = append(freshRows, rows[i])
		}
		var jobID int64
		if job != nil {
			jobID = job.ID
		}
		if k.screen != nil && len(fresh) > 0 {
			if fresh, b.Problems, err = k.screen(ctx, jobID, fresh, freshRows); err != nil {
				return err
			}
		}
		if job == nil {
			rep.Unchanged += b.Unchanged
			for _, it := range fresh {
				n := 1
				if k.records != nil {
					n = k.records(it)
				}
				rep.Imported += n
				if k.links != nil {
					rep.Memberships += k.links(it)
				}
			}
			problems = append(problems, b.Problems...)
		} else if err := k.write(ctx, job, fresh, b); err != nil {
			return err
		}
		items, rows = items[:0], rows[:0]
		if opt.Progress != nil {
			opt.Progress(phase, through, total)
		}
		return nil
	}
	for i := 0; ; i++ {
		rec, n, err := f.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if i < from {
			continue
		}
		if !skip[n] {
			item, _, probs := k.check(n, rec, f.header)
			if len(probs) > 0 {
				return nil, fmt.Errorf("importer: row %d checked differently the second time", n)
			}
			items, rows = append(items, item), append(rows, n)
		}
		if (i+1)%size == 0 {
			if err := flush(i + 1); err != nil {
				return nil, err
			}
		}
	}
	if total%size != 0 && total > from {
		if err := flush(total); err != nil {
			return nil, err
		}
	}
	if job == nil {
		rep.Problems = sortProblems(problems)
		return rep, nil
	}
	if err := db.FinishImportJob(ctx, job); err != nil {
		return nil, err
	}
	// The report is the job's: a resumed run reports what an
	// uninterrupted one would have.
	if rep.Problems, err = db.FindImportProblems(ctx, job.ID, 0); err != nil {
		return nil, err
	}
	rep.Problems = sortProblems(rep.Problems)
	rep.Imported, rep.Unchanged, rep.Memberships = job.Imported, job.Unchanged, job.Links
	return rep, nil
}

// sortProblems orders problems by row, then as their check found them.
func sortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Row < ps[j].Row })
	return ps
}
