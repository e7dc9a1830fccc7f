package importer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// csvFile reads a CSV file with a header row record by record.
type csvFile struct {
	cr     *csv.Reader
	header map[string]int // each column's index; -1 for an optional column the file lacks
	width  int
	row    int // the spreadsheet row of the last record read
}

// reopen reads src again from its start.
func reopen(src io.ReadSeeker, columns map[string]bool) (*csvFile, error) {
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return nil, &FileError{"cannot read the file again: " + err.Error()}
	}
	return openCSV(src, columns)
}

// openCSV reads the header row of a CSV file of the given columns, in any
// order.
func openCSV(r io.Reader, columns map[string]bool) (*csvFile, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		br.Discard(3) // a byte order mark, as spreadsheets write
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	f := &csvFile{cr: cr, row: 1}
	names, err := cr.Read()
	if err == io.EOF {
		return nil, &FileError{"the file is empty: it needs a header row naming its columns"}
	} else if err != nil {
		return nil, csvError(err)
	}
	f.header = map[string]int{}
	for c := range columns {
		f.header[c] = -1
	}
	for i, name := range names {
		name = strings.ToLower(strings.TrimSpace(name))
		if !utf8.ValidString(name) {
			return nil, &FileError{"the header row is not UTF-8 text: save the file as CSV UTF-8"}
		}
		if _, ok := columns[name]; !ok {
			return nil, &FileError{fmt.Sprintf("unknown column %q in the header row (columns: %s)", name, columnList(columns))}
		}
		if f.header[name] >= 0 {
			return nil, &FileError{fmt.Sprintf("column %q appears twice in the header row", name)}
		}
		f.header[name] = i
	}
	var missing []string
	for c, required := range columns {
		if required && f.header[c] < 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, &FileError{"the header row lacks the required " + plural(len(missing), "column", "columns") + " " + strings.Join(missing, ", ")}
	}
	f.width = len(names)
	return f, nil
}

// next returns the next record, with every column (a short row reads as
// empty cells, and is reported for its missing fields), and its
// spreadsheet row; io.EOF after the last.
func (f *csvFile) next() ([]string, int, error) {
	rec, err := f.cr.Read()
	if err == io.EOF {
		return nil, 0, io.EOF
	} else if err != nil {
		return nil, 0, csvError(err)
	}
	f.row++
	if len(rec) < f.width {
		rec = append(rec, make([]string, f.width-len(rec))...)
	}
	return rec, f.row, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &FileError{fmt.Sprintf("not a CSV file: line %d: %v", pe.Line, pe.Err)}
	}
	return &FileError{"not a CSV file: " + err.Error()}
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

// cell returns a record's trimmed cell of a column, "" when the file
// lacks it.
func cell(rec []string, header map[string]int, col string) string {
	if i := header[col]; i >= 0 && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// textProblems reports the cells that are not UTF-8 and cells beyond the
// header: a row with either is checked no further.
func textProblems(n int, rec []string, header map[string]int) []Problem {
	var probs []Problem
	if extraCells(rec, header) {
		probs = append(probs, Problem{Row: n, Field: "row", Reason: "has more cells than the header has columns"})
	}
	for _, col := range sortedColumns(header) {
		if !utf8.ValidString(cell(rec, header, col)) {
			probs = append(probs, Problem{Row: n, Field: col, Reason: "is not UTF-8 text (save the file as CSV UTF-8)"})
		}
	}
	return probs
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

// fieldProblems turns a validation error's fields into problems, in the
// header's order; names maps a field to the column reporting it.
func fieldProblems(n int, err error, header map[string]int, names map[string]string, message func(error) string,
	fields func(error) map[string]string) []Problem {
	var probs []Problem
	fs := fields(err)
	reported := map[string]bool{}
	for _, col := range sortedColumns(header) {
		for f, m := range fs {
			c := f
			if alt, ok := names[f]; ok {
				c = alt
			}
			if c == col && !reported[f] {
				reported[f] = true
				probs = append(probs, Problem{Row: n, Field: col, Reason: m})
			}
		}
	}
	var rest []string
	for f := range fs {
		if !reported[f] {
			rest = append(rest, f)
		}
	}
	sort.Strings(rest)
	for _, f := range rest {
		probs = append(probs, Problem{Row: n, Field: f, Reason: fs[f]})
	}
	if len(probs) == 0 {
		probs = append(probs, Problem{Row: n, Field: "row", Reason: message(err)})
	}
	return probs
}
