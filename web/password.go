package web

import (
	"net/http"
	"net/url"
	"strings"

	"patchwork"
)

// changePasswordForm shows the signed-in agent's change-password page.
func (s *Server) changePasswordForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "password_change", &page{})
}

// changePassword sets a new password for the signed-in agent; every other
// session ends and the agent is emailed. Passwords are never echoed back
// into the form.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	err := s.svc.Passwords.ChangePassword(r.Context(), r.PostFormValue("current_password"), r.PostFormValue("password"),
		s.sessions.Token(r.Context()))
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "password_change", &page{Errors: fields})
		return
	} else if patchwork.ErrorCode(err) == patchwork.ETOOMANYREQUEST {
		s.render(w, r, http.StatusTooManyRequests, "password_change", &page{
			Errors: map[string]string{"current_password": patchwork.ErrorMessage(err)}})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Your password has been changed. You have been signed out everywhere else.")
	http.Redirect(w, r, "/settings/sessions", http.StatusSeeOther)
}

// forgotPasswordForm asks for the address to send a reset link to.
func (s *Server) forgotPasswordForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "password_forgot", &page{})
}

// forgotPassword sends a reset link. The answer is the same page, byte for
// byte, whether or not the address has an account (it does not repeat the
// address), so the form cannot be used to find out who is on Patchwork.
// Only the address's format is checked here, which says nothing about
// accounts.
func (s *Server) forgotPassword(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	if !patchwork.ValidEmail(email) {
		s.render(w, r, http.StatusUnprocessableEntity, "password_forgot", &page{Form: url.Values{"email": {email}},
			Errors: map[string]string{"email": "Enter an email address in the correct format, like name@example.org"}})
		return
	}
	err := s.svc.Passwords.RequestPasswordReset(r.Context(), email)
	if patchwork.ErrorCode(err) == patchwork.ETOOMANYREQUEST {
		s.render(w, r, http.StatusTooManyRequests, "password_forgot", &page{Form: url.Values{"email": {email}},
			Errors: map[string]string{"email": patchwork.ErrorMessage(err)}})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "password_forgot_sent", &page{})
}

// resetPasswordForm shows the form the emailed link leads to. The token is
// in the query string, which the request log never records.
func (s *Server) resetPasswordForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	token := r.URL.Query().Get("token")
	if err := s.svc.Passwords.CheckPasswordReset(r.Context(), token); err != nil {
		s.resetFailed(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "password_reset", &page{Data: token})
}

// resetPassword sets the new password with the token from the form.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	token := r.PostFormValue("token")
	err := s.svc.Passwords.ResetPassword(r.Context(), token, r.PostFormValue("password"))
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "password_reset", &page{Errors: fields, Data: token})
		return
	} else if err != nil {
		s.resetFailed(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "password_reset_done", &page{})
}

// resetFailed answers a reset link that is not live: used, expired, never
// issued, or for an agent since deactivated all look the same.
func (s *Server) resetFailed(w http.ResponseWriter, r *http.Request, err error) {
	if patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusNotFound, "password_reset_invalid", &page{})
}
