package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"patchwork"
)

// The admins' list of pending invitations, where one to a new colleague
// can be emailed again (the same link and expiry).

// adminInvitationsData is what the list shows.
type adminInvitationsData struct {
	Invitations []*patchwork.Invitation
	Total       int
	Pages       []pageLink
	Prev, Next  string
	Export      string // the CSV export's URL, with the same filters
	Back        string // this page, where an action comes back to
}

// invitationFilter reads the list's filters from the query.
func invitationFilter(q url.Values) patchwork.InvitationFilter {
	f := patchwork.InvitationFilter{Query: strings.TrimSpace(q.Get("q"))}
	f.InviterID, _ = strconv.ParseInt(q.Get("inviter"), 10, 64)
	f.Page, _ = strconv.Atoi(q.Get("page"))
	return f
}

func invitationFilterQuery(f patchwork.InvitationFilter) url.Values {
	v := url.Values{}
	if f.Query != "" {
		v.Set("q", f.Query)
	}
	if f.InviterID > 0 {
		v.Set("inviter", strconv.FormatInt(f.InviterID, 10))
	}
	return v
}

// adminInvitations lists the pending invitations in the caller's reach.
func (s *Server) adminInvitations(w http.ResponseWriter, r *http.Request) {
	s.renderInvitations(w, r, http.StatusOK, "", r.URL.Query())
}

// renderInvitations shows the list as query filters it, with notice (if
// any) above it.
func (s *Server) renderInvitations(w http.ResponseWriter, r *http.Request, status int, notice string, query url.Values) {
	f := invitationFilter(query)
	list, total, err := s.svc.Invitations.FindAdminInvitations(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := adminInvitationsData{Invitations: list, Total: total,
		Export: "/admin/invitations.csv?" + invitationFilterQuery(f).Encode()}
	back := invitationFilterQuery(f)
	if f.Page > 1 {
		back.Set("page", strconv.Itoa(f.Page))
	}
	d.Back = "/admin/invitations?" + back.Encode()
	pages := (total + patchwork.AdminPageSize - 1) / patchwork.AdminPageSize
	d.Pages, d.Prev, d.Next = paginate(max(f.Page, 1), pages, func(n int) string {
		v := invitationFilterQuery(f)
		v.Set("page", strconv.Itoa(n))
		return "/admin/invitations?" + v.Encode()
	})
	s.render(w, r, status, "admin_invitations", &page{Form: query, Notice: notice, Data: d})
}

// adminInvitationsCSV exports every pending invitation the filters select.
func (s *Server) adminInvitationsCSV(w http.ResponseWriter, r *http.Request) {
	f := invitationFilter(r.URL.Query())
	f.PerPage = -1
	list, _, err := s.svc.Invitations.FindAdminInvitations(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := [][]string{{"id", "invited", "invitee_agent_id", "inviter_id", "inviter", "client", "sent", "expires", "resent"}}
	for _, inv := range list {
		invitee, resent := "", ""
		if inv.InviteeID != 0 {
			invitee = strconv.FormatInt(inv.InviteeID, 10)
		}
		if !inv.ResentAt.IsZero() {
			resent = inv.ResentAt.UTC().Format(time.RFC3339)
		}
		rows = append(rows, []string{strconv.FormatInt(inv.ID, 10), inv.Invitee(), invitee, strconv.FormatInt(inv.InviterID, 10),
			inv.InviterName, patchwork.ClientRef(inv.ClientID), inv.CreatedAt.UTC().Format(time.RFC3339),
			inv.ExpiresAt.UTC().Format(time.RFC3339), resent})
	}
	writeCSV(w, "invitations.csv", rows)
}

// resendInvitation emails the invitation in the path again and goes back
// to the list it was sent from; a refusal that is no missing record (no
// longer pending, to an agent, too soon) is shown above the list.
func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	back := "/admin/invitations"
	if b := safeNext(r.PostFormValue("back")); strings.HasPrefix(b, back) {
		back = b
	}
	err := s.svc.Invitations.ResendInvitation(r.Context(), id)
	switch code := patchwork.ErrorCode(err); code {
	case "":
		s.sessions.Put(r.Context(), "flash", "The invitation was emailed again, with the same link. It still expires when it did.")
		http.Redirect(w, r, back, http.StatusSeeOther)
	case patchwork.ECONFLICT, patchwork.ETOOMANYREQUEST:
		status := http.StatusConflict
		if code == patchwork.ETOOMANYREQUEST {
			status = http.StatusTooManyRequests
		}
		u, _ := url.Parse(back)
		s.renderInvitations(w, r, status, patchwork.ErrorMessage(err), u.Query())
	default:
		s.fail(w, r, err)
	}
}
