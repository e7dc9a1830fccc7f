package sqldb_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func search(t *testing.T, svc *sqldb.SearchService, a *patchwork.Agent, text, scope string) *patchwork.SearchResults {
	t.Helper()
	res, err := svc.Search(sqldbtest.As(a), patchwork.SearchQuery{Text: text, Scope: scope})
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	return res
}

func TestFuzzySearchMatching(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Sam Searcher", w.Council, w.LocalA)
		clients := map[string]*patchwork.Client{}
		for _, c := range []struct{ key, first, last, dob string }{
			{"jonathan", "Jonathan", "Smith", "1980-02-01"},
			{"catherine", "Catherine", "Jones", "1975-06-15"},
			{"kathryn", "Kathryn", "Bloggs", "1990-03-04"},
			{"anna", "Anna", "Smith-Jones", "2001-07-08"},
			{"fiona", "Fiona", "MacDonald", "1966-11-12"},
			{"zoe", "Zoë", "Lefèvre", "1999-09-19"},
			{"sean", "Seán", "O'Brien", "1988-08-18"},
			{"decoy", "Jonas", "Smithers", "1980-02-01"},
		} {
			clients[c.key] = w.MustClient(t, a, c.first, c.last, c.dob)
		}
		clients["mary"] = w.MustClient(t, a, "Mary", "Brown", "1970-01-20", "Mary Greenwood")
		svc := sqldb.NewSearchService(db)
		for _, tc := range []struct {
			name, q, want, reason, alias string
		}{
			{"exact name and date", "Jonathan Smith 01/02/1980", "jonathan", "same date of birth", ""},
			{"one typo in surname", "Jonathan Smtih", "jonathan", "", ""},
			{"one typo in first name", "Jonathon Smith", "jonathan", "", ""},
			{"sounds alike surname", "Jonathan Smyth", "jonathan", "surname sounds alike", ""},
			{"spelling variant", "Catherine Bloggs", "kathryn", "", ""},
			{"nickname", "Kate Jones", "catherine", "nickname of", ""},
			{"swapped names", "Smith Jonathan", "jonathan", "first and last names swapped", ""},
			{"alias", "Mary Greenwood", "mary", "matched alias", "Mary Greenwood"},
			{"transposed date", "Jon Smith 2/1/1980", "jonathan", "day and month swapped", ""},
			{"date in words", "Smith 1 Feb 1980", "jonathan", "same date of birth", ""},
			{"part of double-barrelled surname", "Anna Jones", "anna", "part of surname", ""},
			{"double-barrelled with a space", "Anna Smith Jones", "anna", "", ""},
			{"Mc and Mac", "Fiona McDonald", "fiona", "", ""},
			{"accents", "zoe lefevre", "zoe", "exact name", ""},
			{"apostrophe", "sean obrien", "sean", "exact name", ""},
			{"typed in capitals with punctuation", "O'BRIEN, SEAN", "sean", "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := search(t, svc, a, tc.q, patchwork.ScopeNetwork)
				if len(res.Clients) == 0 {
					t.Fatalf("no results for %q", tc.q)
				}
				got := res.Clients[0]
				if got.ID != clients[tc.want].ID {
					t.Fatalf("%q: first result %s (%v), want %s %s", tc.q, got.Name, got.Reasons, clients[tc.want].FirstName, clients[tc.want].LastName)
				}
				if r := strings.Join(got.Reasons, " · "); !strings.Contains(r, tc.reason) {
					t.Fatalf("%q: reasons %q lack %q", tc.q, r, tc.reason)
				}
				if got.MatchedAlias != tc.alias {
					t.Fatalf("%q: matched alias %q, want %q", tc.q, got.MatchedAlias, tc.alias)
				}
			})
		}
	})
}

func TestSearchPrivacy(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Sam Searcher", w.Council, w.LocalA)
		for i := range patchwork.MaxClientResults + 2 {
			w.MustClient(t, a, "Zed", "Quillfeather", fmt.Sprintf("%d-%02d-%02d", 1960+i, i%12+1, i%28+1))
		}
		svc := sqldb.NewSearchService(db)
		auditRows := func() int {
			var n int
			if err := db.QueryRowForTest(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditClientSearch).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := auditRows()

		for _, q := range []string{"01/01/2000", "2000-01-01", "Z", "Z 01/01/2000", "  "} {
			res := search(t, svc, a, q, patchwork.ScopeNetwork)
			if !res.TooShort || len(res.Clients) > 0 {
				t.Fatalf("%q: TooShort %v, %d clients; want refused", q, res.TooShort, len(res.Clients))
			}
		}
		res := search(t, svc, a, "Zed Quillfeather", patchwork.ScopeNetwork)
		if len(res.Clients) != patchwork.MaxClientResults || !res.MoreClients {
			t.Fatalf("%d clients, more %v; want %d and more", len(res.Clients), res.MoreClients, patchwork.MaxClientResults)
		}
		// The date ranks the namesakes; it hides none (those whose date
		// conflicts come after), and the cap still holds.
		res = search(t, svc, a, "Zed Quillfeather 3/3/1962", patchwork.ScopeNetwork)
		if len(res.Clients) != patchwork.MaxClientResults || res.Clients[0].DateOfBirth != "1962-03-03" || res.Clients[0].Level != "likely" {
			t.Fatalf("date did not rank: %d clients, first %+v", len(res.Clients), res.Clients[0])
		}
		for _, m := range res.Clients[1:] {
			if m.Level == "likely" {
				t.Fatalf("namesake born %s is likely", m.DateOfBirth)
			}
		}
		// An empty result says nothing about records the caller cannot see.
		res = search(t, svc, a, "Nobody Atall", patchwork.ScopeNetwork)
		if len(res.Clients) != 0 || res.MoreClients || res.Counts[patchwork.ScopeNetwork] != 0 {
			t.Fatalf("empty search: %+v", res)
		}

		// Every search is audited, and the audit never holds what was typed.
		if got := auditRows() - before; got != 8 {
			t.Fatalf("%d search audit rows, want 8", got)
		}
		var leaks int
		if err := db.QueryRowForTest(`SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%Quill%' OR detail LIKE '%Zed%'
			OR detail LIKE '%2000%' OR detail LIKE '%Nobody%'`).Scan(&leaks); err != nil {
			t.Fatal(err)
		}
		if leaks != 0 {
			t.Fatalf("%d audit rows hold query text", leaks)
		}
	})
}

func TestSearchRateLimit(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Sam Searcher", w.Council, w.LocalA)
		b := w.MustAgent(t, "Bea Other", w.Council, w.LocalA)
		svc := sqldb.NewSearchService(db)
		svc.RateLimit = 3
		// Refused queries cost nothing: they did not search clients.
		search(t, svc, a, "01/01/2000", "")
		for i := range 3 {
			search(t, svc, a, fmt.Sprintf("Someone %d", i), "")
		}
		_, err := svc.Search(sqldbtest.As(a), patchwork.SearchQuery{Text: "Someone else"})
		if patchwork.ErrorCode(err) != patchwork.ETOOMANYREQUEST || !strings.Contains(patchwork.ErrorMessage(err), "wait") {
			t.Fatalf("fourth search: %v; want ETOOMANYREQUEST asking to wait", err)
		}
		search(t, svc, b, "Someone else", "") // counted per agent
		now := db.Now
		db.Now = func() time.Time { return now().Add(sqldb.DefaultSearchRateWindow + time.Second) }
		defer func() { db.Now = now }()
		search(t, svc, a, "Someone else", "")
	})
}

// TestDuplicateCheckRateLimit covers the duplicate check of a new client
// counting against the search rate limit: it searches the whole network
// and returns join tickets, so checks alone, or checks and searches
// together, reach the limit, per agent.
func TestDuplicateCheckRateLimit(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Sam Searcher", w.Council, w.LocalA)
		b := w.MustAgent(t, "Bea Other", w.Council, w.LocalA)
		w.MustClient(t, a, "Catherine", "Whitlock", "1984-03-09")
		clients, searches := sqldb.NewClientService(db), sqldb.NewSearchService(db)
		clients.RateLimit, searches.RateLimit = 3, 3
		check := func(who *patchwork.Agent) error {
			ms, err := clients.FindPossibleDuplicates(sqldbtest.As(who),
				&patchwork.Client{FirstName: "Katherine", LastName: "Whitlock", DateOfBirth: "09/03/1984"})
			if err == nil && len(ms) == 0 {
				t.Fatal("the duplicate check found nobody")
			}
			return err
		}
		for i := range 2 {
			if err := check(a); err != nil {
				t.Fatalf("check %d: %v", i+1, err)
			}
		}
		search(t, searches, a, "Someone", "")
		if err := check(a); patchwork.ErrorCode(err) != patchwork.ETOOMANYREQUEST || !strings.Contains(patchwork.ErrorMessage(err), "wait") {
			t.Fatalf("check after two checks and a search: %v; want ETOOMANYREQUEST asking to wait", err)
		}
		if _, err := searches.Search(sqldbtest.As(a), patchwork.SearchQuery{Text: "Someone"}); patchwork.ErrorCode(err) != patchwork.ETOOMANYREQUEST {
			t.Fatalf("search after three duplicate checks and searches: %v; want ETOOMANYREQUEST", err)
		}
		if err := check(b); err != nil { // counted per agent
			t.Fatalf("another agent's check: %v", err)
		}
	})
}
