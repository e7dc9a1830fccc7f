package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"patchwork"
)

// adminLink is one page the admin home links to.
type adminLink struct {
	URL, Title, Description string
	SystemOnly              bool // for system admins; area admins are not shown it
}

// adminPages are the admin pages the home links to, in order. Every GET
// page under /admin/ without a path parameter is one of them
// (TestAdminHomeLinksEveryPage).
var adminPages = []adminLink{
	{"/admin/agents", "People", "Find agents by name, email, agency, area or status; deactivate, reactivate or move them; export the list.", false},
	{"/admin/agencies", "Agencies", "Find agencies by name, sector, area or status; approve, edit, suspend or reinstate them; export the list.", false},
	{"/admin/agencies/new", "Add an agency", "Set up an agency: its sector, areas, sign-up domains and, for a sensitive service, how it is shown.", false},
	{"/admin/areas", "Areas", "The network, its districts and their local areas: add, rename and move areas, see which agencies work in each, and import an area list.", false},
	{"/admin/clients/area", "Move a client to another area", "When a client moves: search then finds them in their new local area.", false},
	{"/admin/invitations", "Pending invitations", "Invitations onto client teams not yet accepted; email one to a new colleague again, with the same link.", false},
	{"/admin/duplicates", "Duplicate clients", "Likely duplicate records found by the duplicate check, to dismiss or merge.", false},
	{"/admin/clients/merge", "Merge two clients", "Merge a duplicate record into the one to keep: teams, attentions, activity and circle become one.", false},
	{"/admin/merges", "Merges", "Recent merges; undo one within 30 days.", false},
	{"/admin/access-requests", "Access requests", "People at no approved agency's domain who ask to use Patchwork: approve them for an agency, adding the domain, or refuse them.", true},
	{"/admin/imports", "Imports", "Agencies, agents and clients loaded from CSV files: progress, speed and the problems of each row.", true},
	{"/admin/emails", "Failed emails", "Emails the mail server refused or that failed after every retry, with the reason: send them again or discard them.", true},
	{"/admin/jobs", "Failed jobs", "Emails and other background jobs that failed after every retry.", true},
	{"/admin/retention", "Retention", "Clients with no team member for the retention period, and when each will be erased unless someone joins; agents who have not signed in, and when each will be deactivated.", true},
	{"/admin/alerts", "Alerts", "What needs an administrator: the audit log failing its hourly check, and unusual access by an agent.", false},
	{"/admin/stats", "Network statistics", "De-identified counts by network, district and local area, month by month, as a chart, a table and CSV.", true},
	{"/admin/audit", "Audit log", "Who viewed, searched for, joined or left which client, and every admin action; filter, export, and a client's access report.", true},
}

// adminHome links every admin page the caller may use.
func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) {
	c := patchwork.CallerFromContext(r.Context())
	var links []adminLink
	for _, l := range adminPages {
		if !l.SystemOnly || c.Admin {
			links = append(links, l)
		}
	}
	s.render(w, r, http.StatusOK, "admin_home", &page{Data: links})
}

// adminAgentsData is what the people list shows.
type adminAgentsData struct {
	Agents     []*patchwork.AdminAgent
	Total      int
	Agencies   []*patchwork.Agency
	Areas      []*patchwork.Area
	Statuses   []patchwork.Option
	Pages      []pageLink
	Prev, Next string
	Export     string // the CSV export's URL, with the same filters
}

var agentStatuses = []patchwork.Option{
	{Value: "", Label: "Any status"},
	{Value: patchwork.AgentStatusActive, Label: "Active"},
	{Value: patchwork.AgentStatusDeactivated, Label: "Deactivated"},
}

// agentFilter reads the people list's filters from the query; a value
// that is not one of the choices filters nothing.
func agentFilter(q url.Values) patchwork.AgentFilter {
	f := patchwork.AgentFilter{Query: strings.TrimSpace(q.Get("q")), Status: q.Get("status")}
	f.AgencyID, _ = strconv.ParseInt(q.Get("agency"), 10, 64)
	f.AreaID, _ = strconv.ParseInt(q.Get("area"), 10, 64)
	f.Page, _ = strconv.Atoi(q.Get("page"))
	if f.Status != patchwork.AgentStatusActive && f.Status != patchwork.AgentStatusDeactivated {
		f.Status = ""
	}
	return f
}

// filterQuery is the query string of f's filters, without the page.
func filterQuery(f patchwork.AgentFilter) url.Values {
	v := url.Values{}
	if f.Query != "" {
		v.Set("q", f.Query)
	}
	if f.AgencyID != 0 {
		v.Set("agency", strconv.FormatInt(f.AgencyID, 10))
	}
	if f.AreaID != 0 {
		v.Set("area", strconv.FormatInt(f.AreaID, 10))
	}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	return v
}

// adminAgents is the people list: filters, a page of agents, an export.
func (s *Server) adminAgents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := agentFilter(r.URL.Query())
	list, total, err := s.svc.Admin.FindAdminAgents(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agencies, err := s.svc.Admin.FindAdminAgencies(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	areas, err := s.svc.Areas.FindAreas(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := filterQuery(f)
	pages := (total + patchwork.AdminPageSize - 1) / patchwork.AdminPageSize
	d := adminAgentsData{Agents: list, Total: total, Agencies: agencies, Statuses: agentStatuses,
		Export: "/admin/agents.csv?" + q.Encode()}
	for _, a := range areas {
		if a.Kind != patchwork.AreaNetwork {
			d.Areas = append(d.Areas, a)
		}
	}
	d.Pages, d.Prev, d.Next = paginate(max(f.Page, 1), pages, func(n int) string {
		v := filterQuery(f)
		v.Set("page", strconv.Itoa(n))
		return "/admin/agents?" + v.Encode()
	})
	form := r.URL.Query()
	s.render(w, r, http.StatusOK, "admin_agents", &page{Form: form, Data: d})
}

// adminAgentsCSV exports every agent the filters select as CSV.
func (s *Server) adminAgentsCSV(w http.ResponseWriter, r *http.Request) {
	f := agentFilter(r.URL.Query())
	f.PerPage = -1
	list, _, err := s.svc.Admin.FindAdminAgents(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := [][]string{{"id", "name", "email", "role", "agency", "areas", "status", "last_sign_in"}}
	for _, a := range list {
		var areas []string
		for _, ar := range a.Agent.Areas {
			areas = append(areas, ar.Name)
		}
		status := patchwork.AgentStatusActive
		if !a.Agent.Active {
			status = patchwork.AgentStatusDeactivated
		}
		last := ""
		if !a.LastSignIn.IsZero() {
			last = a.LastSignIn.UTC().Format(time.RFC3339)
		}
		rows = append(rows, []string{strconv.FormatInt(a.Agent.ID, 10), a.Agent.Name, a.Agent.Email, a.Agent.Role,
			a.Agent.Agency.Name, strings.Join(areas, "; "), status, last})
	}
	writeCSV(w, "agents.csv", rows)
}

// adminAgentData is what an agent's admin page shows.
type adminAgentData struct {
	Agent    *patchwork.AdminAgent
	Agencies []*patchwork.Agency
}

func (s *Server) adminAgent(w http.ResponseWriter, r *http.Request) {
	s.renderAdminAgent(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderAdminAgent(w http.ResponseWriter, r *http.Request, status int, form url.Values, errs map[string]string) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	a, err := s.svc.Admin.FindAdminAgent(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agencies, err := s.svc.Admin.FindAdminAgencies(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if form == nil {
		form = url.Values{"agency_id": {strconv.FormatInt(a.Agent.AgencyID, 10)}}
	}
	s.render(w, r, status, "admin_agent", &page{Form: form, Errors: errs, Data: adminAgentData{Agent: a, Agencies: agencies}})
}

// adminAgentAction runs one admin action on the agent in the path and
// goes back to their page with flash.
func (s *Server) adminAgentAction(act func(r *http.Request, id int64) error, flash string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		if err := act(r, id); err != nil {
			if fields := patchwork.ErrorFields(err); fields != nil {
				s.renderAdminAgent(w, r, http.StatusUnprocessableEntity, r.PostForm, fields)
				return
			}
			s.fail(w, r, err)
			return
		}
		s.sessions.Put(r.Context(), "flash", flash)
		http.Redirect(w, r, "/admin/agents/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	}
}

func (s *Server) deactivateAgent(w http.ResponseWriter, r *http.Request) {
	s.adminAgentAction(func(r *http.Request, id int64) error {
		return s.svc.Admin.DeactivateAgent(r.Context(), id)
	}, "The agent was deactivated: they were signed out and taken off every team.")(w, r)
}

func (s *Server) reactivateAgent(w http.ResponseWriter, r *http.Request) {
	s.adminAgentAction(func(r *http.Request, id int64) error {
		return s.svc.Admin.ReactivateAgent(r.Context(), id)
	}, "The agent can sign in again. They are on no teams until they join again.")(w, r)
}

func (s *Server) moveAgent(w http.ResponseWriter, r *http.Request) {
	s.adminAgentAction(func(r *http.Request, id int64) error {
		if err := r.ParseForm(); err != nil {
			return patchwork.Invalid(map[string]string{"agency_id": "Select the agency to move them to"})
		}
		agency, err := strconv.ParseInt(r.PostForm.Get("agency_id"), 10, 64)
		if err != nil {
			return patchwork.Invalid(map[string]string{"agency_id": "Select the agency to move them to"})
		}
		return s.svc.Admin.MoveAgent(r.Context(), id, agency)
	}, "The agent was moved to another agency.")(w, r)
}
