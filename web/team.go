package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"patchwork"
)

// membershipForm shows the caller's own contact dates on a team.
func (s *Server) membershipForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.profile(w, r)
	if !ok {
		return
	}
	f := url.Values{}
	me := patchwork.CallerFromContext(r.Context())
	for _, m := range p.Team {
		if m.Agent.ID == me.ID {
			f.Set("last_contact_on", patchwork.DateInWords(m.Membership.LastContactOn))
			f.Set("next_contact_on", patchwork.DateInWords(m.Membership.NextContactOn))
			f.Set("next_contact_time", m.Membership.NextContactTime)
			f.Set("next_contact_kind", m.Membership.NextContactKind)
		}
	}
	s.render(w, r, http.StatusOK, "membership", &page{Form: f, Data: p})
}

// formValue returns a pointer to the form's value of key, or nil when the
// form does not carry the field at all (so the value is left as it is).
func formValue(f url.Values, key string) *string {
	if _, ok := f[key]; !ok {
		return nil
	}
	v := f.Get(key)
	return &v
}

// updateMembership sets the caller's contact dates: the contract's
// POST /clients/{id}/membership (last_contact_on, next_contact_on, and
// optionally next_contact_time and next_contact_kind).
func (s *Server) updateMembership(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	f := r.PostForm
	u := patchwork.ContactUpdate{LastContactOn: formValue(f, "last_contact_on"), NextContactOn: formValue(f, "next_contact_on"),
		NextContactTime: formValue(f, "next_contact_time"), NextContactKind: formValue(f, "next_contact_kind")}
	err := s.svc.Team.UpdateContact(r.Context(), id, u)
	if fields := patchwork.ErrorFields(err); fields != nil {
		p, ok := s.profile(w, r) // only members get a validation error
		if !ok {
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "membership", &page{Form: f, Errors: fields, Data: p})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Your contact dates are saved.")
	s.back(w, r, id)
}

// back sends the caller to the page a form names in its "back" field when
// it is the dashboard, else to the client's team.
func (s *Server) back(w http.ResponseWriter, r *http.Request, id int64) {
	if r.PostFormValue("back") == "dashboard" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#team", http.StatusSeeOther)
}

// confirmMembership is the one click of "still working with this client".
func (s *Server) confirmMembership(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	if err := s.svc.Team.ConfirmMembership(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Thank you: you are still on the team.")
	s.back(w, r, id)
}

// proposeLead proposes a member as lead professional.
func (s *Server) proposeLead(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	agentID, _ := strconv.ParseInt(r.PostFormValue("agent_id"), 10, 64)
	err := s.svc.Team.ProposeLead(r.Context(), id, agentID)
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.sessions.Put(r.Context(), "flash", fields["agent_id"])
		http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#lead", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "Proposed as lead professional. They will be asked to accept."
	if agentID == patchwork.CallerFromContext(r.Context()).ID {
		msg = "You are now the lead professional. The team has been told."
	}
	s.sessions.Put(r.Context(), "flash", msg)
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#team", http.StatusSeeOther)
}

// answerLead accepts or declines being proposed as lead professional.
func (s *Server) answerLead(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	accept := r.PostFormValue("answer") == "accept"
	if !accept && r.PostFormValue("answer") != "decline" {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	if err := s.svc.Team.AnswerLead(r.Context(), id, accept); err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "You declined to be lead professional. The team has been told."
	if accept {
		msg = "You are now the lead professional. The team has been told."
	}
	s.sessions.Put(r.Context(), "flash", msg)
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#team", http.StatusSeeOther)
}

// contactKindWord is how a planned contact's kind reads in a sentence.
func contactKindWord(kind string) string {
	switch kind {
	case patchwork.ContactVisit, patchwork.ContactCall, patchwork.ContactMeeting:
		return kind
	}
	return "contact"
}

// dayOf reads a stored YYYY-MM-DD as a calendar day.
func dayOf(iso string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, iso)
	return t, err == nil
}

// daysFromToday is how many calendar days t (a day) is after today.
func daysFromToday(t, now time.Time) int {
	y, m, d := now.Local().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return int(t.Sub(today).Hours() / 24)
}

// lastContactWords says when the last contact was: "today", "yesterday",
// "3 days ago", or the date once it is two months back.
func lastContactWords(iso string, now time.Time) string {
	t, ok := dayOf(iso)
	if !ok {
		return ""
	}
	switch n := -daysFromToday(t, now); {
	case n <= 0:
		return "today"
	case n == 1:
		return "yesterday"
	case n < 60:
		return strconv.Itoa(n) + " days ago"
	}
	return "on " + t.Format("2 Jan 2006")
}

// shortDay writes a day as "Tue 24 Nov", with the year when it is not this
// year's.
func shortDay(iso string, now time.Time) string {
	t, ok := dayOf(iso)
	if !ok {
		return ""
	}
	if t.Year() != now.Local().Year() {
		return t.Format("Mon 2 Jan 2006")
	}
	return t.Format("Mon 2 Jan")
}

// contactSummary is a member's line in the team list, such as "last saw 3
// days ago · next visit Tue 24 Nov, 10:00"; "" when neither date is set.
func contactSummary(m *patchwork.Membership, now time.Time) string {
	var out string
	if m.LastContactOn != "" {
		out = "last saw " + lastContactWords(m.LastContactOn, now)
	}
	if m.NextContactOn != "" {
		if out != "" {
			out += " · "
		}
		out += "next " + contactKindWord(m.NextContactKind) + " " + shortDay(m.NextContactOn, now)
		if m.NextContactTime != "" {
			out += ", " + m.NextContactTime
		}
	}
	return out
}

func contactKindOptions() []patchwork.Option {
	return append([]patchwork.Option{{Value: "", Label: "Not said"}}, patchwork.ContactKinds...)
}
