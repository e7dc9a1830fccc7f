package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"patchwork"
)

// dashboardPageSize is how many client cards the dashboard shows at once:
// an agent on 80 teams gets pages, not a 6,500 px list.
const dashboardPageSize = 20

// dashboardSorts are the orders the dashboard offers, the first the default.
var dashboardSorts = []patchwork.Option{
	{Value: "activity", Label: "Recent activity"},
	{Value: "name", Label: "Name"},
	{Value: "attentions", Label: "Open attentions"},
}

// dashboardData is what the dashboard shows.
type dashboardData struct {
	Clients    []*patchwork.ClientSummary // this page's cards
	Total      int                        // the caller's teams
	Matching   int                        // of those, the ones the filter keeps
	Filter     string
	Sort       string
	Sorts      []patchwork.Option
	Page       int
	Pages      []pageLink // the pagination's numbered links, empty on one page
	Prev, Next string     // the neighbouring pages' URLs, "" at either end
	Activity   []*patchwork.Activity
	Attentions []*patchwork.Attention
	// Invitations are the caller's own pending invitations, with links.
	Invitations []*patchwork.Invitation
	// Upcoming are the caller's next contacts from today on; Past the ones
	// whose date has gone by, to ask whether they happened.
	Upcoming, Past []*patchwork.PlannedContact
	// Reviews are the caller's memberships to confirm or leave.
	Reviews []*patchwork.MembershipReview
}

// pageLink is one numbered link of the GOV.UK pagination component; an
// ellipsis item has no URL.
type pageLink struct {
	Number  int
	URL     string
	Current bool
}

// dashboard lists the caller's clients, filtered by name, sorted and a page
// at a time. The list comes from FindMyClients, so a filter only narrows the
// caller's own teams and can never bring in anyone else's client.
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
	invs, err := s.svc.Invitations.FindMyInvitations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	planned, err := s.svc.Team.FindMyPlannedContacts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reviews, err := s.svc.Team.FindMyReviews(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	d := dashboardData{Invitations: invs, Reviews: reviews, Total: len(clients), Filter: patchwork.CleanLine(strings.ToValidUTF8(q.Get("q"), "")), Sort: q.Get("sort"),
		Sorts: dashboardSorts, Activity: act, Attentions: atts}
	if !slices.ContainsFunc(dashboardSorts, func(o patchwork.Option) bool { return o.Value == d.Sort }) {
		d.Sort = dashboardSorts[0].Value
	}
	for _, p := range planned {
		if t, ok := dayOf(p.On); ok && daysFromToday(t, s.now()) < 0 {
			d.Past = append(d.Past, p)
		} else {
			d.Upcoming = append(d.Upcoming, p)
		}
	}
	shown := filterClients(clients, d.Filter)
	sortClients(shown, d.Sort)
	d.Matching = len(shown)
	pages := max(1, (len(shown)+dashboardPageSize-1)/dashboardPageSize)
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = min(max(d.Page, 1), pages)
	d.Clients = shown[(d.Page-1)*dashboardPageSize : min(len(shown), d.Page*dashboardPageSize)]
	d.Pages, d.Prev, d.Next = paginate(d.Page, pages, func(n int) string { return dashboardURL(d.Filter, d.Sort, n) })
	s.render(w, r, http.StatusOK, "dashboard", s.guided(r, &page{Form: url.Values{"q": {d.Filter}, "sort": {d.Sort}}, Data: d}, onDashboard))
}

// filterClients keeps the clients whose name holds every word of filter,
// ignoring case.
func filterClients(clients []*patchwork.ClientSummary, filter string) []*patchwork.ClientSummary {
	words := strings.Fields(strings.ToLower(filter))
	if len(words) == 0 {
		return clients
	}
	var out []*patchwork.ClientSummary
	for _, c := range clients {
		name := strings.ToLower(c.Name)
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(name, w) }) {
			out = append(out, c)
		}
	}
	return out
}

// sortClients orders clients in place; they arrive most recently active
// first, which every other order keeps among equals.
func sortClients(clients []*patchwork.ClientSummary, by string) {
	switch by {
	case "name":
		slices.SortStableFunc(clients, func(a, b *patchwork.ClientSummary) int {
			return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		})
	case "attentions":
		slices.SortStableFunc(clients, func(a, b *patchwork.ClientSummary) int { return cmp.Compare(b.OpenAttentions, a.OpenAttentions) })
	}
}

// dashboardURL is the dashboard with a filter, an order and a page, leaving
// out what is the default.
func dashboardURL(filter, sort string, page int) string {
	v := url.Values{}
	if filter != "" {
		v.Set("q", filter)
	}
	if sort != dashboardSorts[0].Value {
		v.Set("sort", sort)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// listPaging is the page links of an admin list, for the pagination
// partial.
type listPaging struct {
	Pages      []pageLink
	Prev, Next string
}

// pageOf is the links of page cur of a list of total rows,
// patchwork.AdminPageSize a page; link(n) is page n's URL.
func pageOf(cur, total int, link func(n int) string) listPaging {
	var p listPaging
	pages := (total + patchwork.AdminPageSize - 1) / patchwork.AdminPageSize
	p.Pages, p.Prev, p.Next = paginate(max(cur, 1), pages, link)
	return p
}

// queryPage reads the page number under key of q (counting from 1).
func queryPage(q url.Values, key string) int {
	n, _ := strconv.Atoi(q.Get(key))
	return max(n, 1)
}

// paginate builds the GOV.UK pagination's links: the first and last pages,
// the current one and its neighbours, ellipses between.
func paginate(cur, pages int, link func(int) string) (items []pageLink, prev, next string) {
	if pages <= 1 {
		return nil, "", ""
	}
	if cur > 1 {
		prev = link(cur - 1)
	}
	if cur < pages {
		next = link(cur + 1)
	}
	for n := 1; n <= pages; n++ {
		switch {
		case n == 1 || n == pages || (n >= cur-1 && n <= cur+1):
			items = append(items, pageLink{Number: n, URL: link(n), Current: n == cur})
		case len(items) > 0 && items[len(items)-1].URL != "":
			items = append(items, pageLink{}) // an ellipsis
		}
	}
	return items, prev, next
}
