package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"patchwork"
)

// signupData is what the sign-up pages need besides the form values.
type signupData struct {
	Token    string
	Email    string
	Agency   *patchwork.Agency  // the agency chosen, on the profile step
	Agencies []patchwork.Option // to choose from, on the agency step
	Several  bool               // more than one agency takes the address: the agency can be changed
	Areas    []*patchwork.Area  // the profile's area choices
}

// signupForm asks for the address to sign up with.
func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) {
	if patchwork.CanUse(patchwork.CallerFromContext(r.Context())) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signup", &page{})
}

// signup emails a link to the address. The answer is the same page, byte
// for byte, whether the address already has an account, is at an approved
// agency's domain or at an unknown one (it does not repeat the address), so
// the form tells nobody who is on Patchwork or which domains are approved.
// Only the address's format is checked here, which says nothing about
// either.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	if !patchwork.ValidEmail(email) {
		s.render(w, r, http.StatusUnprocessableEntity, "signup", &page{Form: url.Values{"email": {email}},
			Errors: map[string]string{"email": "Enter an email address in the correct format, like name@example.org"}})
		return
	}
	err := s.svc.Signups.RequestSignup(r.Context(), email)
	if patchwork.ErrorCode(err) == patchwork.ETOOMANYREQUEST {
		s.render(w, r, http.StatusTooManyRequests, "signup", &page{Form: url.Values{"email": {email}},
			Errors: map[string]string{"email": patchwork.ErrorMessage(err)}})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "signup_sent", &page{})
}

// signupVerify is where the emailed link leads: the access request form for
// an unknown domain; otherwise the choice of agency when several take the
// address, then the profile and password. The token is in the query string,
// which the request log never records.
func (s *Server) signupVerify(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	token := r.URL.Query().Get("token")
	su, err := s.svc.Signups.FindSignup(r.Context(), token)
	if err != nil {
		s.signupFailed(w, r, err)
		return
	}
	if len(su.Agencies) == 0 {
		s.render(w, r, http.StatusOK, "access_request", &page{Data: signupData{Token: token, Email: su.Email}})
		return
	}
	agencyID := int64(0)
	if len(su.Agencies) == 1 {
		agencyID = su.Agencies[0].ID
	} else if v := r.URL.Query().Get("agency"); v != "" || r.URL.Query().Has("chosen") {
		id, _ := strconv.ParseInt(v, 10, 64)
		if su.Agency(id) == nil {
			s.renderSignupAgency(w, r, http.StatusUnprocessableEntity, token, su, map[string]string{"agency": "Select the agency you work for"})
			return
		}
		agencyID = id
	}
	if agencyID == 0 {
		s.renderSignupAgency(w, r, http.StatusOK, token, su, nil)
		return
	}
	f := url.Values{"agency": {strconv.FormatInt(agencyID, 10)}, "preferred_contact": {patchwork.ContactEmail}}
	s.renderSignupProfile(w, r, http.StatusOK, token, su, agencyID, f, nil)
}

func (s *Server) renderSignupAgency(w http.ResponseWriter, r *http.Request, status int, token string, su *patchwork.Signup,
	errs map[string]string) {
	d := signupData{Token: token, Email: su.Email, Several: true}
	for _, g := range su.Agencies {
		d.Agencies = append(d.Agencies, patchwork.Option{Value: strconv.FormatInt(g.ID, 10), Label: g.Name})
	}
	s.render(w, r, status, "signup_agency", &page{Data: d, Errors: errs})
}

func (s *Server) renderSignupProfile(w http.ResponseWriter, r *http.Request, status int, token string, su *patchwork.Signup,
	agencyID int64, f url.Values, errs map[string]string) {
	d := signupData{Token: token, Email: su.Email, Agency: su.Agency(agencyID), Several: len(su.Agencies) > 1, Areas: su.Areas}
	f.Del("password") // a password is never echoed back into a form
	s.render(w, r, status, "signup_profile", &page{Form: f, Errors: errs, Data: d})
}

// profileUpdate reads the profile fields of a form, as the profile page and
// sign-up send them.
func profileUpdate(f url.Values) patchwork.AgentUpdate {
	u := patchwork.AgentUpdate{
		Name: f.Get("name"), Role: f.Get("role"), SensitiveRole: f.Get("sensitive_role") == "yes",
		GenericRole: f.Get("generic_role"), Mobile: f.Get("mobile"), Landline: f.Get("landline"),
		ContactEmail: f.Get("contact_email"), PreferredContact: f.Get("preferred_contact"), WorkingHours: f.Get("working_hours"),
	}
	for _, v := range f["areas"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			u.AreaIDs = append(u.AreaIDs, id)
		}
	}
	return u
}

// completeSignup creates the account from the profile and password, signs
// the new agent in and sends them on (to the page an invitation named, or
// the dashboard).
func (s *Server) completeSignup(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	f := r.PostForm
	token := f.Get("token")
	agencyID, _ := strconv.ParseInt(f.Get("agency"), 10, 64)
	su, err := s.svc.Signups.FindSignup(r.Context(), token)
	if err != nil {
		s.signupFailed(w, r, err)
		return
	}
	a, err := s.svc.Signups.CompleteSignup(r.Context(), token, agencyID, profileUpdate(f), f.Get("password"))
	if fields := patchwork.ErrorFields(err); fields != nil && patchwork.ErrorCode(err) == patchwork.EINVALID {
		if fields["agency"] != "" {
			s.renderSignupAgency(w, r, http.StatusUnprocessableEntity, token, su, map[string]string{"agency": fields["agency"]})
			return
		}
		s.renderSignupProfile(w, r, http.StatusUnprocessableEntity, token, su, agencyID, f, fields)
		return
	} else if patchwork.ErrorCode(err) == patchwork.ECONFLICT {
		// Only the owner of the address holds its token: telling them it
		// has an account tells nobody else anything.
		s.render(w, r, http.StatusConflict, "signup_exists", &page{})
		return
	} else if err != nil {
		s.signupFailed(w, r, err)
		return
	}
	if err := s.completeSignIn(r, a, false); err != nil {
		s.serverError(w, r, err)
		return
	}
	next := "/"
	if n := safeNextOrEmpty(su.Next); n != "" {
		next = n
	}
	s.sessions.Put(r.Context(), "flash", "Welcome to Patchwork. Your account is ready.")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// requestAccess turns a sign-up at an unknown domain into an access
// request for the admins.
func (s *Server) requestAccess(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	f := r.PostForm
	token := f.Get("token")
	req := &patchwork.AccessRequest{AgencyName: f.Get("agency_name"), ManagerName: f.Get("manager_name"),
		ManagerEmail: f.Get("manager_email"), Reason: f.Get("request_reason")}
	err := s.svc.Signups.RequestAccess(r.Context(), token, req)
	if fields := patchwork.ErrorFields(err); fields != nil {
		su, ferr := s.svc.Signups.FindSignup(r.Context(), token)
		if ferr != nil {
			s.signupFailed(w, r, ferr)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "access_request", &page{Form: f, Errors: fields,
			Data: signupData{Token: token, Email: su.Email}})
		return
	} else if patchwork.ErrorCode(err) == patchwork.ECONFLICT {
		// The domain was approved meanwhile: carry on signing up.
		http.Redirect(w, r, "/signup/verify?token="+url.QueryEscape(token), http.StatusSeeOther)
		return
	} else if err != nil {
		s.signupFailed(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "access_request_sent", &page{})
}

// signupFailed answers a sign-up link that is not live: used, expired or
// never issued look the same.
func (s *Server) signupFailed(w http.ResponseWriter, r *http.Request, err error) {
	if patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusNotFound, "signup_invalid", &page{})
}

// signupMail shows, in demo mode only, the emails sent to addresses that
// have no account yet — sign-up links and answers to access requests — so
// that someone trying the demo can follow their link without an SMTP
// server. Every other deployment answers 404.
func (s *Server) signupMail(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Demo || s.svc.SignupOutbox == nil {
		s.notFound(w, r)
		return
	}
	msgs, err := s.svc.SignupOutbox(r.Context(), 20)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "devmail", &page{Data: msgs})
}
