package web

import (
	"net/http"
	"strconv"

	"patchwork"
)

// accessRequestsData is what the admin's access requests page shows: a
// page of the pending requests, with their forms, and a page of those
// decided.
type accessRequestsData struct {
	Pending, Decided             []*patchwork.AccessRequest
	PendingTotal, DecidedTotal   int
	PendingPaging, DecidedPaging listPaging
	Agencies                     []*patchwork.Agency
	Names                        map[int64]string // agency names by id, for decided requests
	Export                       string
}

// accessRequests lists the access requests for admins: pending first, each
// with forms to approve it for an agency or refuse it, oldest first
// (?page=), then those decided, the latest first (?decided=).
func (s *Server) accessRequests(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	pendingPage, decidedPage := queryPage(q, "page"), queryPage(q, "decided")
	pending, pendingTotal, err := s.svc.Signups.FindAccessRequests(ctx, patchwork.AccessRequestFilter{Page: pendingPage})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	decided, decidedTotal, err := s.svc.Signups.FindAccessRequests(ctx, patchwork.AccessRequestFilter{Decided: true, Page: decidedPage})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agencies, err := s.svc.Agencies.FindAgencies(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := accessRequestsData{Pending: pending, Decided: decided, PendingTotal: pendingTotal, DecidedTotal: decidedTotal,
		Names: map[int64]string{}, Export: "/admin/access-requests.csv"}
	link := twoListLink("/admin/access-requests", "decided")
	d.PendingPaging = pageOf(pendingPage, pendingTotal, func(n int) string { return link(n, decidedPage) })
	d.DecidedPaging = pageOf(decidedPage, decidedTotal, func(n int) string { return link(pendingPage, n) + "#decided" })
	for _, g := range agencies {
		d.Names[g.ID] = g.Name
		// Only an active agency takes new staff (the store refuses the
		// others too).
		if g.Status == patchwork.AgencyActive {
			d.Agencies = append(d.Agencies, g)
		}
	}
	s.render(w, r, http.StatusOK, "access_requests", &page{Data: d})
}

// accessRequestsCSV exports every access request, pending then decided,
// with what the page shows of each.
func (s *Server) accessRequestsCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	agencies, err := s.svc.Agencies.FindAgencies(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, g := range agencies {
		names[g.ID] = g.Name
	}
	header := []string{"id", "email", "organisation", "manager", "manager_email", "reason", "status", "approved_for",
		"asked", "decided"}
	s.streamCSV(w, r, "access-requests.csv", header, func(write func(...string) error) error {
		return s.svc.Signups.ExportAccessRequests(ctx, func(a *patchwork.AccessRequest) error {
			return write(strconv.FormatInt(a.ID, 10), a.Email, a.AgencyName, a.ManagerName, a.ManagerEmail, a.Reason,
				a.Status, names[a.AgencyID], csvTime(a.CreatedAt), csvTime(a.DecidedAt))
		})
	})
}

// approveAccessRequest approves a request for the chosen agency and, if
// asked, adds the requester's domain to it.
func (s *Server) approveAccessRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	agencyID, err := strconv.ParseInt(r.PostFormValue("agency"), 10, 64)
	if err != nil || agencyID <= 0 {
		s.sessions.Put(r.Context(), "flash", "Choose the agency the requester works for, then approve.")
		http.Redirect(w, r, "/admin/access-requests", http.StatusSeeOther)
		return
	}
	if err := s.svc.Signups.ApproveAccessRequest(r.Context(), id, agencyID, r.PostFormValue("add_domain") == "yes"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "The request was approved. The requester has been emailed a link to finish signing up.")
	http.Redirect(w, r, "/admin/access-requests", http.StatusSeeOther)
}

// refuseAccessRequest refuses a request; the requester is emailed.
func (s *Server) refuseAccessRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	if err := s.svc.Signups.RefuseAccessRequest(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "The request was refused. The requester has been emailed.")
	http.Redirect(w, r, "/admin/access-requests", http.StatusSeeOther)
}
