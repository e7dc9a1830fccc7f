package web

import (
	"net/http"

	"patchwork"
)

// eraseForm shows an admin who is about to be erased, and asks why and for
// a confirmation. Opening it is audited (the store does it).
func (s *Server) eraseForm(w http.ResponseWriter, r *http.Request) {
	s.renderEraseForm(w, r, http.StatusOK, nil)
}

func (s *Server) renderEraseForm(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	card, err := s.svc.Erasure.FindClientForErasure(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &page{Data: card, Errors: errs}
	if errs != nil {
		p.Form = r.PostForm
	}
	s.render(w, r, status, "erase", p)
}

// erase erases a client for good (contract: POST /admin/clients/{id}/erase
// with reason and confirm=yes answers 303).
func (s *Server) erase(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	req := patchwork.ErasureRequest{Reason: r.PostFormValue("reason"), Confirm: r.PostFormValue("confirm") == "yes"}
	err := s.svc.Erasure.EraseClient(r.Context(), id, req)
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.renderEraseForm(w, r, http.StatusUnprocessableEntity, fields)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "The client's details have been erased for good. Their team has been told.")
	http.Redirect(w, r, "/admin/audit?action="+patchwork.AuditClientErase, http.StatusSeeOther)
}
