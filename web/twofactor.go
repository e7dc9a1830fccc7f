package web

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/skip2/go-qrcode"

	"patchwork"
)

// Session keys of two-factor sign-in. A correct password for an agent with
// a second factor leaves the session half signed in: it carries
// sessionPendingKey, never sessionAgentKey, so loadCaller finds no caller
// and nothing but the code page is reachable. Only a right code (or
// recovery code) turns it into a signed-in session.
const (
	sessionPendingKey   = "pending_agent_id"
	sessionPendingAtKey = "pending_at"   // unix seconds of the correct password
	sessionPendingNext  = "pending_next" // where to go once signed in
	// sessionTwoFactorKey marks a session signed in with a second factor
	// (or one in which the agent has just set one up).
	sessionTwoFactorKey = "two_factor"
	// pendingLifetime is how long the code page waits after the password.
	pendingLifetime = 5 * time.Minute
)

// startSecondStep leaves the session half signed in for agent a, whose
// password was right, and sends them to the code page.
func (s *Server) startSecondStep(w http.ResponseWriter, r *http.Request, a *patchwork.Agent, next string) {
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	// Bound to the agent like any session (only bound sessions are
	// loaded), so that a deactivation or a new password ends it too; it
	// holds no sessionAgentKey, so it grants nothing.
	if err := s.bindSession(r, a); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessionPendingKey, a.ID)
	s.sessions.Put(r.Context(), sessionPendingAtKey, s.now().Unix())
	s.sessions.Put(r.Context(), sessionPendingNext, next)
	http.Redirect(w, r, "/login/two-factor", http.StatusSeeOther)
}

// pendingAgent returns the id of the half-signed-in agent, or 0 when there
// is none or the password was checked too long ago.
func (s *Server) pendingAgent(r *http.Request) int64 {
	id := s.sessions.GetInt64(r.Context(), sessionPendingKey)
	at := time.Unix(s.sessions.GetInt64(r.Context(), sessionPendingAtKey), 0)
	if id == 0 || s.now().Sub(at) > pendingLifetime {
		return 0
	}
	return id
}

// twoFactorLoginForm asks a half-signed-in agent for their code.
func (s *Server) twoFactorLoginForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if s.pendingAgent(r) == 0 {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login_code", &page{})
}

// twoFactorLogin checks the second step and, with a right code, signs the
// agent in on a new session token.
func (s *Server) twoFactorLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	id := s.pendingAgent(r)
	if id == 0 {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	recovery, err := s.svc.TwoFactor.VerifySignInCode(r.Context(), id, r.PostFormValue("code"))
	if code := patchwork.ErrorCode(err); code == patchwork.EUNAUTHORIZED || code == patchwork.ETOOMANYREQUEST {
		status := http.StatusUnauthorized
		if code == patchwork.ETOOMANYREQUEST {
			status = http.StatusTooManyRequests
		}
		s.render(w, r, status, "login_code", &page{Errors: map[string]string{"code": patchwork.ErrorMessage(err)}})
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	a, err := s.svc.Agents.FindCaller(r.Context(), id)
	if err != nil {
		// Deactivated between the password and the code.
		_ = s.sessions.Destroy(r.Context())
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	next := safeNextOrEmpty(s.sessions.PopString(r.Context(), sessionPendingNext))
	s.sessions.Remove(r.Context(), sessionPendingKey)
	s.sessions.Remove(r.Context(), sessionPendingAtKey)
	if err := s.completeSignIn(r, a, true); err != nil {
		s.serverError(w, r, err)
		return
	}
	if recovery {
		s.sessions.Put(r.Context(), "flash", "You signed in with a recovery code, which now no longer works. "+
			"If you have lost your authenticator, reset two-factor sign-in and set it up again.")
		next = "/settings/security"
	}
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// completeSignIn turns the request's session into a signed-in session of a,
// on a new token (which defeats session fixation).
func (s *Server) completeSignIn(r *http.Request, a *patchwork.Agent, secondFactor bool) error {
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	if err := s.bindSession(r, a); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessionAgentKey, a.ID)
	s.sessions.Put(r.Context(), sessionSeenKey, s.now().Unix())
	if secondFactor {
		s.sessions.Put(r.Context(), sessionTwoFactorKey, int64(1))
	}
	return nil
}

// securityData is what the security page shows.
type securityData struct {
	Status   *patchwork.TwoFactorStatus
	Secret   string
	QR       template.URL // a data: URL of the QR code's PNG
	Required bool
}

// securityPage shows the caller's two-factor sign-in: the enrolment (QR
// code and the secret as text) when it is not set up, otherwise its state
// and the reset form.
func (s *Server) securityPage(w http.ResponseWriter, r *http.Request) {
	s.renderSecurity(w, r, http.StatusOK, nil)
}

func (s *Server) renderSecurity(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	w.Header().Set("Cache-Control", "no-store")
	st, err := s.svc.TwoFactor.FindTwoFactor(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := securityData{Status: st, Required: patchwork.TwoFactorRequired(s.cfg.TwoFactor, patchwork.CallerFromContext(r.Context()))}
	if !st.Enabled {
		e, err := s.svc.TwoFactor.StartTwoFactor(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		png, err := qrcode.Encode(e.URL, qrcode.Medium, 256)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Secret = e.Secret
		// The CSP allows images from data: URLs (img-src 'self' data:), so
		// the QR code needs no route of its own, where the secret would be
		// in a URL.
		d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	s.render(w, r, status, "security", &page{Errors: errs, Data: d})
}

// confirmTwoFactor completes the enrolment and shows the recovery codes,
// once.
func (s *Server) confirmTwoFactor(w http.ResponseWriter, r *http.Request) {
	codes, err := s.svc.TwoFactor.ConfirmTwoFactor(r.Context(), r.PostFormValue("code"))
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.renderSecurity(w, r, http.StatusUnprocessableEntity, fields)
		return
	} else if patchwork.ErrorCode(err) == patchwork.ETOOMANYREQUEST {
		s.renderSecurity(w, r, http.StatusTooManyRequests, map[string]string{"code": patchwork.ErrorMessage(err)})
		return
	} else if patchwork.ErrorCode(err) == patchwork.ECONFLICT {
		http.Redirect(w, r, "/settings/security", http.StatusSeeOther)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessionTwoFactorKey, int64(1))
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "recovery_codes", &page{Data: codes})
}

// resetOwnTwoFactor removes the caller's second factor with a recovery
// code.
func (s *Server) resetOwnTwoFactor(w http.ResponseWriter, r *http.Request) {
	err := s.svc.TwoFactor.ResetOwnTwoFactor(r.Context(), r.PostFormValue("code"))
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.renderSecurity(w, r, http.StatusUnprocessableEntity, fields)
		return
	} else if patchwork.ErrorCode(err) == patchwork.ETOOMANYREQUEST {
		s.renderSecurity(w, r, http.StatusTooManyRequests, map[string]string{"code": patchwork.ErrorMessage(err)})
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Remove(r.Context(), sessionTwoFactorKey)
	s.sessions.Put(r.Context(), "flash", "Two-factor sign-in has been reset. Set it up again with your new phone or app.")
	http.Redirect(w, r, "/settings/security", http.StatusSeeOther)
}

// adminResetTwoFactor removes another agent's second factor (audited; the
// owner is emailed).
func (s *Server) adminResetTwoFactor(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	reset, err := s.svc.TwoFactor.ResetTwoFactor(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "This agent does not use two-factor sign-in: there was nothing to reset."
	if reset {
		msg = "Two-factor sign-in was reset. The agent has been emailed, and sets it up again if they need it."
	}
	s.sessions.Put(r.Context(), "flash", msg)
	http.Redirect(w, r, fmt.Sprintf("/admin/agents/%d", id), http.StatusSeeOther)
}

// twoFactorGate sends an agent whom the deployment requires to use a second
// factor, and whose session has none, to set one up; only the pages of
// securityRoutes are reachable until then. An agent who has a second factor
// but whose session was signed in without it (the policy changed since)
// signs in again.
func (s *Server) twoFactorGate(w http.ResponseWriter, r *http.Request, pattern string) bool {
	a := patchwork.CallerFromContext(r.Context())
	if !patchwork.TwoFactorRequired(s.cfg.TwoFactor, a) || s.sessions.GetInt64(r.Context(), sessionTwoFactorKey) == 1 {
		return true
	}
	st, err := s.svc.TwoFactor.FindTwoFactor(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	if st.Enabled {
		_ = s.sessions.Destroy(r.Context())
		s.signIn(w, r)
		return false
	}
	if securityRoutes[pattern] {
		return true
	}
	http.Redirect(w, r, "/settings/security", http.StatusSeeOther)
	return false
}

// securityRoutes are the routes an agent who must still set up a second
// factor may reach.
var securityRoutes = map[string]bool{
	"GET /settings/security":  true,
	"POST /settings/security": true,
}
