package web

import (
	"net/http"
	"strconv"

	"patchwork"
)

// The failed-jobs page: background jobs that failed after every retry,
// for admins to retry. The emails among them also have their own page
// (admin_emails.go).

// failedJobsData is the failed-jobs page: a page of them, newest first.
type failedJobsData struct {
	Jobs   []*patchwork.Job
	Total  int
	Paging listPaging
	Export string
}

// failedJobs lists jobs that failed for good, for admins, a page at a time.
func (s *Server) failedJobs(w http.ResponseWriter, r *http.Request) {
	n := queryPage(r.URL.Query(), "page")
	jobs, total, err := s.svc.Jobs.FindFailedJobs(r.Context(), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := failedJobsData{Jobs: jobs, Total: total, Export: "/admin/jobs.csv",
		Paging: pageOf(n, total, func(n int) string { return "/admin/jobs?page=" + strconv.Itoa(n) })}
	s.render(w, r, http.StatusOK, "jobs", &page{Data: d})
}

// failedJobsCSV exports every failed job with what the page shows of it
// (never its payload).
func (s *Server) failedJobsCSV(w http.ResponseWriter, r *http.Request) {
	header := []string{"id", "kind", "attempts", "last_error", "failed_at"}
	s.streamCSV(w, r, "failed-jobs.csv", header, func(write func(...string) error) error {
		return s.svc.Jobs.ExportFailedJobs(r.Context(), func(j *patchwork.Job) error {
			return write(strconv.FormatInt(j.ID, 10), j.Kind, strconv.Itoa(j.Attempts), j.LastError, csvTime(j.DoneAt))
		})
	})
}

// retryJob queues the failed job in the path again.
func (s *Server) retryJob(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	if err := s.svc.Jobs.RetryJob(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "The job will be tried again.")
	http.Redirect(w, r, "/admin/jobs", http.StatusSeeOther)
}
