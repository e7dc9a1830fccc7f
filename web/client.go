package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"patchwork"
)

func (s *Server) showClient(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	cp, err := s.svc.Clients.FindClientPage(r.Context(), id)
	if err != nil {
		s.failClient(w, r, id, err)
		return
	}
	v := newClientView(cp.Profile, patchwork.CallerFromContext(r.Context()), s.now())
	for _, a := range cp.Attentions {
		if a.Open() {
			v.Attentions = append(v.Attentions, a)
		} else {
			v.Resolved = append(v.Resolved, a)
		}
	}
	v.Circle, v.Invitations = cp.Circle, cp.Invitations
	s.render(w, r, http.StatusOK, "client", s.guided(r, &page{Data: v}, onClient))
}

// newClientData is what the add-client form shows.
type newClientData struct {
	Matches []*patchwork.ClientMatch
	Areas   []*patchwork.Area // local areas to choose from
}

// prefilled are the add-client form's fields a search may fill in
// (addClientURL), with the most of each that is taken.
var prefilled = map[string]int{"first_name": 100, "last_name": 100, "date_of_birth": 20}

func (s *Server) newClientForm(w http.ResponseWriter, r *http.Request) {
	f := url.Values{}
	// What the search typed: shown to be checked, validated when sent.
	for k, n := range prefilled {
		if v := strings.TrimSpace(r.URL.Query().Get(k)); v != "" && len(v) <= n && utf8.ValidString(v) && !strings.ContainsRune(v, 0) {
			f.Set(k, v)
		}
	}
	if me, err := s.svc.Agents.FindAgentByID(r.Context(), patchwork.CallerFromContext(r.Context()).ID); err == nil && len(me.Areas) > 0 {
		f.Set("area", strconv.FormatInt(me.Areas[0].ID, 10))
	}
	s.renderNewClient(w, r, http.StatusOK, f, nil, nil)
}

// renderNewClient shows the add-client form with the local areas to pick.
func (s *Server) renderNewClient(w http.ResponseWriter, r *http.Request, status int, f url.Values, errs map[string]string, matches []*patchwork.ClientMatch) {
	all, err := s.svc.Areas.FindAreas(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var locals []*patchwork.Area
	for _, a := range all {
		if a.Kind == patchwork.AreaLocal {
			locals = append(locals, a)
		}
	}
	s.render(w, r, status, "client_new", &page{Form: f, Errors: errs, Data: newClientData{Matches: matches, Areas: locals}})
}

// createClient adds a client. Before creating, it lists people who may
// already be on Patchwork; confirm_new=1 creates anyway.
func (s *Server) createClient(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	f := r.PostForm
	c := clientFromForm(f)
	if id, err := strconv.ParseInt(f.Get("area"), 10, 64); err == nil {
		c.AreaIDs = []int64{id}
	}
	// Validate a copy first so that the duplicate check sees clean values
	// and bad input never reaches the store.
	check := *c
	if err := check.Validate(c.DateOfBirth, s.now()); err != nil {
		s.renderNewClient(w, r, http.StatusUnprocessableEntity, f, patchwork.ErrorFields(err), nil)
		return
	}
	if f.Get("confirm_new") != "1" {
		matches, err := s.svc.Clients.FindPossibleDuplicates(r.Context(), &check)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if len(matches) > 0 {
			s.renderNewClient(w, r, http.StatusOK, f, nil, matches)
			return
		}
	}
	if err := s.svc.Clients.CreateClient(r.Context(), c); err != nil {
		if fields := patchwork.ErrorFields(err); fields != nil {
			s.renderNewClient(w, r, http.StatusUnprocessableEntity, f, fields, nil)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Client added. You are the first member of their team.")
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

// joinData is what the join page shows.
type joinData struct {
	ClientID int64
	Token    string
	Match    *patchwork.ClientMatch
	Back     string // where the back link goes: the page the agent came from
}

// joinForm shows the declaration and lawful basis form. Who the client is
// is shown only with the ticket of a search result the agent was shown.
func (s *Server) joinForm(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	t := r.URL.Query().Get("t")
	m, err := s.svc.Clients.FindJoinCard(r.Context(), id, t)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if m.IsMember {
		http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "join", &page{Data: joinData{ClientID: id, Token: t, Match: m, Back: backLink(r)}})
}

func (s *Server) join(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	t := r.PostFormValue("t")
	req := patchwork.JoinRequest{
		Ticket:      t,
		Declaration: r.PostFormValue("declaration") == "yes",
		Basis:       r.PostFormValue("basis"),
		BasisNote:   r.PostFormValue("basis_note"),
	}
	if req.Basis != patchwork.BasisOther {
		// The note is asked for under Other only (a conditional reveal):
		// what was typed there before choosing another basis is dropped.
		req.BasisNote = ""
	}
	err := s.svc.Clients.JoinTeam(r.Context(), id, req)
	if fields := patchwork.ErrorFields(err); fields != nil {
		// Only a request with a live ticket gets this far; the card is
		// still loaded through it, so the page shows no more than it did.
		m, _ := s.svc.Clients.FindJoinCard(r.Context(), id, t)
		s.render(w, r, http.StatusUnprocessableEntity, "join", &page{Form: r.PostForm, Errors: fields,
			Data: joinData{ClientID: id, Token: t, Match: m, Back: backLink(r)}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "You have joined the team. Members who chose to be told about joins will get an email.")
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// leaveForm asks a member why they are leaving; only members see it.
func (s *Server) leaveForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.profile(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "leave", &page{Data: p})
}

func (s *Server) leave(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	req := patchwork.LeaveRequest{Reason: r.PostFormValue("reason"), Note: r.PostFormValue("note")}
	err := s.svc.Clients.LeaveTeam(r.Context(), id, req)
	if fields := patchwork.ErrorFields(err); fields != nil {
		// Only a member gets a validation error (the store checks), so
		// showing the page again reveals nothing new.
		p, ok := s.profile(w, r)
		if !ok {
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "leave", &page{Form: r.PostForm, Errors: fields, Data: p})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "You have left the team. Members who chose to be told about colleagues leaving will get an email.")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// memberCard is one team member as the client page shows them, formatted in
// Go: the client page is the hottest page, and each template action costs.
type memberCard struct {
	ID                        int64
	Name, Role, Agency, Since string
	IsMe                      bool
	Mobile, MobileTel         string
	Landline, LandlineTel     string
	Email                     string
	Preferred                 string // "mobile", "landline" or "email"
	ContactRoute              string // a sensitive agency's chosen route
	WorkingHours              string
	ClientID                  int64
	Contact                   string // "last saw … · next visit …", "" if neither is set
	IsLead, OutOfDate         bool
}

// clientView is the client page.
type clientView struct {
	*patchwork.ClientProfile
	Cards         []memberCard
	TeamMailto    string                 // a mailto: link to the other members, "" if none has an address
	TeamEmailList string                 // "; "-separated, for people to copy
	TeamEmailRows int                    // the copy box's height, so that it shows every address
	Attentions    []*patchwork.Attention // open ones, shown in full
	Resolved      []*patchwork.Attention // collapsed under "Resolved (N)"
	Circle        *patchwork.Circle
	Invitations   []*patchwork.Invitation // pending
	CardsHTML     template.HTML
	TrailHTML     template.HTML
}

// trailLine is one activity entry, already in words.
type trailLine struct{ Text, When string }

func newClientView(p *patchwork.ClientProfile, me *patchwork.Agent, now time.Time) clientView {
	emails := teamEmails(p.Team, me)
	// The subject names the client by reference only: a mail program keeps
	// subjects in places no one controls.
	v := clientView{ClientProfile: p, TeamMailto: mailtoURL(emails, teamMailSubject(p.Client.ID)),
		TeamEmailList: strings.Join(emails, "; "), TeamEmailRows: max(2, len(emails))}
	var cards []memberCard
	for _, m := range p.Team {
		a := m.Agent
		c := memberCard{ID: a.ID, Name: a.Name, Role: a.Role, IsMe: a.ID == me.ID, Mobile: a.Mobile, MobileTel: telURI(a.Mobile),
			Landline: a.Landline, LandlineTel: telURI(a.Landline), Email: a.ReachEmail(), Preferred: a.PreferredContact,
			WorkingHours: a.WorkingHours, Since: m.Membership.JoinedAt.Local().Format("2 January 2006"),
			ClientID: p.Client.ID, Contact: contactSummary(m.Membership, now), IsLead: m.Membership.IsLead,
			OutOfDate: m.Membership.MayBeOutOfDate}
		if a.Agency != nil {
			c.Agency = a.Agency.Name
			if a.Agency.Sensitive {
				c.ContactRoute = a.Agency.ContactRoute
			}
		}
		cards = append(cards, c)
	}
	// The team comes lead first, then in the order members joined; the
	// viewer's own card goes last, as the one they least need to look up,
	// unless it is the lead's.
	slices.SortStableFunc(cards, func(a, b memberCard) int {
		switch {
		case a.IsLead != b.IsLead:
			if a.IsLead {
				return -1
			}
			return 1
		case a.IsMe == b.IsMe:
			return 0
		case a.IsMe:
			return 1
		}
		return -1
	})
	var trail []trailLine
	for _, a := range p.Activity {
		trail = append(trail, trailLine{Text: activityText(a, me), When: humanTime(a.CreatedAt, now)})
	}
	v.TrailHTML = trailHTML(trail)
	v.CardsHTML = teamCardsHTML(cards)
	return v
}

// teamMailSubject is the subject of "Email the whole team": the client's
// reference (patchwork.ClientRef, as Patchwork's own emails use), never
// anything that identifies the client.
func teamMailSubject(clientID int64) string {
	return "Patchwork client " + patchwork.ClientRef(clientID)
}
