package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

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

// agenciesData is the phone book's list of agencies.
type agenciesData struct {
	Agencies   []*patchwork.Agency
	Total      int // how many match the filters
	Filtered   bool
	Page       int
	Pages      []pageLink
	Prev, Next string
	Sectors    []string
}

// listAgencies is the phone book's agencies, filtered by name and sector, a
// page at a time (a statewide network has thousands). Which are listed
// and under what name is decided by the store (FindListedAgencies).
func (s *Server) listAgencies(w http.ResponseWriter, r *http.Request) {
	form := cleanFilters(r.URL.Query(), "q", "sector")
	f := patchwork.AgencyListFilter{Name: form.Get("q"), Sector: form.Get("sector"), Limit: patchwork.AgencyListSize}
	d := agenciesData{Sectors: patchwork.Sectors, Filtered: f.Name != "" || f.Sector != ""}
	pages, err := findPage(r, &d.Page, patchwork.AgencyListSize, func(offset int) (err error) {
		f.Offset = offset
		d.Agencies, d.Total, err = s.svc.Agencies.FindListedAgencies(r.Context(), f)
		return err
	}, &d.Total)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Pages, d.Prev, d.Next = paginate(d.Page, pages, func(n int) string { return filteredURL("/agencies", form, n) })
	s.render(w, r, http.StatusOK, "agencies", &page{Form: form, Data: d})
}

// cleanFilters reads a list's filter fields from its query: each one line
// of valid UTF-8, "q" (a name) at most patchwork.MaxSearchLength
// characters.
func cleanFilters(q url.Values, keys ...string) url.Values {
	form := url.Values{}
	for _, k := range keys {
		form.Set(k, patchwork.CleanLine(strings.ToValidUTF8(strings.ReplaceAll(q.Get(k), "\x00", ""), "")))
	}
	if rs := []rune(form.Get("q")); len(rs) > patchwork.MaxSearchLength {
		form.Set("q", string(rs[:patchwork.MaxSearchLength]))
	}
	return form
}

// findPage loads the page of a list that the request's "page" asks for
// (counting from 1), size items a page, into *cur: load reads the items
// from offset and sets *total to how many there are in all. A page past
// the end (an old link) shows the last page. It returns how many pages
// there are.
func findPage(r *http.Request, cur *int, size int, load func(offset int) error, total *int) (int, error) {
	*cur, _ = strconv.Atoi(r.URL.Query().Get("page"))
	*cur = max(*cur, 1)
	for {
		if err := load((*cur - 1) * size); err != nil {
			return 0, err
		}
		pages := max(1, (*total+size-1)/size)
		if *cur <= pages {
			return pages, nil
		}
		*cur = pages
	}
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
	// The staff come through the phone book's own rules (FindAgents): a
	// sensitive agency's staff under its generic label and contact route.
	staff, total, err := s.svc.Agents.FindAgents(r.Context(), patchwork.PhoneBookFilter{AgencyID: id, Limit: agencyStaffShown})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agency", &page{Data: agencyData{Agency: g, Staff: staff, StaffTotal: total,
		AllStaff: peopleURL(url.Values{"agency": {strconv.FormatInt(id, 10)}}, 1)}})
}

// agencyStaffShown is how many of an agency's staff its page lists; the
// phone book's list of people, filtered by the agency, has them all.
const agencyStaffShown = 50

// agencyData is an agency's phone-book page.
type agencyData struct {
	Agency     *patchwork.Agency
	Staff      []*patchwork.Agent
	StaffTotal int
	AllStaff   string // the phone book's people filtered by this agency
}

// phoneBookPageSize is how many people the phone book lists at once.
const phoneBookPageSize = 20

// agencyChoices is the most agencies the people filter offers in a list.
const agencyChoices = 200

// peopleData is the phone book's list of people.
type peopleData struct {
	People     []*patchwork.Agent
	Total      int // how many match the filters
	Filtered   bool
	Page       int
	Pages      []pageLink
	Prev, Next string
	Agencies   []*patchwork.Agency // to filter by, as the caller may see them; none when too many
	Agency     *patchwork.Agency   // the agency filtered by, when there are too many to choose from
	Sectors    []string
	Areas      []*patchwork.Area
}

// listPeople is the phone book's people, filtered by name, agency, sector
// and area, a page at a time. Whom it shows and how is decided by the
// store (FindAgents), as for search.
func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) {
	form := cleanFilters(r.URL.Query(), "q", "agency", "sector", "area")
	f := patchwork.PhoneBookFilter{Name: form.Get("q"), Sector: form.Get("sector"), Limit: phoneBookPageSize}
	f.AgencyID, f.AreaID = formID(form.Get("agency")), formID(form.Get("area"))
	d := peopleData{Sectors: patchwork.Sectors, Filtered: f.Name != "" || f.AgencyID != 0 || f.Sector != "" || f.AreaID != 0}
	pages, err := findPage(r, &d.Page, phoneBookPageSize, func(offset int) (err error) {
		f.Offset = offset
		d.People, d.Total, err = s.svc.Agents.FindAgents(r.Context(), f)
		return err
	}, &d.Total)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Pages, d.Prev, d.Next = paginate(d.Page, pages, func(n int) string { return peopleURL(form, n) })
	// The agencies to choose from, unless there are too many for a list
	// (a statewide network has thousands): then an agency's staff are
	// reached from its page, and a filter by agency names the agency.
	var listed int
	if d.Agencies, listed, err = s.svc.Agencies.FindListedAgencies(r.Context(), patchwork.AgencyListFilter{Limit: agencyChoices}); err != nil {
		s.fail(w, r, err)
		return
	}
	if listed > agencyChoices {
		d.Agencies = nil
		if f.AgencyID != 0 {
			g, err := s.svc.Agencies.FindAgencyByID(r.Context(), f.AgencyID)
			if err != nil && patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				s.fail(w, r, err)
				return
			}
			d.Agency = g // nil for an agency not listed: it has no staff to show
		}
	}
	all, err := s.svc.Areas.FindAreas(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range all {
		if a.Kind != patchwork.AreaNetwork {
			d.Areas = append(d.Areas, a)
		}
	}
	s.render(w, r, http.StatusOK, "people", &page{Form: form, Data: d})
}

// peopleURL is the list of people with the filters of form and a page,
// leaving out what is empty.
func peopleURL(form url.Values, page int) string { return filteredURL("/people", form, page) }

// filteredURL is the list at path with the filters of form and a page,
// leaving out what is empty.
func filteredURL(path string, form url.Values, page int) string {
	v := url.Values{}
	for k, vs := range form {
		if len(vs) > 0 && vs[0] != "" {
			v.Set(k, vs[0])
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// formID reads an id chosen in a filter; anything else chooses nothing.
func formID(s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}
