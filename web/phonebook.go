package web

import (
	"net/http"

	"patchwork"
)

// agentData is an agent's phone-book page.
type agentData struct {
	Agent  *patchwork.Agent
	Shared []*patchwork.ClientSummary
}

func (s *Server) showAgent(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	a, err := s.svc.Agents.FindAgentByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	shared, err := s.svc.Agents.FindSharedClients(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agent", &page{Data: agentData{Agent: a, Shared: shared}})
}

func (s *Server) listAgencies(w http.ResponseWriter, r *http.Request) {
	gs, err := s.svc.Agencies.FindAgencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agencies", &page{Data: gs})
}

func (s *Server) showAgency(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	g, err := s.svc.Agencies.FindAgencyByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agency", &page{Data: g})
}
