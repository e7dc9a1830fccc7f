package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// TestAddClientFromSearch covers a practitioner who searched and found
// nobody: the "Add a client" link carries the names and the date they
// typed into the form, which shows how it read the date; then the
// duplicate check shows a namesake with another date of birth, labelled,
// with Join team through a ticket, and confirm_new=1 adds anyway.
func TestAddClientFromSearch(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Ada Adder", e.Council, e.LocalA)
		owner := e.MustAgent(t, "Otto Owner", e.Council, e.LocalB)
		olivia := e.MustClient(t, owner, "Olivia", "Brown", "2020-04-02")
		b := e.signedIn(t, a)
		join := "/clients/" + strconv.FormatInt(olivia.ID, 10) + "/join?t="
		carried := "/clients/new?date_of_birth=05%2F05%2F2015&amp;first_name=Zo%C3%AB&amp;last_name=O%27Neill"
		clients := func(want int) func(t *testing.T, r response) {
			return func(t *testing.T, r response) {
				t.Helper()
				if n := countClients(t, e); n != want {
					t.Fatalf("%d clients, want %d", n, want)
				}
			}
		}
		newBrown := url.Values{"first_name": {"Olivia"}, "last_name": {"Brown"}, "date_of_birth": {"5 May 2019"},
			"postcode": {"LS1 4AB"}, "area": {strconv.FormatInt(e.LocalA.ID, 10)}}
		confirmed := url.Values{"confirm_new": {"1"}}
		for k, v := range newBrown {
			confirmed[k] = v
		}
		runScenarios(t,
			scenario{name: "nobody found", as: b, path: "/search?q=" + url.QueryEscape("Zoë O'Neill 5 May 2015") + "&scope=network",
				status: http.StatusOK, contains: []string{"No clients found", `href="` + carried + `"`, "with the name and date of birth you typed"}},
			scenario{name: "the form filled in", as: b, path: "/clients/new?date_of_birth=05%2F05%2F2015&first_name=Zo%C3%AB&last_name=O%27Neill",
				status: http.StatusOK, contains: []string{`value="Zoë"`, `value="O&#39;Neill"`, `value="05/05/2015"`, "We read this as 5 May 2015"}},
			scenario{name: "a year only is not carried", as: b, path: "/search?q=hamish+mcbride+2019&scope=network",
				status: http.StatusOK, contains: []string{`href="/clients/new?first_name=hamish&amp;last_name=mcbride"`}},
			scenario{name: "too long or broken values are not filled in", as: b,
				path:   "/clients/new?first_name=%00Zo&last_name=%ff&date_of_birth=" + url.QueryEscape("123456789012345678901"),
				status: http.StatusOK, notContains: []string{`value="` + "\x00", "We read this as"}},
			scenario{name: "search shows the namesake born another year", as: b, path: "/search?q=olivia+brown+2019&scope=network",
				status: http.StatusOK, contains: []string{"Olivia Brown", "Possible match: same name · different date of birth", join}},
			scenario{name: "the duplicate check shows her too", as: b, method: "POST", path: "/clients", form: newBrown,
				status: http.StatusOK, contains: []string{"Is this your client?", "Olivia Brown", "Born 2 April 2020",
					"Possible match: same name · different date of birth", join, `name="confirm_new" value="1"`,
					"We read this as 5 May 2019", `value="5 May 2019"`},
				after: clients(1)},
			scenario{name: "confirm_new adds anyway", as: b, method: "POST", path: "/clients", form: confirmed,
				status: http.StatusSeeOther, locationPrefix: "/clients/", after: func(t *testing.T, r response) {
					clients(2)(t, r)
					if n := count(t, e, `SELECT COUNT(*) FROM clients WHERE date_of_birth = '2019-05-05' AND postcode = 'LS1 4AB'`); n != 1 {
						t.Fatalf("%d clients born 5 May 2019 at LS1 4AB, want 1", n)
					}
				}},
		)
	})
}

// TestClientFormDates covers the add-client and change-details forms
// reading every date format search reads, and the dates they refuse, each
// with its message beside the field and what was typed kept.
func TestClientFormDates(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Ada Adder", e.Council, e.LocalA)
		b := e.signedIn(t, a)
		surnames := []string{"Quarrington", "Vellacott", "Wolstenholme", "Xanthopoulos", "Yardley-Fenn", "Zamoyski"}
		var scs []scenario
		for i, typed := range []string{"5 May 2015", "5/5/2015", "05.05.2015", "2015-05-05", "5th May, 2015", "5-5-2015"} {
			last := surnames[i]
			scs = append(scs, scenario{name: "add " + typed, as: b, method: "POST", path: "/clients",
				form:   url.Values{"first_name": {"Ines"}, "last_name": {last}, "date_of_birth": {typed}, "confirm_new": {"1"}},
				status: http.StatusSeeOther, locationPrefix: "/clients/", after: func(t *testing.T, r response) {
					if n := count(t, e, `SELECT COUNT(*) FROM clients WHERE last_name = '`+last+`' AND date_of_birth = '2015-05-05'`); n != 1 {
						t.Fatalf("%q: %d clients %s born 2015-05-05, want 1", typed, n, last)
					}
				}})
		}
		for _, tc := range []struct{ typed, message string }{
			{"5/5/15", "Write the year in full: it could be 1915 or 2015"},
			{"31/02/2015", "Date of birth must be a real date"},
			{"5 May 2099", "Date of birth must be in the past"},
			{"5 May 1899", "Date of birth must be after 1900"},
			{"May 2015", "Enter the full date of birth"},
			{"soon", "Enter the date of birth as a date"},
		} {
			scs = append(scs, scenario{name: "refuse " + tc.typed, as: b, method: "POST", path: "/clients",
				form:   url.Values{"first_name": {"Ines"}, "last_name": {"Unwin"}, "date_of_birth": {tc.typed}},
				status: http.StatusUnprocessableEntity, contains: []string{tc.message, `id="date_of_birth-error"`, `value="` + tc.typed + `"`},
				notContains: []string{"We read this as"}, after: func(t *testing.T, r response) {
					if n := count(t, e, `SELECT COUNT(*) FROM clients WHERE last_name = 'Unwin'`); n != 0 {
						t.Fatalf("%q: client added", tc.typed)
					}
				}})
		}
		runScenarios(t, scs...)

		cl := e.MustClient(t, a, "Nora", "Winterbottom", "2011-07-08")
		edit := "/clients/" + strconv.FormatInt(cl.ID, 10) + "/edit"
		form := func(dob string) url.Values {
			return url.Values{"first_name": {"Nora"}, "last_name": {"Winterbottom"}, "date_of_birth": {dob}, "address": {"9 New Road"}}
		}
		runScenarios(t,
			scenario{name: "the form reads the stored date back", as: b, path: edit, status: http.StatusOK,
				contains: []string{`value="08/07/2011"`, "We read this as 8 July 2011"}},
			scenario{name: "an impossible date is refused", as: b, method: "POST", path: edit, form: form("8/13/2011"),
				status: http.StatusUnprocessableEntity, contains: []string{"Date of birth must be a real date", `value="8/13/2011"`, "9 New Road"}},
			scenario{name: "a two-digit year two centuries could mean", as: b, method: "POST", path: edit, form: form("8.7.11"),
				status: http.StatusUnprocessableEntity, contains: []string{"Write the year in full: it could be 1911 or 2011"}},
			scenario{name: "a date in words", as: b, method: "POST", path: edit, form: form("9 July 2011"),
				status: http.StatusSeeOther, after: func(t *testing.T, r response) {
					if n := count(t, e, `SELECT COUNT(*) FROM clients WHERE id = `+strconv.FormatInt(cl.ID, 10)+` AND date_of_birth = '2011-07-09'`); n != 1 {
						t.Fatal("9 July 2011 was not saved as 2011-07-09")
					}
				}},
		)
	})
}
