package web

import (
	"net/http"
	"net/url"
	"slices"

	"patchwork"
)

// notificationsData is the notification settings page.
type notificationsData struct {
	Kinds []patchwork.NotificationKind
}

func (s *Server) notificationsForm(w http.ResponseWriter, r *http.Request) {
	prefs, err := s.svc.Prefs.FindNotificationPrefs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := url.Values{}
	for k, v := range prefs {
		f.Set(k, v)
	}
	s.render(w, r, http.StatusOK, "notifications", &page{Form: f, Data: notificationsData{Kinds: patchwork.NotificationKinds}})
}

func (s *Server) updateNotifications(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	prefs := map[string]string{}
	for _, k := range patchwork.NotificationKinds {
		if v := r.PostForm.Get(k.Kind); v != "" {
			prefs[k.Kind] = v
		}
	}
	if err := s.svc.Prefs.UpdateNotificationPrefs(r.Context(), prefs); err != nil {
		if fields := patchwork.ErrorFields(err); fields != nil {
			s.render(w, r, http.StatusUnprocessableEntity, "notifications", &page{Form: r.PostForm, Errors: fields,
				Data: notificationsData{Kinds: patchwork.NotificationKinds}})
			return
		}
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Your email settings have been saved.")
	http.Redirect(w, r, "/settings/notifications", http.StatusSeeOther)
}

// unsubscribeData is the unsubscribe page.
type unsubscribeData struct {
	Token  string
	Email  string // the account the link is for
	Labels []string
	// Urgent says the link stops attentions, urgent ones included: never
	// is the one setting urgent attentions do not override.
	Urgent bool
	Done   bool
}

func kindLabels(kinds []string) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = patchwork.NotificationKindLabel(k)
	}
	return out
}

// unsubscribeView is the page's data for what u stops.
func unsubscribeView(token string, u *patchwork.Unsubscription, done bool) unsubscribeData {
	return unsubscribeData{Token: token, Email: u.Email, Labels: kindLabels(u.Kinds), Done: done,
		Urgent: slices.Contains(u.Kinds, patchwork.ActivityAttentionRaised)}
}

// unsubscribeForm shows what a one-click unsubscribe link would stop, and
// for which account, with a button to confirm. It needs no sign-in: the
// signed token is the proof, and the address shown is the one the email
// with the link went to.
func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	u, err := s.svc.Prefs.CheckUnsubscribe(r.Context(), token)
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Link not valid", patchwork.ErrorMessage(patchwork.ErrBadUnsubscribeToken))
		return
	}
	s.render(w, r, http.StatusOK, "unsubscribe", &page{Data: unsubscribeView(token, u, false)})
}

// unsubscribe applies the token: from the page's button, or straight from a
// mail client's List-Unsubscribe-Post (RFC 8058), which sends no Origin.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" {
		token = r.PostFormValue("token")
	}
	u, err := s.svc.Prefs.CheckUnsubscribe(r.Context(), token)
	if err == nil {
		u.Kinds, err = s.svc.Prefs.Unsubscribe(r.Context(), token)
	}
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Link not valid", patchwork.ErrorMessage(patchwork.ErrBadUnsubscribeToken))
		return
	}
	s.render(w, r, http.StatusOK, "unsubscribe", &page{Data: unsubscribeView("", u, true)})
}

// devMail shows the local outbox — only in demo mode, where no SMTP server
// may be configured and people still want to see what would be sent.
func (s *Server) devMail(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Demo || s.svc.Outbox == nil {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	msgs, err := s.svc.Outbox(r.Context(), 50)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "devmail", &page{Data: msgs})
}
