// Package importer loads agencies, agents and clients in bulk from the CSV
// files other systems export: it reads the file, checks every row and
// reports each problem as "row N: field: reason", and hands the good rows
// to the store, which writes them in one transaction. A dry run checks
// everything and writes nothing.
package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"patchwork"
	"patchwork/match"
	"patchwork/sqldb"
)

// Problem is one problem with one row. Row counts as a spreadsheet does:
// the header is row 1, the first client row 2.
type Problem struct {
	Row    int
	Field  string
	Reason string
}

func (p Problem) String() string { return fmt.Sprintf("row %d: %s: %s", p.Row, p.Field, p.Reason) }

// FileError is a file that cannot be read at all: not CSV, no header, a
// missing or unknown column. Nothing is checked further.
type FileError struct{ Msg string }

func (e *FileError) Error() string { return e.Msg }

// Options say how to run an import.
type Options struct {
	DryRun bool
	// AllowDuplicates imports rows the duplicate check calls likely the
	// same person as an existing client; by default they are reported.
	AllowDuplicates bool
	// Progress, when set, receives a progress line now and then.
	Progress func(phase string, done, total int)
}

// Report is what an import did, or in a dry run would do.
type Report struct {
	Rows        int // client rows in the file
	Imported    int // written now (in a dry run: would be)
	Memberships int
	Unchanged   int // imported before, by an earlier run of the same rows
	Problems    []Problem
}

// clientColumns are the columns of a client file; required ones are true.
var clientColumns = map[string]bool{
	"external_id": false, "first_name": true, "last_name": true, "date_of_birth": true, "aliases": false,
	"address": false, "postcode": false, "phone": false, "local_area": false, "member_emails": true,
}

// MaxExternalIDLength bounds an external_id.
const MaxExternalIDLength = 100

// ImportClients reads a client CSV from r, checks every row and, unless
// opt.DryRun, writes the good ones. It returns a *FileError for a file
// that cannot be read at all. ctx must carry the system caller or an admin.
func ImportClients(ctx context.Context, db *sqldb.DB, r io.Reader, opt Options) (*Report, error) {
	records, header, err := readCSV(r, clientColumns)
	if err != nil {
		return nil, err
	}
	lookups, err := db.FindImportLookups(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{Rows: len(records)}
	now := time.Now()
	var rows []sqldb.ImportClient
	byKey := map[string]int{}    // key → row, within the file
	byPerson := map[string]int{} // folded name and date of birth → row
	for i, rec := range records {
		n := i + 2
		row, probs := checkClientRow(n, rec, header, lookups, now)
		if len(probs) > 0 {
			rep.Problems = append(rep.Problems, probs...)
			continue
		}
		if first, dup := byKey[row.Key]; dup {
			field := "external_id"
			if !strings.HasPrefix(row.Key, "ext:") {
				field = "row"
			}
			rep.Problems = append(rep.Problems, Problem{n, field, fmt.Sprintf("the same as row %d", first)})
			continue
		}
		byKey[row.Key] = n
		rows = append(rows, row)
	}
	done, err := db.FindImportedKeys(ctx, keysOf(rows))
	if err != nil {
		return nil, err
	}
	var fresh []sqldb.ImportClient
	for _, row := range rows {
		if _, ok := done[row.Key]; ok {
			rep.Unchanged++
			continue
		}
		fresh = append(fresh, row)
	}
	dups, err := likelyDuplicates(ctx, db, fresh, opt.Progress)
	if err != nil {
		return nil, err
	}
	var good []sqldb.ImportClient
	for i, row := range fresh {
		person := match.Fold(row.Client.FirstName) + "\x1f" + match.Fold(row.Client.LastName) + "\x1f" + row.Client.DateOfBirth
		if first, seen := byPerson[person]; seen && !opt.AllowDuplicates {
			rep.Problems = append(rep.Problems, Problem{row.Row, "duplicate", fmt.Sprintf("the same name and date of birth as row %d", first)})
			continue
		}
		byPerson[person] = row.Row
		if d := dups[i]; d.id != 0 && !opt.AllowDuplicates {
			reason := "likely the same person as client " + patchwork.ClientRef(d.id)
			if len(d.reasons) > 0 {
				reason += " (" + strings.Join(d.reasons, ", ") + ")"
			}
			rep.Problems = append(rep.Problems, Problem{row.Row, "duplicate", reason + "; not imported"})
			continue
		}
		good = append(good, row)
	}
	sort.Slice(rep.Problems, func(i, j int) bool { return rep.Problems[i].Row < rep.Problems[j].Row })
	for _, g := range good {
		rep.Memberships += len(g.MemberIDs)
	}
	rep.Imported = len(good)
	if opt.DryRun || len(good) == 0 {
		return rep, nil
	}
	var progress func(int)
	if opt.Progress != nil {
		progress = func(done int) {
			if done%1000 == 0 || done == len(good) {
				opt.Progress("writing", done, len(good))
			}
		}
	}
	if rep.Imported, rep.Memberships, err = db.ImportClients(ctx, good, progress); err != nil {
		return nil, err
	}
	return rep, nil
}

// readCSV reads a whole CSV file with a header row of the given columns,
// in any order. It returns the records and each column's index (-1 when
// the file lacks an optional column).
func readCSV(r io.Reader, columns map[string]bool) ([][]string, map[string]int, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, &FileError{"cannot read the file: " + err.Error()}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte order mark, as spreadsheets write
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	records, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, nil, &FileError{fmt.Sprintf("not a CSV file: line %d: %v", pe.Line, pe.Err)}
		}
		return nil, nil, &FileError{"not a CSV file: " + err.Error()}
	}
	if len(records) == 0 {
		return nil, nil, &FileError{"the file is empty: it needs a header row naming its columns"}
	}
	header := map[string]int{}
	for c := range columns {
		header[c] = -1
	}
	for i, name := range records[0] {
		name = strings.ToLower(strings.TrimSpace(name))
		if !utf8.ValidString(name) {
			return nil, nil, &FileError{"the header row is not UTF-8 text: save the file as CSV UTF-8"}
		}
		if _, ok := columns[name]; !ok {
			return nil, nil, &FileError{fmt.Sprintf("unknown column %q in the header row (columns: %s)", name, columnList(columns))}
		}
		if header[name] >= 0 {
			return nil, nil, &FileError{fmt.Sprintf("column %q appears twice in the header row", name)}
		}
		header[name] = i
	}
	var missing []string
	for c, required := range columns {
		if required && header[c] < 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, nil, &FileError{"the header row lacks the required " + plural(len(missing), "column", "columns") + " " + strings.Join(missing, ", ")}
	}
	// Every record gets every column, so a short row reads as empty cells
	// (and is reported for its missing fields).
	width := len(records[0])
	out := records[1:]
	for i, rec := range out {
		if len(rec) < width {
			out[i] = append(rec, make([]string, width-len(rec))...)
		}
	}
	return out, header, nil
}

func columnList(columns map[string]bool) string {
	var names []string
	for c := range columns {
		names = append(names, c)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkClientRow checks one client record: the text, the client's fields
// as the add-client form checks them, the local area and the members.
func checkClientRow(n int, rec []string, header map[string]int, l *sqldb.ImportLookups, now time.Time) (sqldb.ImportClient, []Problem) {
	var probs []Problem
	get := func(col string) string {
		if i := header[col]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	if len(rec) > len(header) && extraCells(rec, header) {
		probs = append(probs, Problem{n, "row", "has more cells than the header has columns"})
	}
	for _, col := range sortedColumns(header) {
		if !utf8.ValidString(get(col)) {
			probs = append(probs, Problem{n, col, "is not UTF-8 text (save the file as CSV UTF-8)"})
		}
	}
	if len(probs) > 0 {
		return sqldb.ImportClient{}, probs
	}
	cl := &patchwork.Client{FirstName: get("first_name"), LastName: get("last_name"), Address: get("address"),
		Postcode: get("postcode"), Phone: get("phone")}
	if a := get("aliases"); a != "" {
		cl.Aliases = strings.Split(a, ";")
	}
	if err := cl.Validate(get("date_of_birth"), now); err != nil {
		fields := patchwork.ErrorFields(err)
		for _, col := range sortedColumns(header) {
			if m, ok := fields[col]; ok {
				probs = append(probs, Problem{n, col, m})
			}
		}
		if len(probs) == 0 {
			probs = append(probs, Problem{n, "row", patchwork.ErrorMessage(err)})
		}
	}
	ext := get("external_id")
	if !patchwork.ValidText(ext) || len(ext) > MaxExternalIDLength {
		probs = append(probs, Problem{n, "external_id", fmt.Sprintf("must be text of %d characters or fewer", MaxExternalIDLength)})
	}
	if area := get("local_area"); area != "" {
		id, ok := l.LocalAreas[match.Fold(area)]
		if !ok {
			probs = append(probs, Problem{n, "local_area", fmt.Sprintf("no local area is called %q", area)})
		}
		cl.AreaIDs = []int64{id}
	}
	var members []int64
	seen := map[int64]bool{}
	for _, e := range strings.Split(get("member_emails"), ";") {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		id, ok := l.Agents[e]
		if !ok {
			probs = append(probs, Problem{n, "member_emails", fmt.Sprintf("no active agent signs in as %q", e)})
			continue
		}
		if !seen[id] {
			seen[id] = true
			members = append(members, id)
		}
	}
	if len(members) == 0 && len(probs) == 0 {
		probs = append(probs, Problem{n, "member_emails", "name at least one agent on the client's team: a client with no team is seen by nobody"})
	}
	if len(probs) > 0 {
		return sqldb.ImportClient{}, probs
	}
	key := ext
	if key == "" {
		key = rowKey(cl)
	} else {
		key = "ext:" + key
	}
	return sqldb.ImportClient{Row: n, Key: key, Client: cl, MemberIDs: members}, nil
}

// extraCells reports whether rec has non-empty cells beyond the header.
func extraCells(rec []string, header map[string]int) bool {
	width := 0
	for _, i := range header {
		width = max(width, i+1)
	}
	for _, c := range rec[min(width, len(rec)):] {
		if strings.TrimSpace(c) != "" {
			return true
		}
	}
	return false
}

// sortedColumns lists the file's columns in the header's order.
func sortedColumns(header map[string]int) []string {
	var cols []string
	for c, i := range header {
		if i >= 0 {
			cols = append(cols, c)
		}
	}
	sort.Slice(cols, func(a, b int) bool { return header[cols[a]] < header[cols[b]] })
	return cols
}

// rowKey is the key of a row without an external_id: a hash of the
// person's cleaned details, so that the same row imports once.
func rowKey(cl *patchwork.Client) string {
	h := sha256.New()
	for _, v := range append([]string{cl.FirstName, cl.LastName, cl.DateOfBirth, cl.Address, cl.Postcode, cl.Phone}, cl.Aliases...) {
		h.Write([]byte(match.Fold(v)))
		h.Write([]byte{0x1f})
	}
	return "row:" + hex.EncodeToString(h.Sum(nil))
}

func keysOf(rows []sqldb.ImportClient) []string {
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	return keys
}

type duplicate struct {
	id      int64
	reasons []string
}

// likelyDuplicates runs the duplicate check on every row, on as many
// workers as there are processors (the checks only read).
func likelyDuplicates(ctx context.Context, db *sqldb.DB, rows []sqldb.ImportClient, progress func(string, int, int)) ([]duplicate, error) {
	out := make([]duplicate, len(rows))
	var (
		mu      sync.Mutex
		next    int
		done    int
		failure error
	)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := failure != nil
				mu.Unlock()
				if i >= len(rows) || stop {
					return
				}
				id, reasons, err := db.FindLikelyDuplicate(ctx, rows[i].Client)
				mu.Lock()
				if err != nil && failure == nil {
					failure = err
				}
				out[i] = duplicate{id, reasons}
				done++
				if progress != nil && (done%500 == 0 || done == len(rows)) {
					progress("checking for duplicates", done, len(rows))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out, failure
}
