package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"patchwork/sqldb/sqldbtest"
)

func TestHealthAndHeaders(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		b := e.anonymous(t)
		r := b.get("/healthz")
		r.must(t, http.StatusOK, "ok")
		r = b.get("/login")
		r.must(t, http.StatusOK, "Sign in to Patchwork")
		for h, want := range map[string]string{
			"Content-Security-Policy": "script-src 'self'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
		} {
			if got := r.header.Get(h); !strings.Contains(got, want) {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Error("CSP does not forbid framing")
		}
		// Static files live at content-hashed URLs with a long cache life.
		css := regexp.MustCompile(`/static/[0-9a-f]+/app\.css`).FindString(r.body)
		if css == "" {
			t.Fatal("no hashed app.css link")
		}
		s := b.get(css)
		s.must(t, http.StatusOK, ".pw-card")
		if !strings.Contains(s.header.Get("Cache-Control"), "immutable") {
			t.Errorf("static Cache-Control = %q", s.header.Get("Cache-Control"))
		}
		b.get("/static/000000000000/app.css").must(t, http.StatusNotFound)
	})
}

func TestLogin(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Lena Login", e.Council, e.LocalA)
		b := e.anonymous(t)
		noCookie := func(t *testing.T, r response) {
			if c := r.header.Get("Set-Cookie"); c != "" {
				t.Fatalf("failed sign-in set a cookie: %s", c)
			}
		}
		failed := func(name, email, pw string) scenario {
			return scenario{name: name, as: b, method: "POST", path: "/login", form: url.Values{"email": {email}, "password": {pw}},
				status:   http.StatusUnauthorized,
				contains: []string{"Enter a correct email address and password", `value="` + email + `"`}, after: noCookie}
		}
		runScenarios(t,
			failed("wrong password", a.Email, "not the password"),
			failed("unknown email", "nobody@ashford.test", "whatever it is"),
			scenario{name: "still signed out", as: b, path: "/", status: http.StatusSeeOther, location: "/login"},
		)

		r := b.post("/login", url.Values{"email": {strings.ToUpper(a.Email)}, "password": {"correct horse battery"}})
		r.must(t, http.StatusSeeOther)
		if !strings.Contains(r.header.Get("Set-Cookie"), "patchwork_session=") || !strings.Contains(r.header.Get("Set-Cookie"), "HttpOnly") {
			t.Fatalf("session cookie = %q", r.header.Get("Set-Cookie"))
		}
		b.get("/").must(t, http.StatusOK, "My clients")
		// A cross-site form post is refused.
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, b.base+"/logout", nil)
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		b.do(req).must(t, http.StatusForbidden)
		b.get("/").must(t, http.StatusOK)
		b.post("/logout", nil).must(t, http.StatusSeeOther)
		b.get("/").must(t, http.StatusSeeOther)
	})
}

func TestLoginThrottle(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Tara Throttle", e.Council, e.LocalA)
		b := e.anonymous(t)
		for i := 0; i < 5; i++ {
			b.post("/login", url.Values{"email": {a.Email}, "password": {"wrong guess " + strconv.Itoa(i)}}).must(t, http.StatusUnauthorized)
		}
		// Even the right password is refused while the account is throttled.
		b.post("/login", url.Values{"email": {a.Email}, "password": {"correct horse battery"}}).
			must(t, http.StatusTooManyRequests, "Too many failed sign-in attempts")
	})
}

func TestAddClient(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Ada Adder", e.Council, e.LocalA)
		other := e.MustAgent(t, "Otto Other", e.Council, e.LocalB)
		b := e.signedIn(t, a)
		b.get("/clients/new").must(t, http.StatusOK, "Add a client", `name="first_name"`, `name="date_of_birth"`,
			`<option value="`+strconv.FormatInt(e.LocalA.ID, 10)+`" selected>Ashford</option>`)

		t.Run("bad input", func(t *testing.T) {
			r := b.post("/clients", url.Values{"first_name": {"Kit"}, "last_name": {""}, "date_of_birth": {"31/02/2015"},
				"phone": {"call me"}, "aliases": {"Kitty Marlowe"}})
			r.must(t, http.StatusUnprocessableEntity, "Enter the client&#39;s last name", "Date of birth must be a real date",
				"Enter a phone number", `value="Kit"`, `value="31/02/2015"`, "Kitty Marlowe", `id="last_name-error"`)
			if n := countClients(t, e); n != 0 {
				t.Fatalf("%d clients written after bad input", n)
			}
		})
		var firstID string
		t.Run("creates with either date format", func(t *testing.T) {
			r := b.post("/clients", url.Values{"first_name": {"Kit"}, "last_name": {"Marlowe"}, "date_of_birth": {"2015-02-03"},
				"address": {"2 Quay Street"}, "postcode": {"ab1 2cd"}, "phone": {"01632 960000"}, "aliases": {"Kitty Marlowe\r\n\r\nKit M"},
				"area": {strconv.FormatInt(e.LocalB.ID, 10)}})
			r.must(t, http.StatusSeeOther)
			if !regexp.MustCompile(`^/clients/\d+$`).MatchString(r.location) {
				t.Fatalf("location %q", r.location)
			}
			firstID = strings.TrimPrefix(r.location, "/clients/")
			b.get(r.location).must(t, http.StatusOK, "Kit Marlowe", "3 February 2015", "Kitty Marlowe, Kit M", "AB1 2CD",
				"Ada Adder (you)", "You added this client", "Bexley")
		})
		t.Run("possible duplicate is shown before creating", func(t *testing.T) {
			ob := e.signedIn(t, other)
			form := url.Values{"first_name": {"Kit"}, "last_name": {"Marlowe"}, "date_of_birth": {"03/02/2015"}}
			r := ob.post("/clients", form)
			r.must(t, http.StatusOK, "Is this your client?", "Kit Marlowe", "/clients/"+firstID+"/join?t=", `name="confirm_new" value="1"`)
			if strings.Contains(r.body, "2 Quay Street") {
				t.Fatal("duplicate check shows the address")
			}
			if n := countClients(t, e); n != 1 {
				t.Fatalf("clients = %d before confirming", n)
			}
			form.Set("confirm_new", "1")
			ob.post("/clients", form).must(t, http.StatusSeeOther)
			if n := countClients(t, e); n != 2 {
				t.Fatalf("clients = %d after confirming", n)
			}
		})
	})
}

func countClients(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRowForTest(`SELECT COUNT(*) FROM clients`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestJoinAndLeaveValidation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.MustAgent(t, "Mo Member", e.Council, e.LocalA)
		j := e.MustAgent(t, "Jay Joiner", e.Sensitive, e.LocalA)
		cl := e.MustClient(t, m, "Robin", "Ashdown", "2010-06-07")
		id := strconv.FormatInt(cl.ID, 10)
		jb := e.signedIn(t, j)
		tk := sqldbtest.MustTicket(t, e.DB, j, cl.ID)
		r := jb.post("/clients/"+id+"/join", url.Values{"t": {tk}, "basis": {"other"}})
		r.must(t, http.StatusUnprocessableEntity, "Confirm that you are working with this client", "Explain the lawful basis",
			`value="other" checked`, "Robin Ashdown", `name="t" value="`+tk+`"`)
		jb.post("/clients/"+id+"/join", url.Values{"t": {tk}, "basis": {"other"}, "basis_note": {"Court order"}, "declaration": {"yes"}}).
			must(t, http.StatusSeeOther)
		// Joining twice is refused without a second membership.
		jb.post("/clients/"+id+"/join", url.Values{"t": {tk}, "basis": {"consent"}, "declaration": {"yes"}}).must(t, http.StatusConflict)

		// A member of a sensitive agency appears under its generic label
		// and contact route — its generic mailbox, not their own address.
		mb := e.signedIn(t, m)
		r = mb.get("/clients/" + id)
		r.must(t, http.StatusOK, "Jay Joiner", "Support service", "Call 0800 000 111",
			`href="mailto:duty@support-line.test"`, `id="team-emails"`, "duty@support-line.test</textarea>")
		if strings.Contains(r.body, "Safe Haven") || strings.Contains(r.body, "safehaven.test") {
			t.Fatal("sensitive agency name or domain shown to the team")
		}
		jb.post("/clients/"+id+"/leave", url.Values{}).must(t, http.StatusUnprocessableEntity, "Select why you are leaving the team")
		jb.post("/clients/"+id+"/leave", url.Values{"reason": {"transferred"}}).must(t, http.StatusSeeOther)
		mb.get("/clients/"+id).must(t, http.StatusOK, "Jay Joiner left the team (transferred to a colleague)")
	})
}

// TestSearchWithoutAreas: an agent who has chosen no areas is asked to
// choose them and meanwhile searches their agency's district; an agency
// without areas leaves them the network to widen to.
func TestSearchWithoutAreas(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Sam Searcher", e.Council, e.LocalA)
		far := e.MustAgent(t, "Fay Far", e.Council, e.LocalB)
		e.MustClient(t, a, "Harriet", "Okonkwo", "2009-09-09")
		e.MustClient(t, far, "Harriet", "Okoro", "2008-08-08")
		newcomer := e.MustAgent(t, "Nat Newcomer", e.Council)   // the council's area is Ashford
		unplaced := e.MustAgent(t, "Una Unplaced", e.Sensitive) // an agency with no areas
		runScenarios(t,
			scenario{name: "the agency's district meanwhile", as: e.signedIn(t, newcomer), path: "/search?q=Harriet", status: http.StatusOK,
				contains: []string{"You have not chosen the areas you work in", `href="/profile#areas"`, "2 clients found in your agency's district",
					"Harriet Okonkwo", "Harriet Okoro", "Show results from the whole network (0 more)"},
				notContains: []string{"Show results from the district"}},
			scenario{name: "no district to start from", as: e.signedIn(t, unplaced), path: "/search?q=Harriet", status: http.StatusOK,
				contains: []string{"You have not chosen the areas you work in", "No clients found in your agency's district",
					"Show results from the whole network (2 more)"}},
			scenario{name: "the profile asks too", as: e.signedIn(t, newcomer), path: "/profile", status: http.StatusOK,
				contains: []string{"You have not chosen any yet"}},
		)
	})
}

func TestSearchPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Sam Searcher", e.Council, e.LocalA)
		far := e.MustAgent(t, "Fay Far", e.Council, e.LocalB)
		e.MustClient(t, a, "Harriet", "Okonkwo", "2009-09-09", "Hattie Okonkwo")
		e.MustClient(t, far, "Harriet", "Okoro", "2008-08-08")
		b := e.signedIn(t, a)
		search := func(name, q, scope string, contains, notContains []string) scenario {
			return scenario{name: name, as: b, path: "/search?q=" + url.QueryEscape(q) + "&scope=" + scope,
				status: http.StatusOK, contains: contains, notContains: notContains}
		}
		runScenarios(t,
			search("name prefix, local first", "harr okon", "", []string{"Harriet Okonkwo", "View team"}, []string{"Okoro"}),
			search("counts what each wider scope adds", "Harriet", "", []string{"Harriet Okonkwo", "Show results from the district (1 more)</a>",
				"Show results from the whole network (1 more)</a>"}, []string{"Okoro"}),
			search("from the district, the network adds none", "Harriet", "district", []string{"Show results from the whole network (0 more)</a>"},
				[]string{"Show results from the district"}),
			search("typo and sound-alike", "Hariet Okonkow", "", []string{"Harriet Okonkwo", "Possible match:"}, nil),
			search("why it matched", "Harriet Okonkwo 9/9/2009", "", []string{"Likely match: same date of birth · exact name"}, nil),
			search("district widens", "Harriet", "district", []string{"Harriet Okonkwo", "Harriet Okoro", "Join team"}, nil),
			search("alias matches and says so", "Hattie", "network", []string{"Harriet Okonkwo", "Also known as Hattie Okonkwo"}, nil),
			search("date of birth narrows", "Harriet 08/08/2008", "network", []string{"Harriet Okoro"}, []string{"Okonkwo"}),
			search("date of birth alone is not enough", "09/09/2009", "network", []string{"Type at least two letters of a name"}, []string{"Okonkwo"}),
			search("colleagues and agencies", "fay", "", []string{"Fay Far"}, nil),
			search("colleague with a typo", "fay farr", "", []string{"Fay Far"}, nil),
			search("agency by name", "ashford", "", []string{"Ashford Children&#39;s Services"}, nil),
			scenario{name: "the widen links come before the results", as: b, path: "/search?q=Harriet", status: http.StatusOK,
				after: func(t *testing.T, r response) {
					if w, c := strings.Index(r.body, "Show results from the district"), strings.Index(r.body, "<h3 class=\"govuk-heading-s\">Harriet Okonkwo"); w < 0 || c < 0 || w > c {
						t.Errorf("the widen link is at %d, the first result at %d\n%s", w, c, r.body)
					}
				}},
			search("sensitive agency hidden by name", "safe haven", "", []string{"No agencies found"}, []string{"Safe Haven"}),
		)
	})
}

func TestProfile(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Pat Profile", e.Council, e.LocalA)
		b := e.signedIn(t, a)
		b.get("/profile").must(t, http.StatusOK, `value="Pat Profile"`, "Ashford")
		r := b.post("/profile", url.Values{"name": {"Pat Profile"}, "role": {"Nurse"}, "sensitive_role": {"yes"},
			"preferred_contact": {"landline"}, "working_hours": {"Mondays"}})
		r.must(t, http.StatusUnprocessableEntity, "Enter the role others should see", "Enter a landline number", `value="Mondays"`)
		b.post("/profile", url.Values{"name": {"Pat Profile"}, "role": {"Substance misuse nurse"}, "sensitive_role": {"yes"},
			"generic_role": {"Nurse"}, "preferred_contact": {"landline"}, "landline": {"01632 960111"},
			"areas": {strconv.FormatInt(e.LocalB.ID, 10)}}).must(t, http.StatusSeeOther)
		b.get("/profile").must(t, http.StatusOK, "Your profile has been saved", `value="Substance misuse nurse"`)
		// Others see only the generic role.
		ob := e.signedIn(t, e.MustAgent(t, "Olly Observer", e.Council, e.LocalA))
		r = ob.get("/agents/" + strconv.FormatInt(a.ID, 10))
		r.must(t, http.StatusOK, "Pat Profile", "Nurse", "01632 960111", "Bexley", "You do not share any clients")
		if strings.Contains(r.body, "Substance misuse") {
			t.Fatal("sensitive role shown to another agent")
		}
	})
}
