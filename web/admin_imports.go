package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"patchwork"
)

// importView is one import as the imports page shows it.
type importView struct {
	Job      *patchwork.ImportJob
	Status   string // in words
	Tag      string // the status tag's colour class
	Rate     string // rows per second of the current (or last) run
	Left     string // time left, while writing
	Problems []patchwork.ImportProblem
	More     int // problems beyond those listed
}

// importProblemsShown is how many problems the page lists per import.
const importProblemsShown = 50

// adminImports lists the imports (patchwork import) for system admins:
// status, rows done of rows in all, rows per second and the problems. It
// refreshes by its link, without JavaScript.
func (s *Server) adminImports(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	n := queryPage(r.URL.Query(), "page")
	jobs, total, err := s.svc.Imports.FindImports(ctx, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	views := make([]importView, 0, len(jobs))
	for _, j := range jobs {
		v := importView{Job: j}
		switch {
		case j.Stalled(now):
			v.Status, v.Tag = "Stopped: run the same import again to resume", "govuk-tag--orange"
		case j.Status == patchwork.ImportChecking:
			v.Status, v.Tag = "Checking every row", "govuk-tag--blue"
		case j.Status == patchwork.ImportWriting:
			v.Status, v.Tag = "Importing", "govuk-tag--blue"
		case j.Status == patchwork.ImportRejected:
			v.Status, v.Tag = "Not imported: rows have problems", "govuk-tag--red"
		default:
			v.Status, v.Tag = "Done", "govuk-tag--green"
		}
		if rate := j.RowsPerSecond(); rate > 0 {
			v.Rate = fmt.Sprintf("%.0f rows a second", rate)
		}
		if left := j.TimeLeft(); left > 0 && !j.Stalled(now) {
			v.Left = left.String()
		}
		if j.Problems > 0 {
			if v.Problems, err = s.svc.Imports.FindImportProblems(ctx, j.ID, importProblemsShown); err != nil {
				s.fail(w, r, err)
				return
			}
			v.More = j.Problems - len(v.Problems)
		}
		views = append(views, v)
	}
	refresh := "/admin/imports"
	if n > 1 {
		refresh += "?page=" + strconv.Itoa(n)
	}
	s.render(w, r, http.StatusOK, "admin_imports", &page{Data: map[string]any{
		"Imports": views, "Total": total, "At": now.UTC().Format(time.TimeOnly) + " UTC", "Refresh": refresh,
		"Export": "/admin/imports.csv",
		"Paging": pageOf(n, total, func(n int) string { return "/admin/imports?page=" + strconv.Itoa(n) })}})
}

// adminImportsCSV exports every import with the figures the page shows
// (the problems themselves are listed by the command).
func (s *Server) adminImportsCSV(w http.ResponseWriter, r *http.Request) {
	header := []string{"id", "kind", "file", "status", "rows_done", "rows_total", "imported", "unchanged", "problems",
		"runs", "started", "finished"}
	s.streamCSV(w, r, "imports.csv", header, func(write func(...string) error) error {
		return s.svc.Imports.ExportImports(r.Context(), func(j *patchwork.ImportJob) error {
			status := j.Status
			if j.Stalled(s.now()) {
				status = "stopped"
			}
			return write(strconv.FormatInt(j.ID, 10), j.Kind, j.FileName, status, strconv.Itoa(j.RowsDone),
				strconv.Itoa(j.RowsTotal), strconv.Itoa(j.Imported), strconv.Itoa(j.Unchanged), strconv.Itoa(j.Problems),
				strconv.Itoa(j.Runs), csvTime(j.StartedAt), csvTime(j.FinishedAt))
		})
	})
}
