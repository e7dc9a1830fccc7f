package sqldb_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// joinReq is a valid join request carrying ticket.
func joinReq(ticket string) patchwork.JoinRequest {
	return patchwork.JoinRequest{Ticket: ticket, Declaration: true, Basis: patchwork.BasisConsent}
}

// TestJoinNeedsTicket: a join without a live, unspent ticket issued to
// this agent for this client is refused exactly as a join of a client that
// does not exist, and changes nothing.
func TestJoinNeedsTicket(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mia Member", w.Council, w.LocalA)
		joiner := w.MustAgent(t, "Jon Joiner", w.Council, w.LocalA)
		other := w.MustAgent(t, "Ora Other", w.Council, w.LocalA)
		cl := w.MustClient(t, member, "Ivy", "Tennant", "2013-01-02")
		cl2 := w.MustClient(t, member, "Rex", "Tennant", "2014-01-02")
		svc := sqldb.NewClientService(db)
		as := sqldbtest.As(joiner)

		expired := sqldbtest.MustTicket(t, db, joiner, cl.ID)
		clk.Add(2*time.Hour + time.Second)
		missing := cl.ID + 100000
		for _, tc := range []struct{ name, ticket string }{
			{"no ticket", ""},
			{"another agent's ticket", sqldbtest.MustTicket(t, db, other, cl.ID)},
			{"another client's ticket", sqldbtest.MustTicket(t, db, joiner, cl2.ID)},
			{"expired ticket", expired},
			{"forged ticket", "9999999999.00112233445566778899aabbccddeeff"},
			{"malformed ticket", "not a ticket"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := svc.JoinTeam(as, cl.ID, joinReq(tc.ticket))
				if !errors.Is(err, patchwork.ErrNotFound) {
					t.Fatalf("join: %v, want ENOTFOUND", err)
				}
				// An invalid form changes nothing either: the ticket is
				// checked first, so no field message shows the client exists.
				if err := svc.JoinTeam(as, cl.ID, patchwork.JoinRequest{Ticket: tc.ticket}); !errors.Is(err, patchwork.ErrNotFound) {
					t.Fatalf("join with empty form: %v, want ENOTFOUND", err)
				}
				if _, err := svc.FindJoinCard(as, cl.ID, tc.ticket); !errors.Is(err, patchwork.ErrNotFound) {
					t.Fatalf("join card: %v, want ENOTFOUND", err)
				}
			})
		}
		if err := svc.JoinTeam(as, missing, joinReq(sqldbtest.MustTicket(t, db, joiner, missing))); !errors.Is(err, patchwork.ErrNotFound) {
			t.Fatalf("join of a missing client: %v", err)
		}
		if _, err := svc.FindClientProfile(as, cl.ID); !errors.Is(err, patchwork.ErrNotFound) {
			t.Fatalf("refused joiner sees the profile: %v", err)
		}
		if n := sqldbtest.CountNotifications(t, db, member.ID); n != 0 {
			t.Fatalf("refused joins told the team %d times", n)
		}

		// A live ticket joins; it cannot be used again after leaving.
		ticket := sqldbtest.MustTicket(t, db, joiner, cl.ID)
		if err := svc.JoinTeam(as, cl.ID, joinReq(ticket)); err != nil {
			t.Fatalf("join with ticket: %v", err)
		}
		if _, err := svc.FindClientProfile(as, cl.ID); err != nil {
			t.Fatalf("member after join: %v", err)
		}
		if err := svc.LeaveTeam(as, cl.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.JoinTeam(as, cl.ID, joinReq(ticket)); !errors.Is(err, patchwork.ErrNotFound) {
			t.Fatalf("second join with a spent ticket: %v", err)
		}
		if _, err := svc.FindJoinCard(as, cl.ID, ticket); !errors.Is(err, patchwork.ErrNotFound) {
			t.Fatalf("join card with a spent ticket: %v", err)
		}
		// A new search result's ticket lets them back.
		if err := svc.JoinTeam(as, cl.ID, joinReq(sqldbtest.MustTicket(t, db, joiner, cl.ID))); err != nil {
			t.Fatalf("join with a new ticket: %v", err)
		}
	})
}

// TestSearchAndDuplicateTicketsJoin: the tickets that search results and
// the add-client duplicate check hand out are the ones a join accepts.
func TestSearchAndDuplicateTicketsJoin(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mia Member", w.Council, w.LocalA)
		a := w.MustAgent(t, "Ann Searcher", w.Council, w.LocalA)
		b := w.MustAgent(t, "Ben Adder", w.Council, w.LocalA)
		cl := w.MustClient(t, member, "Ottilie", "Brackenbury", "2012-05-06")
		svc := sqldb.NewClientService(db)

		res, err := sqldb.NewSearchService(db).Search(sqldbtest.As(a),
			patchwork.SearchQuery{Text: "Ottilie Brackenbury", Scope: patchwork.ScopeNetwork})
		if err != nil || len(res.Clients) != 1 || res.Clients[0].JoinTicket == "" {
			t.Fatalf("search: %v %+v", err, res)
		}
		if err := svc.JoinTeam(sqldbtest.As(a), cl.ID, joinReq(res.Clients[0].JoinTicket)); err != nil {
			t.Fatalf("join from search: %v", err)
		}
		dups, err := svc.FindPossibleDuplicates(sqldbtest.As(b), &patchwork.Client{FirstName: "Ottilie", LastName: "Brackenbury",
			DateOfBirth: "2012-05-06"})
		if err != nil || len(dups) != 1 || dups[0].JoinTicket == "" {
			t.Fatalf("duplicate check: %v %+v", err, dups)
		}
		if err := svc.JoinTeam(sqldbtest.As(b), cl.ID, joinReq(dups[0].JoinTicket)); err != nil {
			t.Fatalf("join from duplicate prompt: %v", err)
		}
	})
}

// TestJoinLimit: an agent may join JoinLimit teams an hour, counted in the
// database, however many joins arrive at once.
func TestJoinLimit(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mia Member", w.Council, w.LocalA)
		joiner := w.MustAgent(t, "Jon Joiner", w.Council, w.LocalA)
		const limit, tries = 4, 12
		clients := make([]*patchwork.Client, tries)
		for i := range clients {
			clients[i] = w.MustClient(t, member, "Client", "Number", "2010-01-01")
		}
		svc := sqldb.NewClientService(db)
		svc.JoinLimit = limit
		as := sqldbtest.As(joiner)

		// All at once: exactly limit get through on both databases.
		errs := make([]error, tries)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, cl := range clients {
			ticket := sqldbtest.MustTicket(t, db, joiner, cl.ID)
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = svc.JoinTeam(as, cl.ID, joinReq(ticket))
			}()
		}
		close(start)
		wg.Wait()
		joined, limited := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				joined++
			case patchwork.ErrorCode(err) == patchwork.ETOOMANYREQUEST:
				limited++
				if want := "You have joined 4 teams in the last hour"; !strings.Contains(patchwork.ErrorMessage(err), want) {
					t.Fatalf("message %q does not say %q", patchwork.ErrorMessage(err), want)
				}
			default:
				t.Fatalf("concurrent join: %v", err)
			}
		}
		if joined != limit || limited != tries-limit {
			t.Fatalf("joined %d, limited %d; want %d and %d", joined, limited, limit, tries-limit)
		}
		if members := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE agent_id = $1`, joiner.ID); members != limit {
			t.Fatalf("%d memberships, want %d", members, limit)
		}
		// Leaving does not give a join back; the hour passing does.
		var last *patchwork.Client
		for i, cl := range clients {
			if errs[i] != nil {
				last = cl
			} else if err := svc.LeaveTeam(as, cl.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.JoinTeam(as, last.ID, joinReq(sqldbtest.MustTicket(t, db, joiner, last.ID))); patchwork.ErrorCode(err) != patchwork.ETOOMANYREQUEST {
			t.Fatalf("join after leaving: %v", err)
		}
		clk.Add(sqldb.JoinWindow + time.Second)
		if err := svc.JoinTeam(as, last.ID, joinReq(sqldbtest.MustTicket(t, db, joiner, last.ID))); err != nil {
			t.Fatalf("join an hour later: %v", err)
		}
		// Joins older than any ticket are purged.
		clk.Add(3 * time.Hour)
		if n, err := db.PurgeTeamJoins(context.Background()); err != nil || n != limit+1 {
			t.Fatalf("purged %d (%v), want %d", n, err, limit+1)
		}
	})
}

// TestConcurrentJoinSameTeam: two joins of the same team at once (a double
// click, two tabs) join once; the other is told the agent is already a
// member, never an internal error.
func TestConcurrentJoinSameTeam(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mia Member", w.Council, w.LocalA)
		joiner := w.MustAgent(t, "Jon Joiner", w.Council, w.LocalA)
		svc := sqldb.NewClientService(db)
		svc.JoinLimit = 0
		as := sqldbtest.As(joiner)
		for round := 0; round < 8; round++ {
			cl := w.MustClient(t, member, "Twice", "Joined", "2011-01-01")
			tickets := []string{sqldbtest.MustTicket(t, db, joiner, cl.ID), sqldbtest.MustTicket(t, db, joiner, cl.ID)}
			errs := make([]error, 2)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					// The same ticket twice, as a double click sends it.
					errs[i] = svc.JoinTeam(as, cl.ID, joinReq(tickets[round%2*i]))
				}()
			}
			close(start)
			wg.Wait()
			ok, conflict := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case patchwork.ErrorCode(err) == patchwork.ECONFLICT:
					conflict++
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if ok != 1 || conflict != 1 {
				t.Fatalf("round %d: %d joined, %d conflicts (%v)", round, ok, conflict, errs)
			}
		}
	})
}

// TestUniqueViolation: a duplicate key is recognised on both databases
// (it answers ECONFLICT where two writers race), and other errors are not.
func TestUniqueViolation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if _, err := db.ExecForTest(`INSERT INTO settings (key, value) VALUES ('dup', 'a')`); err != nil {
			t.Fatal(err)
		}
		_, err := db.ExecForTest(`INSERT INTO settings (key, value) VALUES ('dup', 'b')`)
		if err == nil || !sqldb.IsUniqueViolation(err) {
			t.Fatalf("duplicate key: %v not recognised", err)
		}
		_, err = db.ExecForTest(`INSERT INTO settings (key) VALUES ('no value')`)
		if err == nil || sqldb.IsUniqueViolation(err) {
			t.Fatalf("not-null violation taken for a duplicate: %v", err)
		}
	})
}
