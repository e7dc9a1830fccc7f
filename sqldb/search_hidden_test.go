package sqldb_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// No hidden client: what a wrong date of birth, a changed surname or a
// messy record must not hide, in search and in the duplicate check of a
// new client, on both databases (docs/search-names.md, "Shown whatever
// the score").

// labelOf returns how the result for client id is labelled, "" when it
// is not among ms.
func labelOf(ms []*patchwork.ClientMatch, id int64) string {
	for _, m := range ms {
		if m.ID == id {
			return m.Level + ": " + strings.Join(m.Reasons, " · ")
		}
	}
	return ""
}

func resultIDs(ms []*patchwork.ClientMatch) []int64 {
	var ids []int64
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

// TestSearchDoesNotHideOnDate covers search with a name in the query: an
// exact or near name with a conflicting date of birth is shown below every
// client whose date agrees, labelled; the same first name and full date
// with another surname is shown; a date alone still finds nobody, and a
// conflicting-date result shows only what any result shows.
func TestSearchDoesNotHideOnDate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Sam Searcher", w.Council, w.LocalA)
		olivia := w.MustClient(t, a, "Olivia", "Brown", "2020-04-02")
		older := w.MustClient(t, a, "Olivia", "Brown", "2019-07-30")
		kate := w.MustClient(t, a, "Catherine", "Okafor", "2011-09-10", "Kate Mensah")
		w.MustClient(t, a, "Hamish", "Brown", "2015-01-01")
		svc := sqldb.NewSearchService(db)
		for _, tc := range []struct {
			q     string
			want  []int64 // first results, in order
			label map[int64]string
		}{
			{"olivia brown 2019", []int64{older.ID, olivia.ID},
				map[int64]string{olivia.ID: "possible: same name · different date of birth"}},
			{"Olivia Brown 2/4/2020", []int64{olivia.ID, older.ID},
				map[int64]string{olivia.ID: "likely: same date of birth · exact name"}},
			{"olivia brown 05/06/2001", []int64{olivia.ID, older.ID},
				map[int64]string{older.ID: "possible: same name · different date of birth"}},
			{"olivai brown 2001", []int64{olivia.ID, older.ID},
				map[int64]string{olivia.ID: "possible: first name sounds alike · same surname · different date of birth"}},
			{"brown olivia 2001", []int64{olivia.ID, older.ID},
				map[int64]string{olivia.ID: "possible: same name · first and last names swapped · different date of birth"}},
			{"kate mensah 1999", []int64{kate.ID},
				map[int64]string{kate.ID: "possible: same name · matched alias · different date of birth"}},
			{"olivia smith 02/04/2020", []int64{olivia.ID},
				map[int64]string{olivia.ID: "possible: same first name and date of birth · different surname"}},
			{"kate johnson 10.09.2011", []int64{kate.ID},
				map[int64]string{kate.ID: "possible: same first name and date of birth · different surname"}},
			{"emma smith 02/04/2020", nil, nil},
			{"brown 2001", []int64{}, nil}, // a surname alone: no conflicting dates
		} {
			t.Run(tc.q, func(t *testing.T) {
				res := search(t, svc, a, tc.q, patchwork.ScopeNetwork)
				got := resultIDs(res.Clients)
				if len(got) < len(tc.want) || !slices.Equal(got[:len(tc.want)], tc.want) {
					t.Fatalf("%q: results %v, want %v first", tc.q, got, tc.want)
				}
				if tc.want == nil && len(got) > 0 {
					t.Fatalf("%q: results %v, want none", tc.q, got)
				}
				for id, want := range tc.label {
					if got := labelOf(res.Clients, id); got != want {
						t.Errorf("%q: client %d is %q, want %q", tc.q, id, got, want)
					}
				}
				for _, m := range res.Clients {
					if tc.q == "brown 2001" && slices.Contains(m.Reasons, "different date of birth") {
						t.Errorf("%q: %s shown with a conflicting date", tc.q, m.Name)
					}
				}
			})
		}

		// A date alone, with or without a conflict, finds nobody.
		for _, q := range []string{"02/04/2020", "2019", "2 April 2020"} {
			if res := search(t, svc, a, q, patchwork.ScopeNetwork); !res.TooShort || len(res.Clients) != 0 {
				t.Errorf("%q: too short %v, %d clients; want refused", q, res.TooShort, len(res.Clients))
			}
		}

		// A conflicting-date result shows what the same client shows when
		// the date agrees, and nothing more.
		conflict := search(t, svc, a, "olivia brown 2019", patchwork.ScopeNetwork).Clients
		agree := search(t, svc, a, "olivia brown 2/4/2020", patchwork.ScopeNetwork).Clients
		c, g := conflict[slices.Index(resultIDs(conflict), olivia.ID)], agree[0]
		if c.Name != g.Name || c.DateOfBirth != g.DateOfBirth || c.LocalArea != g.LocalArea || c.TeamSize != g.TeamSize ||
			c.AgencyCount != g.AgencyCount || c.IsMember != g.IsMember || c.MatchedAlias != "" {
			t.Errorf("conflicting-date result %+v differs from %+v", c, g)
		}
		var fields []string
		for f := range reflect.TypeFor[patchwork.ClientMatch]().Fields() {
			fields = append(fields, f.Name)
		}
		if want := []string{"ID", "Name", "MatchedAlias", "DateOfBirth", "LocalArea", "TeamSize", "AgencyCount",
			"IsMember", "Score", "Reasons", "Level", "JoinTicket"}; !slices.Equal(fields, want) {
			t.Errorf("a result carries %v, want only %v (docs/security.md, rule 2)", fields, want)
		}
	})
}

// TestSearchCapWithConflictingDates covers the 20-result cap when many
// namesakes conflict with the date typed: those whose year agrees first,
// then the rest, never more than 20.
func TestSearchCapWithConflictingDates(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Sam Searcher", w.Council, w.LocalA)
		for i := range patchwork.MaxClientResults + 3 {
			w.MustClient(t, a, "Zed", "Quillfeather", fmt.Sprintf("%d-03-03", 1960+i))
		}
		res := search(t, sqldb.NewSearchService(db), a, "Zed Quillfeather 1980", patchwork.ScopeNetwork)
		if len(res.Clients) != patchwork.MaxClientResults || !res.MoreClients {
			t.Fatalf("%d clients, more %v; want %d and more", len(res.Clients), res.MoreClients, patchwork.MaxClientResults)
		}
		if res.Clients[0].DateOfBirth != "1980-03-03" {
			t.Errorf("first result born %s, want the one born in 1980", res.Clients[0].DateOfBirth)
		}
	})
}

// TestDuplicateCheckEveryField covers the add-client duplicate check with
// every field the form collects: a conflicting date of birth, a changed
// surname, the same date and postcode or address, the new client's other
// names, and the cap of MaxDuplicateMatches, most alike first.
func TestDuplicateCheckEveryField(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Sam Searcher", w.Council, w.LocalA)
		b := w.MustAgent(t, "Bea Adder", w.Council, w.LocalB)
		mk := func(first, last, dob, address, postcode string, aliases ...string) *patchwork.Client {
			return w.MustCreateClient(t, a, &patchwork.Client{FirstName: first, LastName: last, DateOfBirth: dob,
				Address: address, Postcode: postcode, Aliases: aliases})
		}
		olivia := mk("Olivia", "Brown", "2020-04-02", "Flat 3, 12 High Street", "LS1 4AB")
		mary := mk("Mary", "Brennan", "1962-05-05", "", "", "Mary Fielding")
		svc := sqldb.NewClientService(db)
		svc.RateLimit = 0
		for _, tc := range []struct {
			name  string
			c     patchwork.Client
			want  int64 // 0: nobody
			label string
		}{
			{"exact name, another date", patchwork.Client{FirstName: "Olivia", LastName: "Brown", DateOfBirth: "2019-05-05"},
				olivia.ID, "possible: same name · different date of birth"},
			{"changed surname", patchwork.Client{FirstName: "Olivia", LastName: "Smith", DateOfBirth: "2020-04-02"},
				olivia.ID, "possible: same first name and date of birth · different surname"},
			{"date and postcode", patchwork.Client{FirstName: "Oliver", LastName: "Green", DateOfBirth: "2020-04-02", Postcode: "ls1 4ab"},
				olivia.ID, "possible: same date of birth and postcode"},
			{"date and address", patchwork.Client{FirstName: "Oliver", LastName: "Green", DateOfBirth: "2020-04-02", Address: "3/12 High St."},
				olivia.ID, "possible: same date of birth and address"},
			{"likely, at the address", patchwork.Client{FirstName: "Olivia", LastName: "Browne", DateOfBirth: "2020-04-02", Postcode: "LS1 4AB"},
				olivia.ID, "likely: same date of birth · same first name · surname sounds alike · same postcode"},
			{"the new client's other name", patchwork.Client{FirstName: "Mary", LastName: "Okoro", DateOfBirth: "1962-05-05",
				Aliases: []string{"Mary Brennan"}}, mary.ID, "likely: same date of birth · exact name · matches another name you entered"},
			{"a date as typed", patchwork.Client{FirstName: "Mary", LastName: "Brennan", DateOfBirth: "5 May 1962"},
				mary.ID, "likely: same date of birth · exact name"},
			{"date and postcode, another first name", patchwork.Client{FirstName: "Hamish", LastName: "Green", DateOfBirth: "2020-04-02",
				Postcode: "LS1 4AB"}, 0, ""},
			{"postcode, another date", patchwork.Client{FirstName: "Oliver", LastName: "Green", DateOfBirth: "2020-04-03",
				Postcode: "LS1 4AB"}, 0, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ms, err := svc.FindPossibleDuplicates(sqldbtest.As(b), &tc.c)
				if err != nil {
					t.Fatal(err)
				}
				if tc.want == 0 {
					if len(ms) != 0 {
						t.Fatalf("%s: %v (%s), want nobody", tc.name, resultIDs(ms), labelOf(ms, ms[0].ID))
					}
					return
				}
				if len(ms) == 0 || ms[0].ID != tc.want {
					t.Fatalf("%s: %v, want client %d first", tc.name, resultIDs(ms), tc.want)
				}
				if got := labelOf(ms, tc.want); got != tc.label {
					t.Errorf("%s: %q, want %q", tc.name, got, tc.label)
				}
				if ms[0].JoinTicket == "" || ms[0].IsMember {
					t.Errorf("%s: another agent's result should offer Join team with a ticket", tc.name)
				}
			})
		}

		// Many namesakes: at most five, those whose date agrees first.
		for i := range 7 {
			mk("Priya", "Ramanathan", fmt.Sprintf("19%02d-01-01", 70+i), "", "")
		}
		ms, err := svc.FindPossibleDuplicates(sqldbtest.As(b), &patchwork.Client{FirstName: "Priya", LastName: "Ramanathan", DateOfBirth: "1975-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != patchwork.MaxDuplicateMatches || ms[0].DateOfBirth != "1975-01-01" || ms[0].Level != "likely" {
			t.Fatalf("namesakes: %d shown, first %+v; want %d, the one born 1 January 1975 first", len(ms), ms[0], patchwork.MaxDuplicateMatches)
		}
		for _, m := range ms[1:] {
			if m.Level != "possible" || len(m.Reasons) == 0 {
				t.Errorf("namesake %s: level %q, reasons %v", m.DateOfBirth, m.Level, m.Reasons)
			}
		}
	})
}
