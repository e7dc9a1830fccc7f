package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"patchwork"
)

// alertLink is a link from an alert to what lies behind it.
type alertLink struct{ Text, URL string }

// alertView is one alert as the alerts page shows it.
type alertView struct {
	*patchwork.Alert
	Title string
	Links []alertLink
}

// alertActions are the audit actions behind each unusual-access alert,
// with the words of the link to them.
var alertActions = map[string][]alertLink{
	patchwork.AlertTeamChurn:    {{"Their joins that day", patchwork.AuditTeamJoin}, {"Their leaves that day", patchwork.AuditTeamLeave}},
	patchwork.AlertOutsideViews: {{"Their client views that day", patchwork.AuditClientView}},
	patchwork.AlertSearchVolume: {{"Their searches that day", patchwork.AuditClientSearch}},
}

// alertTitles says what each kind of alert saw.
var alertTitles = map[string]string{
	patchwork.AlertAuditVerify:  "the audit log failed its check.",
	patchwork.AlertTeamChurn:    "an agent joined and then left many client teams.",
	patchwork.AlertOutsideViews: "an agent viewed many clients outside the districts of their areas.",
	patchwork.AlertSearchVolume: "an agent searched far more than the other agents that day.",
}

// auditRowsURL is the audit viewer filtered to one agent's rows of one
// action on one day: the rows behind an alert.
func auditRowsURL(agentID int64, action string, day time.Time) string {
	d := day.UTC().Format(time.DateOnly)
	q := url.Values{"actor": {strconv.FormatInt(agentID, 10)}, "action": {action}, "from": {d}, "to": {d}}
	return "/admin/audit?" + q.Encode()
}

// alerts lists what admins must look at, newest first: the audit log
// failing its scheduled check, with the verifier's report, and unusual
// access, each with links to the agent and to the audit rows behind it.
// An area admin sees only the alerts about agents of their districts, and
// may read those agents' rows.
func (s *Server) alerts(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.Alerts.FindAlerts(r.Context(), 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	views := make([]*alertView, len(list))
	for i, a := range list {
		v := &alertView{Alert: a, Title: alertTitles[a.Kind]}
		if v.Title == "" {
			v.Title = a.Kind
		}
		if a.AgentID != 0 {
			v.Links = append(v.Links, alertLink{"The agent's page", "/admin/agents/" + strconv.FormatInt(a.AgentID, 10)})
			for _, l := range alertActions[a.Kind] {
				v.Links = append(v.Links, alertLink{l.Text, auditRowsURL(a.AgentID, l.URL, a.Day)})
			}
		}
		views[i] = v
	}
	s.render(w, r, http.StatusOK, "alerts", &page{Data: views})
}

// retentionView is the retention page: clients listed for erasure and
// agents warned for not signing in.
type retentionView struct {
	Clients []*patchwork.RetentionItem
	Agents  []*patchwork.InactiveAgent
}

// retention lists the clients on the retention review list, by reference,
// and the agents warned that they will be deactivated.
func (s *Server) retention(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.Retention.FindRetentionReview(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agents, err := s.svc.Inactivity.FindInactiveAgents(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "retention", &page{Data: &retentionView{Clients: list, Agents: agents}})
}
