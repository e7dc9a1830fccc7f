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
		id := strconv.FormatInt(cl.ID, 10)
		ab := e.signedIn(t, a)
		ab.get("/clients/"+id+"/edit").must(t, http.StatusOK, `value="Nora"`, `value="08/07/2011"`, "1 Test Street")

		bad := url.Values{"first_name": {"Nora"}, "last_name": {"Winterbottom"}, "date_of_birth": {"32/01/2011"}, "address": {"9 New Road"}}
		ab.post("/clients/"+id+"/edit", bad).must(t, http.StatusUnprocessableEntity, "Date of birth must be a real date", `value="32/01/2011"`, "9 New Road")
		ab.get("/clients/"+id).must(t, http.StatusOK, "1 Test Street") // nothing changed

		good := url.Values{"first_name": {"Nora"}, "last_name": {"Summerfield"}, "date_of_birth": {"08/07/2011"},
			"address": {"9 New Road"}, "postcode": {"AB1 2CD"}, "phone": {"01234 567890"}, "aliases": {"Nora Winterbottom"}}
		ab.post("/clients/"+id+"/edit", good).must(t, http.StatusSeeOther)
		r := ab.get("/clients/" + id)
		r.must(t, http.StatusOK, "Nora Summerfield", "9 New Road", "Edna Editor changed name, other names, address")
		// The trail names fields, never values.
		if strings.Contains(r.body, "changed name, other names, address (") || strings.Count(r.body, "Winterbottom") != 1 {
			t.Fatalf("trail shows values:\n%s", r.body)
		}
		// The search index follows the new name; the old one is an alias now.
		bb := e.signedIn(t, b)
		bb.get("/search?q=Summerfield&scope=network").must(t, http.StatusOK, "Nora Summerfield")
		bb.get("/search?q=Winterbottom&scope=network").must(t, http.StatusOK, "Nora Summerfield", "Also known as Nora Winterbottom")
		if n := count(t, e, `SELECT COUNT(*) FROM notifications WHERE kind = 'client.updated' AND agent_id = `+strconv.FormatInt(b.ID, 10)); n != 1 {
			t.Fatalf("bystander notifications = %d", n)
		}
		// Saving without changes tells nobody.
		ab.post("/clients/"+id+"/edit", good).must(t, http.StatusSeeOther)
		if n := count(t, e, `SELECT COUNT(*) FROM notifications WHERE kind = 'client.updated'`); n != 1 {
			t.Fatalf("no-op edit notified: %d", n)
		}
	})
}
