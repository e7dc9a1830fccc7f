package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"patchwork"
)

// TestDashboardManyTeams: an agent on 45 teams gets 20 cards a page with
// pagination, can filter by name and sort by recent activity, name or open
// attentions; each card shows the date of birth, area and open attentions;
// a filter never shows a client whose team the agent is not on; the
// agent's own actions read "You …".
func TestDashboardManyTeams(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann := e.MustAgent(t, "Ann Anchor", e.Council, e.LocalA)
		other := e.MustAgent(t, "Oscar Other", e.Council, e.LocalA)
		ids := map[string]int64{}
		for i := 1; i <= 45; i++ {
			last := fmt.Sprintf("Zed%02d", i)
			c := e.MustCreateClient(t, ann, &patchwork.Client{FirstName: "Kid", LastName: last,
				DateOfBirth: fmt.Sprintf("2015-01-%02d", i%28+1), AreaIDs: []int64{e.LocalA.ID}})
			ids[last] = c.ID
		}
		e.MustClient(t, other, "Kid", "Zed99hidden", "2015-02-02")
		joined := e.MustClient(t, other, "Jo", "Joinedlater", "2013-04-05")
		e.MustJoin(t, ann, joined)
		b := e.signedIn(t, ann)
		cards := func(body string) int { return strings.Count(body, `<li class="pw-card">`) }
		firstCard := func(body string) string {
			i := strings.Index(body, `<li class="pw-card">`)
			if i < 0 {
				return ""
			}
			return body[i : i+strings.Index(body[i:], "</li>")]
		}
		zed10 := "/clients/" + strconv.FormatInt(ids["Zed10"], 10)
		runScenarios(t,
			scenario{name: "first page", as: b, path: "/", status: http.StatusOK,
				contains: []string{"My teams (46)", `<nav class="govuk-pagination"`, `href="/?page=2" rel="next"`, `aria-label="Page 3"`,
					`aria-current="page">1</a>`, "Born ", " · Ashford", "You added this client", "You joined the team",
					`<label class="govuk-label" for="q">Filter by name</label>`, `<label class="govuk-label" for="sort">Sort by</label>`},
				notContains: []string{"Zed99hidden"},
				after: func(t *testing.T, r response) {
					if n := cards(r.body); n != 20 {
						t.Fatalf("first page shows %d cards, want 20", n)
					}
					if c := firstCard(r.body); !strings.Contains(c, "Jo Joinedlater") {
						t.Fatalf("the most recently active client is not first:\n%s", c)
					}
				}},
			scenario{name: "last page", as: b, path: "/?page=3", status: http.StatusOK,
				contains: []string{`href="/?page=2" rel="prev"`, `aria-current="page">3</a>`}, notContains: []string{`rel="next"`},
				after: func(t *testing.T, r response) {
					if n := cards(r.body); n != 6 {
						t.Fatalf("last page shows %d cards, want 6", n)
					}
				}},
			scenario{name: "a page past the end is the last", as: b, path: "/?page=99", status: http.StatusOK,
				contains: []string{`aria-current="page">3</a>`}},
			scenario{name: "by name", as: b, path: "/?sort=name", status: http.StatusOK,
				contains: []string{`<option value="name" selected>Name</option>`, `href="/?page=2&amp;sort=name" rel="next"`},
				after: func(t *testing.T, r response) {
					if c := firstCard(r.body); !strings.Contains(c, "Jo Joinedlater") {
						t.Fatalf("by name, Jo Joinedlater is not first:\n%s", c)
					}
					if !strings.Contains(r.body, "Kid Zed01") || strings.Index(r.body, "Kid Zed01") > strings.Index(r.body, "Kid Zed02") {
						t.Fatal("by name, Kid Zed01 does not come before Kid Zed02")
					}
				}},
			scenario{name: "filter", as: b, path: "/?q=zed07", status: http.StatusOK,
				contains: []string{"1 client matches", "Kid Zed07", `value="zed07"`}, notContains: []string{`<nav class="govuk-pagination"`},
				after: func(t *testing.T, r response) {
					if n := cards(r.body); n != 1 {
						t.Fatalf("the filter zed07 shows %d cards, want 1", n)
					}
				}},
			scenario{name: "a filter never finds another team's client", as: b, path: "/?q=hidden", status: http.StatusOK,
				contains: []string{"0 clients match", `href="/search?q=hidden"`}, notContains: []string{"Zed99hidden"},
				after: func(t *testing.T, r response) {
					if n := cards(r.body); n != 0 {
						t.Fatalf("the filter hidden shows %d cards, want none", n)
					}
				}},
			scenario{name: "raise an attention", as: b, method: "POST", path: zed10 + "/attentions",
				form: url.Values{"category": {"update"}, "message": {"Moved school."}}, status: http.StatusSeeOther},
			scenario{name: "by open attentions", as: b, path: "/?sort=attentions", status: http.StatusOK,
				contains: []string{"Open attentions (1)"},
				after: func(t *testing.T, r response) {
					if c := firstCard(r.body); !strings.Contains(c, "Kid Zed10") || !strings.Contains(c, "1 open attention") {
						t.Fatalf("by open attentions, Kid Zed10 and its attention are not first:\n%s", c)
					}
				}},
		)
		// The side column (attentions, activity) comes before the cards in
		// the page, so a phone shows it first.
		r := b.get("/")
		if i, j := strings.Index(r.body, `id="recent-activity"`), strings.Index(r.body, `<li class="pw-card">`); i < 0 || j < i {
			t.Errorf("recent activity at %d, the first card at %d: want the activity first", i, j)
		}
	})
}

// TestDashboardNoTeams: an agent on no team is led to search first.
func TestDashboardNoTeams(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Nina New", e.Council, e.LocalA)
		r := e.signedIn(t, a).get("/")
		r.must(t, http.StatusOK, "search for them first", `<form action="/search" method="get"`, `<label class="govuk-label govuk-label--s" for="first-search">`)
		main := r.body[strings.Index(r.body, "<main"):]
		if i, j := strings.Index(main, `id="first-search"`), strings.Index(main, `href="/clients/new"`); i < 0 || j < i {
			t.Errorf("the search box at %d, adding a client at %d: want search first", i, j)
		}
	})
}
