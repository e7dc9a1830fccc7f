package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestAttentions(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		raiser := e.MustAgent(t, "Rae Raiser", e.Council, e.LocalA)
		member := e.MustAgent(t, "Mina Member", e.Council, e.LocalA)
		outsider := e.MustAgent(t, "Otis Outsider", e.Council, e.LocalA)
		cl := e.MustClient(t, raiser, "Tilly", "Attwood", "2013-05-06")
		e.MustJoin(t, member, cl)
		cid := strconv.FormatInt(cl.ID, 10)
		rb, mb, ob := e.signedIn(t, raiser), e.signedIn(t, member), e.signedIn(t, outsider)
		const secret = "Mother reports threats from ex-partner"

		rb.get("/clients/"+cid+"/attentions/new").must(t, http.StatusOK, "Raise an attention", "Tilly Attwood")
		long := strings.Repeat("x", 1001)
		rb.post("/clients/"+cid+"/attentions", url.Values{"category": {"concern"}, "message": {long}}).
			must(t, http.StatusUnprocessableEntity, "Message must be 1,000 characters or fewer", long, `value="concern" checked`)
		rb.post("/clients/"+cid+"/attentions", url.Values{"message": {secret}}).
			must(t, http.StatusUnprocessableEntity, "Select what kind of attention this is", secret)
		if n := count(t, e, `SELECT COUNT(*) FROM attentions`); n != 0 {
			t.Fatalf("%d attentions after bad input", n)
		}
		// An outsider cannot raise, see, acknowledge or resolve.
		r := ob.post("/clients/"+cid+"/attentions", url.Values{"category": {"concern"}, "message": {"x"}})
		r.must(t, http.StatusNotFound)
		ob.get("/clients/"+cid+"/attentions/new").must(t, http.StatusNotFound)

		rb.post("/clients/"+cid+"/attentions", url.Values{"category": {"concern"}, "message": {secret}, "urgent": {"yes"}}).
			must(t, http.StatusSeeOther)
		attID := strconv.Itoa(count(t, e, `SELECT MAX(id) FROM attentions`))
		// The member is told (a notification row, delivered by the mail
		// pipeline); the raiser is not.
		if n := count(t, e, `SELECT COUNT(*) FROM notifications WHERE agent_id = `+strconv.FormatInt(member.ID, 10)+
			` AND kind = 'attention.raised'`); n != 1 {
			t.Fatalf("member notifications = %d", n)
		}
		if n := count(t, e, `SELECT COUNT(*) FROM notifications WHERE agent_id = `+strconv.FormatInt(raiser.ID, 10)+
			` AND kind = 'attention.raised'`); n != 0 {
			t.Fatalf("raiser notified of own attention")
		}
		mb.get("/").must(t, http.StatusOK, "Open attentions", "New", "Urgent", "Tilly Attwood")
		mb.get("/clients/"+cid).must(t, http.StatusOK, secret, "Urgent", "Not yet seen by: Mina Member", `/attentions/`+attID+`/ack`)
		for _, p := range []string{"/attentions/" + attID + "/ack", "/attentions/" + attID + "/resolve"} {
			r := ob.post(p, url.Values{"note": {"done"}})
			assertNotContains(t, r, secret, "Tilly")
			r.must(t, http.StatusNotFound)
		}
		mb.post("/attentions/"+attID+"/ack", nil).must(t, http.StatusSeeOther)
		mb.post("/attentions/"+attID+"/ack", nil).must(t, http.StatusSeeOther) // twice changes nothing
		if n := count(t, e, `SELECT COUNT(*) FROM attention_acks`); n != 1 {
			t.Fatalf("acks = %d", n)
		}
		r = rb.get("/clients/" + cid)
		r.must(t, http.StatusOK, "Seen by: Mina Member", "Mina Member saw an attention", "Rae Raiser raised an urgent attention")
		mb.post("/attentions/"+attID+"/resolve", url.Values{"note": {"  "}}).
			must(t, http.StatusUnprocessableEntity, "Enter how this was resolved")
		mb.post("/attentions/"+attID+"/resolve", url.Values{"note": {"Discussed at strategy meeting"}}).must(t, http.StatusSeeOther)
		rb.get("/clients/"+cid).must(t, http.StatusOK, "Resolved by Mina Member", "Discussed at strategy meeting")
		rb.post("/attentions/"+attID+"/resolve", url.Values{"note": {"again"}}).must(t, http.StatusConflict)
		if strings.Contains(mb.get("/").body, "Open attentions") {
			t.Fatal("resolved attention still listed as open")
		}
		// After leaving the team the attention is out of reach.
		mb.post("/clients/"+cid+"/leave", url.Values{"reason": {"case_closed"}}).must(t, http.StatusSeeOther)
		mb.post("/attentions/"+attID+"/ack", nil).must(t, http.StatusNotFound)
	})
}

func count(t *testing.T, e *env, q string) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRowForTest(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func assertNotContains(t *testing.T, r response, ss ...string) {
	t.Helper()
	for _, s := range ss {
		if strings.Contains(r.body, s) {
			t.Fatalf("response contains %q", s)
		}
	}
}
