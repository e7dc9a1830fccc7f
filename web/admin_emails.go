package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"patchwork"
)

// The failed-emails page: emails the mail pipeline gave up on, for system
// admins to retry or discard, one at a time or every one shown (after a
// confirmation). /admin/jobs still lists every failed job, emails included.

// adminEmailsData is what the failed-emails list shows.
type adminEmailsData struct {
	Emails     []*patchwork.FailedEmail
	Total      int
	Kinds      []patchwork.Option
	Pages      []pageLink
	Prev, Next string
	Export     string // the CSV export's URL, with the same filter
}

// emailFilter reads the list's filter from the query; a kind that is not
// one of the choices filters nothing.
func emailFilter(q url.Values) patchwork.FailedEmailFilter {
	f := patchwork.FailedEmailFilter{Kind: q.Get("kind")}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	if patchwork.EmailJobKindLabel(f.Kind) == f.Kind {
		f.Kind = ""
	}
	return f
}

func emailFilterQuery(f patchwork.FailedEmailFilter) url.Values {
	v := url.Values{}
	if f.Kind != "" {
		v.Set("kind", f.Kind)
	}
	return v
}

// adminEmails lists the failed emails, a page at a time.
func (s *Server) adminEmails(w http.ResponseWriter, r *http.Request) {
	f := emailFilter(r.URL.Query())
	list, total, err := s.svc.Jobs.FindFailedEmails(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kinds := append([]patchwork.Option{{Value: "", Label: "Any kind"}}, patchwork.EmailJobKinds...)
	d := adminEmailsData{Emails: list, Total: total, Kinds: kinds,
		Export: "/admin/emails.csv?" + emailFilterQuery(f).Encode()}
	pages := (total + patchwork.AdminPageSize - 1) / patchwork.AdminPageSize
	d.Pages, d.Prev, d.Next = paginate(max(f.Page, 1), pages, func(n int) string {
		v := emailFilterQuery(f)
		v.Set("page", strconv.Itoa(n))
		return "/admin/emails?" + v.Encode()
	})
	s.render(w, r, http.StatusOK, "admin_emails", &page{Form: r.URL.Query(), Data: d})
}

// adminEmailsCSV exports every failed email the filter selects.
func (s *Server) adminEmailsCSV(w http.ResponseWriter, r *http.Request) {
	f := emailFilter(r.URL.Query())
	f.PerPage = -1
	list, _, err := s.svc.Jobs.FindFailedEmails(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := [][]string{{"job", "kind", "about", "recipient_agent_id", "recipient", "reason", "attempts", "failed_at"}}
	for _, e := range list {
		agent := ""
		if e.RecipientAgentID != 0 {
			agent = strconv.FormatInt(e.RecipientAgentID, 10)
		}
		rows = append(rows, []string{strconv.FormatInt(e.JobID, 10), e.Kind, e.Subkind, agent, e.Recipient(), e.Reason,
			strconv.Itoa(e.Attempts), e.FailedAt.UTC().Format(time.RFC3339)})
	}
	writeCSV(w, "failed-emails.csv", rows)
}

// retryEmail and discardEmail act on the one email in the path.
func (s *Server) retryEmail(w http.ResponseWriter, r *http.Request) {
	s.decideEmail(w, r, s.svc.Jobs.RetryEmails, "The email will be sent again.")
}

func (s *Server) discardEmail(w http.ResponseWriter, r *http.Request) {
	s.decideEmail(w, r, s.svc.Jobs.DiscardEmails, "The email was discarded: it will not be sent.")
}

func (s *Server) decideEmail(w http.ResponseWriter, r *http.Request, act func(context.Context, []int64) (int, error), flash string) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if _, err := act(r.Context(), []int64{id}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", flash)
	http.Redirect(w, r, "/admin/emails", http.StatusSeeOther)
}

// adminEmailsConfirmData is what the confirmation of a retry or discard of
// every email shown asks about.
type adminEmailsConfirmData struct {
	Action string // "retry" or "discard"
	Emails []*patchwork.FailedEmail
}

// retryEmails and discardEmails act on every email the list showed (the
// form's id values): the first post shows what will happen and asks; the
// confirmed one does it, in one transaction.
func (s *Server) retryEmails(w http.ResponseWriter, r *http.Request) {
	s.decideEmails(w, r, "retry", s.svc.Jobs.RetryEmails)
}

func (s *Server) discardEmails(w http.ResponseWriter, r *http.Request) {
	s.decideEmails(w, r, "discard", s.svc.Jobs.DiscardEmails)
}

func (s *Server) decideEmails(w http.ResponseWriter, r *http.Request, action string, act func(context.Context, []int64) (int, error)) {
	if err := r.ParseForm(); err != nil {
		s.notFound(w, r)
		return
	}
	ids := []int64{} // not nil: only the emails named
	for _, v := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	// The store decides first, so anyone but a system admin gets the
	// missing page's 404 whatever the form says.
	list, _, err := s.svc.Jobs.FindFailedEmails(r.Context(), patchwork.FailedEmailFilter{JobIDs: ids, PerPage: -1})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(list) == 0 {
		s.sessions.Put(r.Context(), "flash", "None of those emails is waiting any more: another admin may have dealt with them.")
		http.Redirect(w, r, "/admin/emails", http.StatusSeeOther)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.render(w, r, http.StatusOK, "admin_emails_confirm", &page{Data: adminEmailsConfirmData{Action: action, Emails: list}})
		return
	}
	shown := make([]int64, len(list))
	for i, e := range list {
		shown[i] = e.JobID
	}
	n, err := act(r.Context(), shown)
	if patchwork.ErrorCode(err) == patchwork.ENOTFOUND {
		n, err = 0, nil // dealt with meanwhile
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	verb := "will be sent again"
	if action == "discard" {
		verb = "were discarded: they will not be sent"
	}
	if n == 1 {
		verb = map[string]string{"retry": "will be sent again", "discard": "was discarded: it will not be sent"}[action]
	}
	s.sessions.Put(r.Context(), "flash", plural(n, "email", "emails")+" "+verb+".")
	http.Redirect(w, r, "/admin/emails", http.StatusSeeOther)
}
