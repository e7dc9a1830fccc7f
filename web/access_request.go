package web

import (
	"net/http"
	"strconv"

	"patchwork"
)

// accessRequestsData is what the admin's access requests page shows.
type accessRequestsData struct {
	Requests []*patchwork.AccessRequest
	Agencies []*patchwork.Agency
	Names    map[int64]string // agency names by id, for decided requests
}

// accessRequests lists the access requests for admins: pending first, each
// with forms to approve it for an agency or refuse it.
func (s *Server) accessRequests(w http.ResponseWriter, r *http.Request) {
	reqs, err := s.svc.Signups.FindAccessRequests(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agencies, err := s.svc.Agencies.FindAgencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := accessRequestsData{Requests: reqs, Names: map[int64]string{}}
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
