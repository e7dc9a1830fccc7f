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

// alertsData is the alerts page: a page of alerts, newest first.
type alertsData struct {
	Alerts []*alertView
	Total  int
	Paging listPaging
	Export string
}

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
	n := queryPage(r.URL.Query(), "page")
	list, total, err := s.svc.Alerts.FindAlerts(r.Context(), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := alertsData{Total: total, Export: "/admin/alerts.csv",
		Paging: pageOf(n, total, func(n int) string { return "/admin/alerts?page=" + strconv.Itoa(n) })}
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
	d.Alerts = views
	s.render(w, r, http.StatusOK, "alerts", &page{Data: d})
}

// alertsCSV exports every alert in the caller's reach, with what the page
// shows of each.
func (s *Server) alertsCSV(w http.ResponseWriter, r *http.Request) {
	header := []string{"id", "at", "kind", "what", "agent_id", "agent", "day", "count", "detail"}
	s.streamCSV(w, r, "alerts.csv", header, func(write func(...string) error) error {
		return s.svc.Alerts.ExportAlerts(r.Context(), func(a *patchwork.Alert) error {
			agent, day, count := "", "", ""
			if a.AgentID != 0 {
				agent, count = strconv.FormatInt(a.AgentID, 10), strconv.Itoa(a.Count)
			}
			if !a.Day.IsZero() {
				day = a.Day.UTC().Format(time.DateOnly)
			}
			what := alertTitles[a.Kind]
			if what == "" {
				what = a.Kind
			}
			return write(strconv.FormatInt(a.ID, 10), csvTime(a.At), a.Kind, what, agent, a.AgentName, day, count, a.Detail)
		})
	})
}
