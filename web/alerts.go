package web

import "net/http"

// alerts lists what admins must look at, newest first: the audit log
// failing its scheduled check, with the verifier's report.
func (s *Server) alerts(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.Alerts.FindAlerts(r.Context(), 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "alerts", &page{Data: list})
}

// retention lists the clients on the retention review list, by reference.
func (s *Server) retention(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.Retention.FindRetentionReview(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "retention", &page{Data: list})
}
