package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// fingerprint sums what the forms below could change, so a test can tell
// that a refused request changed nothing on either database.
func fingerprint(t *testing.T, e *env) [7]int {
	t.Helper()
	var f [7]int
	for i, q := range []string{
		`SELECT COUNT(*) + COALESCE(SUM(LENGTH(first_name || last_name || address || postcode || phone || date_of_birth) + updated_at % 1000003), 0) FROM clients`,
		`SELECT COUNT(*) + COALESCE(SUM(LENGTH(display)), 0) FROM client_names`,
		`SELECT COUNT(*) + COALESCE(SUM(LENGTH(name || role || generic_role || mobile || landline || contact_email || working_hours || preferred_contact)), 0) FROM agents`,
		`SELECT COUNT(*) + COALESCE(SUM(LENGTH(basis_note || leave_note)), 0) + COUNT(left_at) FROM memberships`,
		`SELECT COUNT(*) + COALESCE(SUM(LENGTH(message || resolution_note)), 0) + COUNT(resolved_at) FROM attentions`,
		`SELECT COUNT(*) FROM agent_words`,
		`SELECT COUNT(*) FROM notification_prefs`,
	} {
		f[i] = sqldbtest.MustCount(t, e.DB, q)
	}
	return f
}

var joinLink = regexp.MustCompile(`/clients/(\d+)/join\?t=([^"]+)"`)

// TestFormsRefuseUnstorableBytes sends every field of every form a NUL byte
// and then invalid UTF-8, on both databases. PostgreSQL used to answer a 500
// (the sign-in form included) while SQLite stored the raw bytes; now each is
// refused — beside the field with what was typed kept, as a failed sign-in,
// or, for values nobody types, with a 400 page — and nothing changes.
func TestFormsRefuseUnstorableBytes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.MustAgent(t, "Mo Member", e.Council, e.LocalA)
		j := e.MustAgent(t, "Jo Joiner", e.Council, e.LocalA)
		cl := e.MustClient(t, m, "Robin", "Ashdown", "2010-06-07")
		att, err := sqldb.NewAttentionService(e.DB).RaiseAttention(sqldbtest.As(m), cl.ID,
			patchwork.AttentionInput{Category: "concern", Message: "Moved house"})
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(cl.ID, 10)
		mb, jb := e.signedIn(t, m), e.signedIn(t, j)
		// The joiner's ticket comes from a search result, as for a person.
		sr := jb.get("/search?q=Robin+Ashdown")
		sr.must(t, http.StatusOK)
		link := joinLink.FindStringSubmatch(sr.body)
		if link == nil || link[1] != id {
			t.Fatalf("no join link for client %s in the search page:\n%s", id, sr.body)
		}
		ticket, err := url.QueryUnescape(html.UnescapeString(link[2]))
		if err != nil {
			t.Fatal(err)
		}
		client := url.Values{"first_name": {"Robin"}, "last_name": {"Ashdown"}, "date_of_birth": {"07/06/2010"},
			"address": {"1 Test Street"}, "postcode": {"AB1 2CD"}, "phone": {"01234 567890"}, "aliases": {"Rob Ashdown"},
			"confirm_new": {"1"}}
		type form struct {
			name    string
			b       *browser
			method  string
			path    string
			values  url.Values
			status  int    // for a bad value in a field that is typed
			message string // shown for it
		}
		forms := []form{
			{"sign in", e.anonymous(t), "POST", "/login", url.Values{"email": {m.Email}, "password": {sqldbtest.Password}, "next": {"/"}},
				http.StatusUnauthorized, "Enter a correct email address and password"},
			{"search", mb, "GET", "/search", url.Values{"q": {"Robin"}, "scope": {"local"}},
				http.StatusUnprocessableEntity, "cannot be read"},
			{"add client", mb, "POST", "/clients", client, http.StatusUnprocessableEntity, "cannot be saved"},
			{"change client", mb, "POST", "/clients/" + id + "/edit", client, http.StatusUnprocessableEntity, "cannot be saved"},
			{"join", jb, "POST", "/clients/" + id + "/join", url.Values{"t": {ticket}, "basis": {"other"}, "basis_note": {"Court order"},
				"declaration": {"yes"}}, http.StatusUnprocessableEntity, "cannot be saved"},
			{"join form", jb, "GET", "/clients/" + id + "/join", url.Values{"t": {ticket}}, 0, ""},
			{"leave", mb, "POST", "/clients/" + id + "/leave", url.Values{"reason": {"other"}, "note": {"Moved away"}},
				http.StatusUnprocessableEntity, "cannot be saved"},
			{"raise attention", mb, "POST", "/clients/" + id + "/attentions", url.Values{"category": {"concern"},
				"message": {"Line one\nLine two"}, "urgent": {"yes"}}, http.StatusUnprocessableEntity, "cannot be saved"},
			{"resolve attention", mb, "POST", "/attentions/" + strconv.FormatInt(att.ID, 10) + "/resolve", url.Values{"note": {"Sorted"}},
				http.StatusUnprocessableEntity, "cannot be saved"},
			{"notifications", mb, "POST", "/settings/notifications", url.Values{patchwork.ActivityMemberJoined: {patchwork.NotifyNever}}, 0, ""},
			{"profile", mb, "POST", "/profile", url.Values{"name": {"Mo Member"}, "role": {"Social worker"}, "sensitive_role": {"yes"},
				"generic_role": {"Practitioner"}, "mobile": {"07700 900123"}, "landline": {"020 7946 0000"},
				"contact_email": {"mo@ashford.test"}, "preferred_contact": {"email"}, "working_hours": {"Mon-Fri"},
				"areas": {strconv.FormatInt(e.LocalA.ID, 10)}}, http.StatusUnprocessableEntity, "cannot be saved"},
			{"forgotten password", e.anonymous(t), "POST", "/password/forgot", url.Values{"email": {m.Email}},
				http.StatusUnprocessableEntity, "correct format"},
			{"sign up", e.anonymous(t), "POST", "/signup", url.Values{"email": {"someone.new@ashford.test"}},
				http.StatusUnprocessableEntity, "correct format"},
			{"reset password", e.anonymous(t), "POST", "/password/reset", url.Values{"token": {"abc"}, "password": {"a long new password"}},
				0, ""},
			{"change password", mb, "POST", "/settings/password", url.Values{"current_password": {"not the password"},
				"password": {"a long new password"}}, 0, ""},
			{"unsubscribe", e.anonymous(t), "POST", "/unsubscribe", url.Values{"token": {"abc"}}, 0, ""},
			{"unsubscribe form", e.anonymous(t), "GET", "/unsubscribe", url.Values{"token": {"abc"}}, 0, ""},
		}
		before := fingerprint(t, e)
		for _, f := range forms {
			for field := range f.values {
				for _, bad := range []struct{ name, value string }{{"NUL", "Ash\x00down"}, {"invalid UTF-8", "Ash\xff\xfedown"}} {
					t.Run(f.name+"/"+field+"/"+bad.name, func(t *testing.T) {
						vs := url.Values{}
						for k, v := range f.values {
							vs[k] = v
						}
						vs.Set(field, bad.value)
						var r response
						if f.method == "GET" {
							r = f.b.get(f.path + "?" + vs.Encode())
						} else {
							r = f.b.post(f.path, vs)
						}
						typed := map[string]bool{"t": false, "token": false, "scope": false, "next": false, "confirm_new": false,
							"basis": false, "reason": false, "category": false, "urgent": false, "declaration": false,
							"sensitive_role": false, "preferred_contact": false, "areas": false, patchwork.ActivityMemberJoined: false}
						_, untyped := typed[field]
						switch {
						case field == "next":
							// A next page that is not a plain path is dropped;
							// the sign-in itself goes on.
							if r.status == http.StatusInternalServerError {
								t.Fatalf("500 for a bad next:\n%s", r.body)
							}
						case untyped:
							r.must(t, http.StatusBadRequest, "cannot save")
						case f.status == 0:
							// Passwords are only hashed: any answer but an
							// internal error, and nothing changed.
							if r.status == http.StatusInternalServerError {
								t.Fatalf("500:\n%s", r.body)
							}
						default:
							r.must(t, f.status, f.message)
							if f.status == http.StatusUnprocessableEntity && !strings.Contains(r.body, "govuk-error-message") {
								t.Fatalf("no message beside the field:\n%s", r.body)
							}
						}
						if field == "next" {
							return
						}
						if after := fingerprint(t, e); after != before {
							t.Fatalf("a refused request changed the database: %v, then %v", before, after)
						}
					})
				}
			}
		}
		// The same forms with good values still work (so the refusals above
		// are about the bytes): the attention is raised, the profile saved.
		mb.post("/clients/"+id+"/attentions", url.Values{"category": {"concern"}, "message": {"Line one\r\nLine two\x07"}}).
			must(t, http.StatusSeeOther)
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM attentions WHERE message = $1`, "Line one\nLine two"); n != 1 {
			t.Fatalf("multi-line message stored %d times as cleaned text, want once", n)
		}
		mb.post("/profile", url.Values{"name": {"Mo\tMember\x1b"}, "role": {"Social\u202eworker"}, "preferred_contact": {"email"}}).
			must(t, http.StatusSeeOther)
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM agents WHERE name = 'Mo Member' AND role = 'Socialworker'`); n != 1 {
			t.Fatal("control characters not stripped from one-line fields")
		}
	})
}

// TestFormsKeepWhatWasTyped: a value refused beside its field comes back in
// the form, the other fields too.
func TestFormsKeepWhatWasTyped(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.MustAgent(t, "Mo Member", e.Council, e.LocalA)
		r := e.signedIn(t, m).post("/clients", url.Values{"first_name": {"Robin\x00"}, "last_name": {"Ashdown"},
			"date_of_birth": {"07/06/2010"}})
		r.must(t, http.StatusUnprocessableEntity, "First name contains characters that cannot be saved", `value="Ashdown"`, `value="07/06/2010"`)
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM clients`); n != 0 {
			t.Fatalf("%d clients stored", n)
		}
	})
}

// TestGenericRoleLength: a megabyte typed into the generic role (stored
// and indexed word by word on SQLite, a 500 on PostgreSQL) is refused
// beside the field, and nothing is stored or indexed.
func TestGenericRoleLength(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		m := e.MustAgent(t, "Mo Member", e.Council, e.LocalA)
		vocab := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM directory_vocab`)
		huge := strings.Repeat("word ", 200000)
		r := e.signedIn(t, m).post("/profile", url.Values{"name": {"Mo Member"}, "role": {"Social worker"}, "sensitive_role": {"yes"},
			"generic_role": {huge}, "preferred_contact": {"email"}})
		r.must(t, http.StatusUnprocessableEntity, "The role others see must be 100 characters or fewer")
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM directory_vocab`); n != vocab {
			t.Fatalf("vocabulary grew from %d to %d words", vocab, n)
		}
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM agents WHERE LENGTH(generic_role) > 100`); n != 0 {
			t.Fatal("a generic role over 100 characters was stored")
		}
	})
}
