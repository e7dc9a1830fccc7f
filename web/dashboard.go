package web

import (
	"net/http"

	"patchwork"
)

// dashboardData is what the dashboard shows.
type dashboardData struct {
	Clients    []*patchwork.ClientSummary
	Activity   []*patchwork.Activity
	Attentions []*patchwork.Attention
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	clients, err := s.svc.Clients.FindMyClients(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	act, err := s.svc.Clients.FindMyActivity(r.Context(), 15)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	atts, err := s.svc.Attentions.FindMyOpenAttentions(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", &page{Data: dashboardData{Clients: clients, Activity: act, Attentions: atts}})
}
