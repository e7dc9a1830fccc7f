package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"patchwork"
)

// mergeData is what the merge page shows: the form, and once both clients
// are named, the two of them side by side with the button that merges.
type mergeData struct {
	Keep, Merge *patchwork.AdminClient
}

// clientNumber reads a client number typed in a form: "1234", or the client's
// reference "P-001234"; 0 for anything else.
func clientNumber(v string) int64 {
	v = strings.TrimSpace(v)
	if len(v) > 2 && strings.EqualFold(v[:2], "P-") {
		v = v[2:]
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// mergeForm asks which two clients to merge and, once both are given,
// shows them for the admin to confirm. The form sent with a field left
// empty says so next to it.
func (s *Server) mergeForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("keep_id") && !q.Has("merge_id") {
		s.render(w, r, http.StatusOK, "admin_merge", &page{Data: mergeData{}})
		return
	}
	s.renderMerge(w, r, q)
}

func (s *Server) renderMerge(w http.ResponseWriter, r *http.Request, form url.Values) {
	keep, merge, err := s.svc.Merges.FindClientsToMerge(r.Context(), clientNumber(form.Get("keep_id")), clientNumber(form.Get("merge_id")))
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "admin_merge", &page{Form: form, Errors: fields, Data: mergeData{}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_merge", &page{Form: form, Data: mergeData{Keep: keep, Merge: merge}})
}

// mergeClients merges merge_id into keep_id (POST /admin/clients/merge).
func (s *Server) mergeClients(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	keep, merge := clientNumber(r.PostForm.Get("keep_id")), clientNumber(r.PostForm.Get("merge_id"))
	if _, err := s.svc.Merges.MergeClients(r.Context(), keep, merge); err != nil {
		if patchwork.ErrorFields(err) != nil {
			s.renderMerge(w, r, r.PostForm)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Client "+patchwork.ClientRef(merge)+" was merged into "+patchwork.ClientRef(keep)+
		". Both teams were told. You can undo it for 30 days.")
	http.Redirect(w, r, "/admin/merges", http.StatusSeeOther)
}

// mergesData is the merges page: a page of merges, newest first.
type mergesData struct {
	Merges []*patchwork.ClientMerge
	Total  int
	Paging listPaging
	Export string
}

// merges lists the merges, a page at a time, with their undo buttons.
func (s *Server) merges(w http.ResponseWriter, r *http.Request) {
	n := queryPage(r.URL.Query(), "page")
	list, total, err := s.svc.Merges.FindMerges(r.Context(), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := mergesData{Merges: list, Total: total, Export: "/admin/merges.csv",
		Paging: pageOf(n, total, func(n int) string { return "/admin/merges?page=" + strconv.Itoa(n) })}
	s.render(w, r, http.StatusOK, "admin_merges", &page{Data: d})
}

// mergesCSV exports every merge in the caller's reach, with what the page
// shows of each: the two clients by reference, who merged and when.
func (s *Server) mergesCSV(w http.ResponseWriter, r *http.Request) {
	header := []string{"id", "kept_client", "merged_client", "merged_by", "merged_at", "undone_at", "can_undo"}
	s.streamCSV(w, r, "merges.csv", header, func(write func(...string) error) error {
		return s.svc.Merges.ExportMerges(r.Context(), func(m *patchwork.ClientMerge) error {
			return write(strconv.FormatInt(m.ID, 10), patchwork.ClientRef(m.KeepID), patchwork.ClientRef(m.MergeID), m.MergedBy,
				csvTime(m.MergedAt), csvTime(m.UndoneAt), strconv.FormatBool(m.CanUndo))
		})
	})
}

// undoMerge undoes a merge (POST /admin/merges/{id}/undo).
func (s *Server) undoMerge(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := s.svc.Merges.UndoMerge(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "The merge was undone: both records and their teams are as they were.")
	http.Redirect(w, r, "/admin/merges", http.StatusSeeOther)
}
