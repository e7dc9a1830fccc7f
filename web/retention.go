package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"patchwork"
)

// The retention page: clients listed for erasure and agents warned for
// not signing in, each list a page at a time (?page= and ?agents=) and
// each with its CSV export.

// retentionView is the retention page.
type retentionView struct {
	Clients                     []*patchwork.RetentionItem
	Agents                      []*patchwork.InactiveAgent
	ClientTotal, AgentTotal     int
	ClientPaging, AgentPaging   listPaging
	ClientsExport, AgentsExport string
}

// retention lists the clients on the retention review list, by reference,
// and the agents warned that they will be deactivated.
func (s *Server) retention(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	clientPage, agentPage := queryPage(q, "page"), queryPage(q, "agents")
	list, clientTotal, err := s.svc.Retention.FindRetentionReview(ctx, clientPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agents, agentTotal, err := s.svc.Inactivity.FindInactiveAgents(ctx, agentPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	link := twoListLink("/admin/retention", "agents")
	d := &retentionView{Clients: list, Agents: agents, ClientTotal: clientTotal, AgentTotal: agentTotal,
		ClientsExport: "/admin/retention.csv", AgentsExport: "/admin/retention-agents.csv",
		ClientPaging: pageOf(clientPage, clientTotal, func(n int) string { return link(n, agentPage) }),
		AgentPaging:  pageOf(agentPage, agentTotal, func(n int) string { return link(clientPage, n) + "#agents" })}
	s.render(w, r, http.StatusOK, "retention", &page{Data: d})
}

// retentionCSV exports every client listed for erasure: by reference only,
// as the page shows them.
func (s *Server) retentionCSV(w http.ResponseWriter, r *http.Request) {
	header := []string{"client", "listed", "erased_on"}
	s.streamCSV(w, r, "retention-clients.csv", header, func(write func(...string) error) error {
		return s.svc.Retention.ExportRetentionReview(r.Context(), func(it *patchwork.RetentionItem) error {
			return write(patchwork.ClientRef(it.ClientID), csvTime(it.FlaggedAt), it.EraseOn.UTC().Format(time.DateOnly))
		})
	})
}

// retentionAgentsCSV exports every agent warned for not signing in.
func (s *Server) retentionAgentsCSV(w http.ResponseWriter, r *http.Request) {
	header := []string{"agent_id", "name", "agency", "last_sign_in", "warned", "deactivated_on"}
	s.streamCSV(w, r, "retention-agents.csv", header, func(write func(...string) error) error {
		return s.svc.Inactivity.ExportInactiveAgents(r.Context(), func(a *patchwork.InactiveAgent) error {
			return write(strconv.FormatInt(a.AgentID, 10), a.Name, a.Agency, csvTime(a.LastSignIn), csvTime(a.WarnedAt),
				a.DeactivateOn.UTC().Format(time.DateOnly))
		})
	})
}

// twoListLink returns the links of a page holding two paged lists: the
// first list's page in "page", the second's in second, each link keeping
// the other list's page.
func twoListLink(path, second string) func(first, other int) string {
	return func(first, other int) string {
		v := url.Values{}
		if first > 1 {
			v.Set("page", strconv.Itoa(first))
		}
		if other > 1 {
			v.Set(second, strconv.Itoa(other))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
}
