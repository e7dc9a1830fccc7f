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
