package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"patchwork"
)

// The agencies an admin runs: a list with filters and a CSV export, a
// page per agency with its approval and suspension, and one form to add
// or edit an agency. Who may touch which agency is decided by the store
// (AgencyAdminService); these handlers only translate.

var agencyStatuses = []patchwork.Option{
	{Value: "", Label: "Any status"},
	{Value: patchwork.AgencyPending, Label: "Waiting for approval"},
	{Value: patchwork.AgencyActive, Label: "Active"},
	{Value: patchwork.AgencySuspended, Label: "Suspended"},
}

// agencyStatusLabel is how a status is shown.
func agencyStatusLabel(s string) string {
	return patchwork.OptionLabel(agencyStatuses, s)
}

// adminAgenciesData is what the agency list shows.
type adminAgenciesData struct {
	Agencies   []*patchwork.AdminAgency
	Total      int
	Sectors    []string
	Areas      []*patchwork.Area
	Statuses   []patchwork.Option
	Pages      []pageLink
	Prev, Next string
	Export     string
}

// agencyFilter reads the agency list's filters from the query; a value
// that is not one of the choices filters nothing.
func agencyFilter(q url.Values) patchwork.AgencyFilter {
	f := patchwork.AgencyFilter{Query: strings.TrimSpace(q.Get("q")), Status: q.Get("status")}
	if s, ok := patchwork.CanonicalSector(q.Get("sector")); ok {
		f.Sector = s
	}
	f.AreaID, _ = strconv.ParseInt(q.Get("area"), 10, 64)
	f.Page, _ = strconv.Atoi(q.Get("page"))
	switch f.Status {
	case patchwork.AgencyPending, patchwork.AgencyActive, patchwork.AgencySuspended:
	default:
		f.Status = ""
	}
	return f
}

// agencyFilterQuery is the query string of f's filters, without the page.
func agencyFilterQuery(f patchwork.AgencyFilter) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Query, "sector": f.Sector, "status": f.Status} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.AreaID != 0 {
		v.Set("area", strconv.FormatInt(f.AreaID, 10))
	}
	return v
}

// adminAgencies is the agency list: filters, a page of agencies, an export.
func (s *Server) adminAgencies(w http.ResponseWriter, r *http.Request) {
	f := agencyFilter(r.URL.Query())
	list, total, err := s.svc.AgencyAdmin.FindAgencyList(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	areas, err := s.svc.Areas.FindAreas(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := adminAgenciesData{Agencies: list, Total: total, Sectors: patchwork.Sectors, Statuses: agencyStatuses,
		Export: "/admin/agencies.csv?" + agencyFilterQuery(f).Encode()}
	for _, a := range areas {
		if a.Kind != patchwork.AreaNetwork {
			d.Areas = append(d.Areas, a)
		}
	}
	pages := (total + patchwork.AdminPageSize - 1) / patchwork.AdminPageSize
	d.Pages, d.Prev, d.Next = paginate(max(f.Page, 1), pages, func(n int) string {
		v := agencyFilterQuery(f)
		v.Set("page", strconv.Itoa(n))
		return "/admin/agencies?" + v.Encode()
	})
	s.render(w, r, http.StatusOK, "admin_agencies", &page{Form: r.URL.Query(), Data: d})
}

// adminAgenciesCSV exports every agency the filters select as CSV, each
// cell safe to open in a spreadsheet (writeCSV).
func (s *Server) adminAgenciesCSV(w http.ResponseWriter, r *http.Request) {
	f := agencyFilter(r.URL.Query())
	f.PerPage = -1
	list, _, err := s.svc.AgencyAdmin.FindAgencyList(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := [][]string{{"id", "name", "sector", "areas", "status", "sensitive", "generic_label", "publish_direct",
		"email_domain", "signup_domains", "active_agents", "created_at"}}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	for _, a := range list {
		g := a.Agency
		var areas []string
		for _, ar := range g.Areas {
			areas = append(areas, ar.Name)
		}
		rows = append(rows, []string{strconv.FormatInt(g.ID, 10), g.Name, g.Sector, strings.Join(areas, "; "), g.Status,
			yes(g.Sensitive), g.GenericLabel, yes(g.PublishDirect), g.EmailDomain, strings.Join(g.Domains, "; "),
			strconv.Itoa(a.Agents), a.CreatedAt.UTC().Format(time.RFC3339)})
	}
	writeCSV(w, "agencies.csv", rows)
}

// adminAgency is an agency's admin page.
func (s *Server) adminAgency(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	a, err := s.svc.AgencyAdmin.FindAdminAgency(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_agency", &page{Data: a})
}

// agencyFormData is what the add and edit forms show.
type agencyFormData struct {
	Action, Title, Submit, Back string
	New                         bool
	Sectors                     []string
	Areas                       []*patchwork.Area // the local areas the caller may choose
	Statuses                    []patchwork.Option
}

// agencyForm renders the add (id 0) or edit form with form's values.
func (s *Server) agencyForm(w http.ResponseWriter, r *http.Request, status int, id int64, name string, form url.Values,
	errs map[string]string) {
	areas, err := s.svc.Areas.FindAreas(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := patchwork.CallerFromContext(r.Context())
	d := agencyFormData{Sectors: patchwork.Sectors, Statuses: []patchwork.Option{
		{Value: patchwork.AgencyActive, Label: "Active now: its staff can sign up"},
		{Value: patchwork.AgencyPending, Label: "Waiting for approval: set it up first, approve it later"}}}
	// The choice offered is the caller's reach; the store checks it again.
	for _, a := range areas {
		if a.Kind == patchwork.AreaLocal && (c.Admin || slices.Contains(c.AdminDistricts, a.ParentID)) {
			d.Areas = append(d.Areas, a)
		}
	}
	if id == 0 {
		d.Action, d.Title, d.Submit, d.Back, d.New = "/admin/agencies", "Add an agency", "Add agency", "/admin/agencies", true
	} else {
		path := "/admin/agencies/" + strconv.FormatInt(id, 10)
		d.Action, d.Title, d.Submit, d.Back = path+"/edit", "Edit "+name, "Save changes", path
	}
	s.render(w, r, status, "admin_agency_form", &page{Form: form, Errors: errs, Data: d})
}

func (s *Server) newAgencyForm(w http.ResponseWriter, r *http.Request) {
	// Reaching the form at all is for admins only, which the gate checked;
	// an area admin's choice of areas is their districts'.
	s.agencyForm(w, r, http.StatusOK, 0, "", url.Values{"status": {patchwork.AgencyActive}}, nil)
}

// agencyFromForm reads the add and edit forms. Domains are one a line (or
// separated by commas or spaces).
func agencyFromForm(form url.Values) *patchwork.Agency {
	g := &patchwork.Agency{Name: form.Get("name"), Sector: form.Get("sector"), Phone: form.Get("phone"),
		Email: form.Get("email"), Address: form.Get("address"), ContactRoute: form.Get("contact_route"),
		Sensitive: form.Get("sensitive") == "yes", GenericLabel: form.Get("generic_label"),
		GenericEmail: form.Get("generic_email"), GenericPhone: form.Get("generic_phone"),
		PublishDirect: form.Get("publish_direct") == "yes", EmailDomain: form.Get("email_domain"), Status: form.Get("status"),
		Domains: strings.FieldsFunc(form.Get("domains"), func(r rune) bool {
			return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
		})}
	for _, v := range form["areas"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			g.Areas = append(g.Areas, &patchwork.Area{ID: id})
		} else {
			g.Areas = append(g.Areas, &patchwork.Area{ID: -1}) // no area: the store says so beside the field
		}
	}
	return g
}

// agencyToForm is the edit form's values for an agency as it is.
func agencyToForm(g *patchwork.Agency) url.Values {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return ""
	}
	v := url.Values{"name": {g.Name}, "sector": {g.Sector}, "phone": {g.Phone}, "email": {g.Email},
		"address": {g.Address}, "contact_route": {g.ContactRoute}, "sensitive": {yes(g.Sensitive)},
		"generic_label": {g.GenericLabel}, "generic_email": {g.GenericEmail}, "generic_phone": {g.GenericPhone},
		"publish_direct": {yes(g.PublishDirect)}, "email_domain": {g.EmailDomain}, "domains": {strings.Join(g.Domains, "\n")}}
	for _, a := range g.Areas {
		v.Add("areas", strconv.FormatInt(a.ID, 10))
	}
	return v
}

func (s *Server) createAgency(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, patchwork.Errorf(patchwork.EINVALID, "The form could not be read."))
		return
	}
	g := agencyFromForm(r.PostForm)
	if err := s.svc.AgencyAdmin.CreateAdminAgency(r.Context(), g); err != nil {
		if fields := patchwork.ErrorFields(err); fields != nil {
			s.agencyForm(w, r, http.StatusUnprocessableEntity, 0, "", r.PostForm, fields)
			return
		}
		s.fail(w, r, err)
		return
	}
	flash := "The agency was added."
	if g.Status == patchwork.AgencyPending {
		flash = "The agency was added. It takes no sign-ups until it is approved."
	}
	s.sessions.Put(r.Context(), "flash", flash)
	http.Redirect(w, r, "/admin/agencies/"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
}

func (s *Server) editAgencyForm(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	a, err := s.svc.AgencyAdmin.FindAdminAgency(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.agencyForm(w, r, http.StatusOK, id, a.Agency.Name, agencyToForm(a.Agency), nil)
}

func (s *Server) updateAgency(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, patchwork.Errorf(patchwork.EINVALID, "The form could not be read."))
		return
	}
	if err := s.svc.AgencyAdmin.UpdateAgency(r.Context(), id, agencyFromForm(r.PostForm)); err != nil {
		if fields := patchwork.ErrorFields(err); fields != nil {
			// The title keeps the agency's saved name, not the one typed.
			name := "the agency"
			if a, ferr := s.svc.AgencyAdmin.FindAdminAgency(r.Context(), id); ferr == nil {
				name = a.Agency.Name
			}
			s.agencyForm(w, r, http.StatusUnprocessableEntity, id, name, r.PostForm, fields)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "The agency's details were saved.")
	http.Redirect(w, r, "/admin/agencies/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// agencyAction runs one status change on the agency in the path and goes
// back to its page with the flash it returns; a change that does not fit
// the agency's status (a double click) is said there too.
func (s *Server) agencyAction(w http.ResponseWriter, r *http.Request, act func(id int64) (string, error)) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	flash, err := act(id)
	if patchwork.ErrorCode(err) == patchwork.ECONFLICT {
		flash, err = patchwork.ErrorMessage(err), nil
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", flash)
	http.Redirect(w, r, "/admin/agencies/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) approveAgency(w http.ResponseWriter, r *http.Request) {
	s.agencyAction(w, r, func(id int64) (string, error) {
		return "The agency was approved: its staff can now sign up.", s.svc.AgencyAdmin.ApproveAgency(r.Context(), id)
	})
}

func (s *Server) suspendAgency(w http.ResponseWriter, r *http.Request) {
	s.agencyAction(w, r, func(id int64) (string, error) {
		n, err := s.svc.AgencyAdmin.SuspendAgency(r.Context(), id)
		return "The agency was suspended: " + plural(n, "agent was", "agents were") +
			" signed out and taken off their teams, and each team was told.", err
	})
}

func (s *Server) unsuspendAgency(w http.ResponseWriter, r *http.Request) {
	s.agencyAction(w, r, func(id int64) (string, error) {
		n, err := s.svc.AgencyAdmin.UnsuspendAgency(r.Context(), id)
		return "The suspension was lifted: " + plural(n, "agent", "agents") +
			" can sign in again and are back on the teams it took them off; each team was told.", err
	})
}
