package web

import (
	"net/http"
	"net/url"
	"strconv"

	"patchwork"
)

// profileData is what the profile form needs besides the form values.
type profileData struct {
	Areas []*patchwork.Area
	// FromTeam marks the caller's areas that joining a team added.
	FromTeam map[int64]bool
}

func (s *Server) profileForm(w http.ResponseWriter, r *http.Request) {
	me, err := s.svc.Agents.FindAgentByID(r.Context(), patchwork.CallerFromContext(r.Context()).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := url.Values{
		"name": {me.Name}, "role": {me.Role}, "generic_role": {me.GenericRole}, "mobile": {me.Mobile},
		"landline": {me.Landline}, "contact_email": {me.ContactEmail}, "preferred_contact": {me.PreferredContact},
		"working_hours": {me.WorkingHours},
	}
	if me.SensitiveRole {
		f.Set("sensitive_role", "yes")
	}
	for _, a := range me.Areas {
		f.Add("areas", strconv.FormatInt(a.ID, 10))
	}
	s.renderProfile(w, r, http.StatusOK, f, nil)
}

func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, status int, f url.Values, errs map[string]string) {
	areas, err := s.svc.Areas.FindAreas(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	me, err := s.svc.Agents.FindAgentByID(r.Context(), patchwork.CallerFromContext(r.Context()).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := profileData{Areas: areas, FromTeam: map[int64]bool{}}
	for _, a := range me.Areas {
		d.FromTeam[a.ID] = a.FromTeam
	}
	s.render(w, r, status, "profile", &page{Form: f, Errors: errs, Data: d})
}

func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	f := r.PostForm
	u := profileUpdate(f)
	if _, err := s.svc.Agents.UpdateProfile(r.Context(), u); err != nil {
		if fields := patchwork.ErrorFields(err); fields != nil {
			s.renderProfile(w, r, http.StatusUnprocessableEntity, f, fields)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Your profile has been saved.")
	http.Redirect(w, r, "/profile", http.StatusSeeOther)
}
