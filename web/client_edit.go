package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"patchwork"
)

// editClientData is the change-details page.
type editClientData struct {
	Client *patchwork.Client
}

// clientForm fills the change-details form from a client, with the date of
// birth as people type it.
func clientForm(c *patchwork.Client) url.Values {
	return url.Values{"first_name": {c.FirstName}, "last_name": {c.LastName}, "date_of_birth": {typedDOB(c.DateOfBirth)},
		"address": {c.Address}, "postcode": {c.Postcode}, "phone": {c.Phone}, "aliases": {strings.Join(c.Aliases, "\n")}}
}

func (s *Server) editClientForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.profile(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "client_edit", &page{Form: clientForm(p.Client), Data: editClientData{Client: p.Client}})
}

func (s *Server) updateClient(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	f := r.PostForm
	upd := clientFromForm(f)
	changed, err := s.svc.Clients.UpdateClient(r.Context(), id, upd)
	if fields := patchwork.ErrorFields(err); fields != nil {
		// Validation runs after the membership check: only members get here.
		s.render(w, r, http.StatusUnprocessableEntity, "client_edit", &page{Form: f, Errors: fields,
			Data: editClientData{Client: &patchwork.Client{ID: id, FirstName: upd.FirstName, LastName: upd.LastName}}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "Nothing was changed."
	if len(changed) > 0 {
		msg = "Details saved. The team has been told what changed."
	}
	s.sessions.Put(r.Context(), "flash", msg)
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// typedDOB writes a stored date of birth (YYYY-MM-DD) as the forms show
// it, DD/MM/YYYY; anything else is returned as it is.
func typedDOB(dob string) string {
	if t, err := time.Parse(time.DateOnly, dob); err == nil {
		return t.Format("02/01/2006")
	}
	return dob
}

// clientFromForm reads the add/change client form; the date of birth stays
// as typed for the service to parse.
func clientFromForm(f url.Values) *patchwork.Client {
	return &patchwork.Client{
		FirstName:   f.Get("first_name"),
		LastName:    f.Get("last_name"),
		DateOfBirth: f.Get("date_of_birth"),
		Address:     f.Get("address"),
		Postcode:    f.Get("postcode"),
		Phone:       f.Get("phone"),
		Aliases:     strings.Split(strings.ReplaceAll(f.Get("aliases"), "\r\n", "\n"), "\n"),
	}
}
