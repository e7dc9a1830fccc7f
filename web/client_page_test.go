package web_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"patchwork"
)

// TestClientPage: under the name the page shows the date of birth and age,
// the local area, the other names and the reference emails use; "Email the
// whole team" sits beside the Team heading with a subject that carries the
// reference and nothing of the client; the viewer's card comes last; agency
// names link to their page and phone numbers are tappable; details change
// from summary-list row actions; leaving is a secondary action, and the last
// member is warned that nobody will see the client.
func TestClientPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann := e.MustAgent(t, "Ann Anchor", e.Council, e.LocalA)
		bob := e.MustAgent(t, "Bob Baxter", e.Sensitive, e.LocalA)
		cara := e.MustAgent(t, "Cara Cole", e.Council, e.LocalA)
		cl := e.MustCreateClient(t, ann, &patchwork.Client{FirstName: "Tilly", LastName: "Thistlewood", DateOfBirth: "2014-03-02",
			Aliases: []string{"Tilly Brook"}, Phone: "07700 111222", AreaIDs: []int64{e.LocalA.ID}})
		e.MustJoin(t, bob, cl)
		e.MustJoin(t, cara, cl)
		alone := e.MustClient(t, ann, "Ursula", "Onlyone", "2012-01-01")
		path := "/clients/" + strconv.FormatInt(cl.ID, 10)
		ref := patchwork.ClientRef(cl.ID)
		annB := e.signedIn(t, ann)

		r := annB.get(path)
		r.must(t, http.StatusOK, "Born 2 March 2014 (age", "<li>Ashford</li>", "Also known as Tilly Brook",
			"Reference <strong>"+ref+"</strong>",
			`href="/agencies/`+strconv.FormatInt(e.Council.ID, 10)+`">Ashford Children&#39;s Services</a> — <a class="govuk-link" href="tel:01234000000">01234 000000</a>`,
			`href="tel:07700111222">07700 111222</a>`,
			`<dd class="govuk-summary-list__actions"><a class="govuk-link" href="`+path+`/edit">Change<span class="govuk-visually-hidden"> address</span></a></dd>`,
			`<a class="govuk-button govuk-button--secondary" href="`+path+`/leave">Leave this team</a>`)
		if strings.Contains(r.body, "govuk-button--warning") {
			t.Error("the client page has a warning button")
		}
		// The team's email link is beside the heading, before the cards,
		// and its subject is the reference.
		head := r.body[strings.Index(r.body, `id="team"`):strings.Index(r.body, `<ul class="pw-cards" aria-labelledby="team">`)]
		wantMailto := fmt.Sprintf(`?subject=Patchwork%%20client%%20%s">Email the whole team</a>`, ref)
		if !strings.Contains(head, wantMailto) {
			t.Errorf("Email the whole team is not beside the Team heading with the reference as its subject:\n%s", head)
		}
		if strings.Contains(head, "Tilly") || strings.Contains(head, "Thistlewood") {
			t.Errorf("the team email carries the client's name:\n%s", head)
		}
		// Bob's sensitive agency is reached through its generic address.
		if !strings.Contains(head, `readonly>duty@support-line.test; `+cara.Email+`</textarea>`) {
			t.Errorf("the addresses to copy are not the other members':\n%s", head)
		}
		// Cards in joining order, the viewer's own last.
		cards := r.body[strings.Index(r.body, `aria-labelledby="team"`):]
		iBob, iCara, iAnn := strings.Index(cards, "Bob Baxter"), strings.Index(cards, "Cara Cole"), strings.Index(cards, "Ann Anchor (you)")
		if iBob < 0 || iCara < iBob || iAnn < iCara {
			t.Errorf("team cards at %d (Bob), %d (Cara), %d (Ann, the viewer): want Bob, Cara, then the viewer", iBob, iCara, iAnn)
		}
		// Cara sees her own card last, Ann's first.
		c := e.signedIn(t, cara).get(path)
		cc := c.body[strings.Index(c.body, `aria-labelledby="team"`):]
		if i, j := strings.Index(cc, "Ann Anchor"), strings.Index(cc, "Cara Cole (you)"); i < 0 || j < i {
			t.Errorf("Cara's view: her card at %d, Ann's at %d; want her own last", j, i)
		}

		runScenarios(t,
			scenario{name: "leaving a team with others on it", as: annB, path: path + "/leave", status: http.StatusOK,
				contains: []string{"those who chose to be told about colleagues leaving will get an email"}, notContains: []string{"nobody will be able to see"}},
			scenario{name: "leaving as the last member", as: annB, path: "/clients/" + strconv.FormatInt(alone.ID, 10) + "/leave", status: http.StatusOK,
				contains: []string{"You are the last member of this team. Once you leave, nobody will be able to see Ursula Onlyone"}},
		)
	})
}

// TestClientNotFound: a missing client and a client the caller is not on
// the team of get the same 404, which says what to do.
func TestClientNotFound(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann := e.MustAgent(t, "Ann Anchor", e.Council, e.LocalA)
		out := e.MustAgent(t, "Olly Outsider", e.Council, e.LocalA)
		cl := e.MustClient(t, ann, "Tilly", "Thistlewood", "2014-03-02")
		b := e.signedIn(t, out)
		missing := b.get("/clients/999999")
		missing.must(t, http.StatusNotFound, "Client not found",
			"This client does not exist, or you are not on their team — search to find and join them.", `href="/search"`)
		hidden := b.get("/clients/" + strconv.FormatInt(cl.ID, 10))
		if hidden.status != http.StatusNotFound || hidden.body != missing.body {
			t.Fatalf("a client not on the caller's team: %d, and a body other than a missing client's:\n%s", hidden.status, hidden.body)
		}
		if strings.Contains(hidden.body, "Thistlewood") {
			t.Fatal("the 404 names the client")
		}
	})
}
