package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestChangeClientDetails(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Edna Editor", e.Council, e.LocalA)
		b := e.MustAgent(t, "Bert Bystander", e.Council, e.LocalA)
		cl := e.MustClient(t, a, "Nora", "Winterbottom", "2011-07-08")
		e.MustJoin(t, b, cl)
		client := "/clients/" + strconv.FormatInt(cl.ID, 10)
		ab, bb := e.signedIn(t, a), e.signedIn(t, b)
		updates := func(want int, who string) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				t.Helper()
				if n := count(t, e, `SELECT COUNT(*) FROM notifications WHERE kind = 'client.updated'`+who); n != want {
					t.Fatalf("%d client.updated notifications%s, want %d", n, who, want)
				}
			}
		}
		good := url.Values{"first_name": {"Nora"}, "last_name": {"Summerfield"}, "date_of_birth": {"08/07/2011"},
			"address": {"9 New Road"}, "postcode": {"AB1 2CD"}, "phone": {"01234 567890"}, "aliases": {"Nora Winterbottom"}}
		runScenarios(t,
			scenario{name: "form", as: ab, path: client + "/edit", status: http.StatusOK,
				contains: []string{`value="Nora"`, `value="08/07/2011"`, "1 Test Street"}},
			scenario{name: "bad date", as: ab, method: "POST", path: client + "/edit",
				form:   url.Values{"first_name": {"Nora"}, "last_name": {"Winterbottom"}, "date_of_birth": {"32/01/2011"}, "address": {"9 New Road"}},
				status: http.StatusUnprocessableEntity, contains: []string{"Date of birth must be a real date", `value="32/01/2011"`, "9 New Road"},
				after: updates(0, "")},
			scenario{name: "nothing changed", as: ab, path: client, status: http.StatusOK, contains: []string{"1 Test Street"},
				notContains: []string{"9 New Road"}},
			scenario{name: "save", as: ab, method: "POST", path: client + "/edit", form: good, status: http.StatusSeeOther,
				location: client, after: updates(1, " AND agent_id = "+strconv.FormatInt(b.ID, 10))},
			scenario{name: "the trail names fields, never values", as: ab, path: client, status: http.StatusOK,
				contains:    []string{"Nora Summerfield", "9 New Road", "You changed name, other names, address"},
				notContains: []string{"changed name, other names, address ("},
				after: func(t *testing.T, r response) {
					// Once under the name, once in the details.
					if n := strings.Count(r.body, "Winterbottom"); n != 2 {
						t.Fatalf("Winterbottom shown %d times, want twice (as the other name, under the name and in the details)", n)
					}
				}},
			// The search index follows the new name; the old one is an alias now.
			scenario{name: "found by the new name", as: bb, path: "/search?q=Summerfield&scope=network", status: http.StatusOK,
				contains: []string{"Nora Summerfield"}},
			scenario{name: "found by the old name", as: bb, path: "/search?q=Winterbottom&scope=network", status: http.StatusOK,
				contains: []string{"Nora Summerfield", "Also known as Nora Winterbottom"}},
			// Saving without changes tells nobody.
			scenario{name: "save without changes", as: ab, method: "POST", path: client + "/edit", form: good,
				status: http.StatusSeeOther, after: updates(1, "")},
		)
	})
}
