package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// Client data a refused join must never show.
const (
	hiddenFirst   = "Philippa"
	hiddenLast    = "Wolstenholme"
	hiddenAddress = "12 Hiddenway Close"
)

// testClock is a settable store clock, installed before the server starts
// so that requests read it under its lock.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func installClock(db *sqldb.DB) *testClock {
	c := &testClock{}
	db.Now = func() time.Time {
		c.mu.Lock()
		defer c.mu.Unlock()
		return time.Now().Add(c.off)
	}
	return c
}

func (c *testClock) set(off time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off = off
}

// ticketIn returns the join ticket of the "Join team" link to clientID in a
// page (a search result or the duplicate prompt).
func ticketIn(t *testing.T, body string, clientID int64) string {
	t.Helper()
	prefix := "/clients/" + strconv.FormatInt(clientID, 10) + "/join?t="
	i := strings.Index(body, prefix)
	if i < 0 {
		t.Fatalf("no join link to client %d\n%s", clientID, body)
	}
	link := body[i:]
	u, err := url.Parse(strings.ReplaceAll(link[:strings.IndexByte(link, '"')], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("t")
}

func joinForm(ticket string) url.Values {
	return url.Values{"t": {ticket}, "basis": {"consent"}, "declaration": {"yes"}}
}

// assertSameAsMissing checks that got, the answer about an existing
// client, is byte for byte the answer about a missing one (but for the id
// in the address) and shows nothing of the client.
func assertSameAsMissing(t *testing.T, got, missing response, id, missingID int64) {
	t.Helper()
	for _, s := range []string{hiddenFirst, hiddenLast, hiddenAddress} {
		if strings.Contains(got.body, s) {
			t.Fatalf("answer shows %q (status %d)\n%s", s, got.status, got.body)
		}
	}
	norm := func(s string, id int64) string {
		return strings.ReplaceAll(s, "/clients/"+strconv.FormatInt(id, 10), "/clients/ID")
	}
	if got.status != http.StatusNotFound || missing.status != http.StatusNotFound ||
		norm(got.body, id) != norm(missing.body, missingID) || got.location != missing.location {
		t.Fatalf("existing client: %d %q; missing client: %d %q — want the same 404\n%s\n---\n%s",
			got.status, got.location, missing.status, missing.location, got.body, missing.body)
	}
}

// TestJoinTicketRule: POST /clients/{id}/join needs a live ticket issued
// to this agent for this client and not used before; every other request
// is answered exactly as a join of a client that does not exist.
func TestJoinTicketRule(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := installClock(db)
		e := newEnv(t, db)
		member := e.MustAgent(t, "Mary Member", e.Council, e.LocalA)
		joiner := e.MustAgent(t, "Jo Joiner", e.Council, e.LocalA)
		outsider := e.MustAgent(t, "Oscar Outsider", e.Council, e.LocalA)
		cl := e.MustCreateClient(t, member, &patchwork.Client{FirstName: hiddenFirst, LastName: hiddenLast,
			DateOfBirth: "2012-07-08", Address: hiddenAddress})
		cl2 := e.MustClient(t, member, "Other", "Person", "2010-01-01")
		missing := cl.ID + 100000
		id := strconv.FormatInt(cl.ID, 10)
		jb := e.signedIn(t, joiner)

		clk.set(-3 * time.Hour)
		expired := sqldbtest.MustTicket(t, db, joiner, cl.ID)
		clk.set(0)

		// The real flow: a search result's link, its form, the join.
		res := jb.get("/search?q=" + url.QueryEscape(hiddenFirst+" "+hiddenLast) + "&scope=network")
		res.must(t, http.StatusOK, hiddenFirst)
		spent := ticketIn(t, res.body, cl.ID)
		jb.get("/clients/"+id+"/join?t="+url.QueryEscape(spent)).must(t, http.StatusOK, `name="t" value="`+spent+`"`)
		jb.post("/clients/"+id+"/join", joinForm(spent)).must(t, http.StatusSeeOther)
		jb.get("/clients/"+id).must(t, http.StatusOK, hiddenAddress, "Jo Joiner")
		// Back on the join page, a member is sent on to the client.
		if r := jb.get("/clients/" + id + "/join?t=" + url.QueryEscape(spent)); r.status != http.StatusSeeOther || r.location != "/clients/"+id {
			t.Fatalf("member back on the join page: %d to %q", r.status, r.location)
		}
		jb.post("/clients/"+id+"/leave", url.Values{"reason": {"case_closed"}}).must(t, http.StatusSeeOther)
		jb.get("/").must(t, http.StatusOK, "You have left the team") // the flash is shown once
		notified := sqldbtest.CountNotifications(t, db, member.ID)

		for _, tc := range []struct{ name, ticket string }{
			{"no ticket", ""},
			{"another agent's ticket", sqldbtest.MustTicket(t, db, outsider, cl.ID)},
			{"another client's ticket", sqldbtest.MustTicket(t, db, joiner, cl2.ID)},
			{"expired ticket", expired},
			{"ticket already used to join", spent},
			{"forged ticket", "9999999999.0011223344556677.00112233445566778899aabbccddeeff"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := jb.post("/clients/"+id+"/join", joinForm(tc.ticket))
				gotMissing := jb.post("/clients/"+strconv.FormatInt(missing, 10)+"/join", joinForm(tc.ticket))
				assertSameAsMissing(t, got, gotMissing, cl.ID, missing)
				// A form with mistakes is no way round it.
				got = jb.post("/clients/"+id+"/join", url.Values{"t": {tc.ticket}})
				gotMissing = jb.post("/clients/"+strconv.FormatInt(missing, 10)+"/join", url.Values{"t": {tc.ticket}})
				assertSameAsMissing(t, got, gotMissing, cl.ID, missing)
				q := "/join?t=" + url.QueryEscape(tc.ticket)
				assertSameAsMissing(t, jb.get("/clients/"+id+q), jb.get("/clients/"+strconv.FormatInt(missing, 10)+q), cl.ID, missing)
				assertSameAsMissing(t, jb.get("/clients/"+id), jb.get("/clients/"+strconv.FormatInt(missing, 10)), cl.ID, missing)
			})
		}
		if n := sqldbtest.CountNotifications(t, db, member.ID); n != notified {
			t.Fatalf("refused joins told the team: %d notifications, want %d", n, notified)
		}
	})
}

// TestJoinFromDuplicatePrompt: the add-client duplicate prompt's "Join
// team" link carries a ticket that joins.
func TestJoinFromDuplicatePrompt(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.MustAgent(t, "Mary Member", e.Council, e.LocalA)
		adder := e.MustAgent(t, "Ada Adder", e.Council, e.LocalB)
		cl := e.MustClient(t, member, "Kit", "Marlowe", "2015-02-03")
		b := e.signedIn(t, adder)
		r := b.post("/clients", url.Values{"first_name": {"Kit"}, "last_name": {"Marlowe"}, "date_of_birth": {"03/02/2015"}})
		r.must(t, http.StatusOK, "Is this your client?")
		b.post("/clients/"+strconv.FormatInt(cl.ID, 10)+"/join", joinForm(ticketIn(t, r.body, cl.ID))).must(t, http.StatusSeeOther)
		b.get("/clients/"+strconv.FormatInt(cl.ID, 10)).must(t, http.StatusOK, "Ada Adder")
	})
}

// TestJoinLimitPage: the deployment's default of 20 joins an hour holds,
// and the 21st is told plainly why it was refused.
func TestJoinLimitPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.MustAgent(t, "Mary Member", e.Council, e.LocalA)
		joiner := e.MustAgent(t, "Jo Joiner", e.Council, e.LocalA)
		jb := e.signedIn(t, joiner)
		for i := 0; i <= sqldb.DefaultJoinLimit; i++ {
			cl := e.MustClient(t, member, "Client", "Number"+strconv.Itoa(i), "2010-01-01")
			id := strconv.FormatInt(cl.ID, 10)
			r := jb.post("/clients/"+id+"/join", joinForm(sqldbtest.MustTicket(t, e.DB, joiner, cl.ID)))
			if i < sqldb.DefaultJoinLimit {
				r.must(t, http.StatusSeeOther)
				continue
			}
			r.must(t, http.StatusTooManyRequests, "You have joined 20 teams in the last hour")
			jb.get("/clients/"+id).must(t, http.StatusNotFound)
		}
	})
}

// TestWalkingIdsFails replays the harvesting loop (join, read the page,
// leave, next id) with every ticket the attacker holds: it reaches no
// client but the one their search showed them, and that one only once.
func TestWalkingIdsFails(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		member := e.MustAgent(t, "Mary Member", e.Council, e.LocalA)
		attacker := e.MustAgent(t, "Mal Walker", e.Council, e.LocalA)
		var ids []int64
		for i := 0; i < 12; i++ {
			cl := e.MustCreateClient(t, member, &patchwork.Client{FirstName: hiddenFirst, LastName: hiddenLast + strconv.Itoa(i),
				DateOfBirth: "2012-07-08", Address: hiddenAddress})
			ids = append(ids, cl.ID)
		}
		ab := e.signedIn(t, attacker)
		res := ab.get("/search?q=" + url.QueryEscape(hiddenFirst+" "+hiddenLast+"0") + "&scope=network")
		shown := ticketIn(t, res.body, ids[0])
		reached := map[int64]int{}
		for round := 0; round < 2; round++ {
			for id := ids[0] - 3; id <= ids[len(ids)-1]+3; id++ {
				p := "/clients/" + strconv.FormatInt(id, 10)
				for _, tk := range []string{"", shown} {
					ab.post(p+"/join", joinForm(tk))
					if r := ab.get(p); r.status == http.StatusOK {
						reached[id]++
						ab.post(p+"/leave", url.Values{"reason": {"case_closed"}}).must(t, http.StatusSeeOther)
					} else if strings.Contains(r.body, hiddenAddress) {
						t.Fatalf("%s shows the address with status %d", p, r.status)
					}
				}
			}
		}
		if len(reached) != 1 || reached[ids[0]] != 1 {
			t.Fatalf("the loop reached %v; want client %d once", reached, ids[0])
		}
	})
}
