package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"patchwork"
)

// inviteData is what the invite page shows: the client (to members only),
// the colleagues a name search found, and what was searched.
type inviteData struct {
	Profile  *patchwork.ClientProfile
	Q        string
	Searched bool
	Found    []patchwork.Option // agent id → "Name, role, agency"
}

// maxInviteQuery bounds the name searched for on the invite page.
const maxInviteQuery = 100

// inviteForm shows how to invite a colleague: search the phone book by
// name (a GET form, so it works without JavaScript), pick from what it
// found, or give an email address; with an optional message.
func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request) {
	s.renderInvite(w, r, http.StatusOK, url.Values{}, nil)
}

// renderInvite shows the invite page for the client of the {id} path value,
// to members only, with the phone-book search of ?q= done again.
func (s *Server) renderInvite(w http.ResponseWriter, r *http.Request, status int, f url.Values, errs map[string]string) {
	p, ok := s.profile(w, r)
	if !ok {
		return
	}
	d := inviteData{Profile: p}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		q = strings.TrimSpace(f.Get("q"))
	}
	if q != "" && len(q) <= maxInviteQuery && utf8.ValidString(q) && !strings.ContainsRune(q, 0) {
		agents, err := s.svc.Invitations.FindInvitees(r.Context(), p.Client.ID, q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Q, d.Searched = q, true
		onTeam := map[int64]bool{}
		for _, m := range p.Team {
			onTeam[m.Agent.ID] = true
		}
		for _, a := range agents {
			if onTeam[a.ID] {
				continue // already on the team: nothing to invite
			}
			label := a.Name
			if a.Role != "" {
				label += ", " + a.Role
			}
			if a.Agency != nil && a.Agency.Name != "" {
				label += ", " + a.Agency.Name
			}
			d.Found = append(d.Found, patchwork.Option{Value: strconv.FormatInt(a.ID, 10), Label: label})
		}
	}
	s.render(w, r, status, "invite", &page{Form: f, Errors: errs, Data: d})
}

// createInvitation is POST /clients/{id}/invitations: email (or agent_id,
// an agent picked from the phone book) and an optional message; 303 to
// the client page.
func (s *Server) createInvitation(w http.ResponseWriter, r *http.Request) {
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
	req := patchwork.InvitationRequest{Email: f.Get("email"), Message: f.Get("message")}
	if v := f.Get("agent_id"); v != "" {
		aid, err := strconv.ParseInt(v, 10, 64)
		if err != nil || aid <= 0 {
			s.renderInvite(w, r, http.StatusUnprocessableEntity, f, map[string]string{"agent_id": "Select a colleague from the list"})
			return
		}
		req.AgentID = aid
	}
	inv, err := s.svc.Invitations.CreateInvitation(r.Context(), id, req)
	if fields := patchwork.ErrorFields(err); fields != nil {
		// Only a member gets field messages (the store checks membership
		// first), so the page shown again reveals nothing new.
		s.renderInvite(w, r, http.StatusUnprocessableEntity, f, fields)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "Invitation sent to " + inv.Invitee() + ". It works for 14 days."
	if inv.NeedsAccess {
		msg = "Invitation sent to " + inv.Invitee() + ". No agency on Patchwork takes addresses at " +
			patchwork.EmailDomain(inv.Email) + " yet, so they will first ask for access, which an administrator approves."
	}
	s.sessions.Put(r.Context(), "flash", msg)
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#invitations", http.StatusSeeOther)
}

// withdrawInvitation is POST /clients/{id}/invitations/{inv}/withdraw.
func (s *Server) withdrawInvitation(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	invID, err := strconv.ParseInt(r.PathValue("inv"), 10, 64)
	if !ok || err != nil || invID <= 0 {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	if err := s.svc.Invitations.WithdrawInvitation(r.Context(), id, invID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Invitation withdrawn. Its link no longer works.")
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#invitations", http.StatusSeeOther)
}

// myInvitation is GET /invitations?id=N: it sends the caller on to the page
// of their own pending invitation N (the first, without an id), or to the
// dashboard when they have none. Sign-up continues here once an invited new
// colleague has an account, so that no live token has to be stored.
func (s *Server) myInvitation(w http.ResponseWriter, r *http.Request) {
	invs, err := s.svc.Invitations.FindMyInvitations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	for _, inv := range invs {
		if id == 0 || inv.ID == id {
			http.Redirect(w, r, "/invitations/"+inv.Token, http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// invitationData is the invitation page.
type invitationData struct {
	*patchwork.InvitationPage
	Token string
}

// showInvitation is GET /invitations/{token}: to its invitee, who the
// client is and the form to accept; to anyone else the ordinary 404.
//
// It is the one public route that needs a caller for what it shows: a
// signed-out visitor (or a deactivated agent) holding a new colleague's
// live invitation — which only its address was emailed — starts their
// sign-up; anyone else signed out is sent to sign in, as every closed
// route sends them, with the same answer for any other token.
func (s *Server) showInvitation(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !patchwork.CanUse(patchwork.CallerFromContext(r.Context())) {
		signup, err := s.svc.Invitations.BeginInvitedSignup(r.Context(), token)
		if err != nil {
			if patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				s.fail(w, r, err)
				return
			}
			s.signIn(w, r)
			return
		}
		http.Redirect(w, r, "/signup/verify?token="+url.QueryEscape(signup), http.StatusSeeOther)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	p, err := s.svc.Invitations.FindInvitation(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderInvitation(w, r, http.StatusOK, p, token, nil, nil)
}

func (s *Server) renderInvitation(w http.ResponseWriter, r *http.Request, status int, p *patchwork.InvitationPage, token string, f url.Values, errs map[string]string) {
	if p.Match != nil && p.Match.IsMember {
		// Already on the team (joined another way): the client page is
		// where they want to be.
		http.Redirect(w, r, "/clients/"+strconv.FormatInt(p.Invitation.ClientID, 10), http.StatusSeeOther)
		return
	}
	s.render(w, r, status, "invitation", &page{Form: f, Errors: errs, Data: invitationData{InvitationPage: p, Token: token}})
}

// acceptInvitation is POST /invitations/{token}: basis, basis_note and
// declaration=yes, as the join form.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	req := patchwork.JoinRequest{
		Declaration: r.PostFormValue("declaration") == "yes",
		Basis:       r.PostFormValue("basis"),
		BasisNote:   r.PostFormValue("basis_note"),
	}
	clientID, err := s.svc.Invitations.AcceptInvitation(r.Context(), token, req)
	if fields := patchwork.ErrorFields(err); fields != nil {
		// Only the invitee gets this far; the page is loaded as a GET
		// would load it, so it shows no more than it did.
		p, ferr := s.svc.Invitations.FindInvitation(r.Context(), token)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		s.renderInvitation(w, r, http.StatusUnprocessableEntity, p, token, r.PostForm, fields)
		return
	}
	if patchwork.ErrorCode(err) == patchwork.ECONFLICT {
		// Ended meanwhile (or already a member): the page says which.
		if p, ferr := s.svc.Invitations.FindInvitation(r.Context(), token); ferr == nil {
			s.renderInvitation(w, r, http.StatusConflict, p, token, nil, nil)
			return
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "You have joined the team. The other members have been told.")
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(clientID, 10), http.StatusSeeOther)
}
