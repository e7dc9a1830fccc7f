package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"time"
)

// The CSV exports of the admin lists. Every cell of every export goes
// through csvCell, so no value a user typed opens as a formula.

// csvCell defuses a cell a spreadsheet would read as a formula (CSV
// injection, OWASP): one that starts with =, +, -, @, a tab or a carriage
// return gets a leading apostrophe, so it is shown as the text it is.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvTime is t in UTC as RFC 3339, or "" for the zero time.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// writeCSVRow writes row to cw, every cell made safe (csvCell).
func writeCSVRow(cw *csv.Writer, row []string) error {
	safe := make([]string, len(row))
	for i, c := range row {
		safe[i] = csvCell(c)
	}
	return cw.Write(safe)
}

// startCSV sets the headers of a CSV download named filename.
func startCSV(w http.ResponseWriter, filename string) *csv.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	return csv.NewWriter(w)
}

// writeCSV sends rows (a header first) as a CSV download.
func writeCSV(w http.ResponseWriter, filename string, rows [][]string) {
	cw := startCSV(w, filename)
	for _, row := range rows {
		_ = writeCSVRow(cw, row)
	}
	cw.Flush()
}

// streamCSV sends the rows export writes as a CSV download under header,
// as they come: the writer's buffer goes out whenever it fills, so an
// export of any length holds a few rows at a time. The download starts
// with the first row (or after export returns, for none), so an export
// refused before it (ENOTFOUND for a caller out of reach) gets the usual
// error page; a failure after it can only cut the file short, and is
// logged.
func (s *Server) streamCSV(w http.ResponseWriter, r *http.Request, filename string, header []string,
	export func(write func(cells ...string) error) error) {
	var cw *csv.Writer
	begin := func() error {
		cw = startCSV(w, filename)
		return writeCSVRow(cw, header)
	}
	err := export(func(cells ...string) error {
		if cw == nil {
			if err := begin(); err != nil {
				return err
			}
		}
		return writeCSVRow(cw, cells)
	})
	if cw == nil {
		if err != nil {
			s.fail(w, r, err)
			return
		}
		_ = begin() // no rows: the header alone
	}
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		s.log.Error("web: export cut short", "file", filename, "err", err)
	}
}
