package web

import (
	"net/http"
	"strconv"
	"strings"

	"patchwork"
)

// The duplicates queue: likely duplicate pairs to dismiss or merge.

// duplicatesData is the duplicates queue's page.
type duplicatesData struct {
	Pairs  []*patchwork.DuplicatePair
	Total  int
	Paging listPaging
	Export string
	Scan   *patchwork.DuplicateScanState
}

// duplicates shows the queue of likely duplicate pairs, a page at a time,
// and whether a scan is on its way.
func (s *Server) duplicates(w http.ResponseWriter, r *http.Request) {
	n := queryPage(r.URL.Query(), "page")
	pairs, total, err := s.svc.Merges.FindDuplicatePairs(r.Context(), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scan, err := s.svc.Merges.FindDuplicateScanState(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := duplicatesData{Pairs: pairs, Total: total, Export: "/admin/duplicates.csv", Scan: scan,
		Paging: pageOf(n, total, func(n int) string { return "/admin/duplicates?page=" + strconv.Itoa(n) })}
	s.render(w, r, http.StatusOK, "admin_duplicates", &page{Data: d})
}

// duplicatesCSV exports every open pair in the caller's reach, with what
// the page shows of each client (reference, name, date of birth,
// postcode, team size) and the reasons.
func (s *Server) duplicatesCSV(w http.ResponseWriter, r *http.Request) {
	header := []string{"id", "client_a", "name_a", "date_of_birth_a", "postcode_a", "team_size_a",
		"client_b", "name_b", "date_of_birth_b", "postcode_b", "team_size_b", "reasons", "found_at"}
	s.streamCSV(w, r, "duplicates.csv", header, func(write func(...string) error) error {
		return s.svc.Merges.ExportDuplicatePairs(r.Context(), func(p *patchwork.DuplicatePair) error {
			return write(strconv.FormatInt(p.ID, 10),
				patchwork.ClientRef(p.A.ID), p.A.Name, p.A.DateOfBirth, p.A.Postcode, strconv.Itoa(p.A.TeamSize),
				patchwork.ClientRef(p.B.ID), p.B.Name, p.B.DateOfBirth, p.B.Postcode, strconv.Itoa(p.B.TeamSize),
				strings.Join(p.Reasons, "; "), csvTime(p.FoundAt))
		})
	})
}

// scanDuplicates queues a scan for duplicates (POST
// /admin/duplicates/scan): the worker runs it, since on a large network it
// takes minutes. While one is queued or running, it queues no other.
func (s *Server) scanDuplicates(w http.ResponseWriter, r *http.Request) {
	st, queued, err := s.svc.Merges.QueueDuplicateScan(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "A scan has been queued. New likely pairs appear here when it has finished; on a large network that takes some minutes."
	switch {
	case st.Running:
		msg = "A scan is running already, so no other was queued. New likely pairs appear here when it has finished."
	case !queued:
		msg = "A scan is queued already, so no other was queued. New likely pairs appear here when it has finished."
	}
	s.sessions.Put(r.Context(), "flash", msg)
	http.Redirect(w, r, "/admin/duplicates", http.StatusSeeOther)
}

// dismissDuplicate takes a pair off the queue.
func (s *Server) dismissDuplicate(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := s.svc.Merges.DismissDuplicatePair(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "The pair was dismissed: they are different people.")
	http.Redirect(w, r, "/admin/duplicates", http.StatusSeeOther)
}
