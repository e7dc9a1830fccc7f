package search

import (
	"slices"
	"strings"
	"testing"

	"patchwork"
)

// The matches shown below MinScore (shown.go): what a wrong date of birth,
// a changed surname or a messy record must not hide, and what stays
// hidden.

// reasons returns the reasons of the match of client id, joined as the
// page shows them, or "" when it is not among the matches.
func reasons(res *Result, id int64) string {
	for _, m := range res.Matches {
		if m.ID == id {
			return strings.Join(m.Reasons, " · ")
		}
	}
	return ""
}

// TestConflictingDateShownBelow covers an exact or near name with a date
// of birth that conflicts with the one typed: shown as a possible match,
// labelled, below every client whose date agrees, whatever the areas.
func TestConflictingDateShownBelow(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Olivia", "Brown", "2020-04-02", 2)
	ix.add(2, "Olivia", "Brown", "2019-07-30", 1)
	ix.add(3, "Olivia", "Green", "2020-04-02", 1)
	ix.add(4, "William", "Price", "1990-05-05", 2, "Billy Marsh")
	ix.add(5, "Oliver", "Brown", "2019-01-01", 2)
	e := New(ix)
	for _, tc := range []struct {
		name, text string
		want       []int64 // in order
		label      map[int64]string
	}{
		// Oliver Brown, born in 2019, is a possible match by score, and in
		// the caller's area: first among those whose date agrees.
		{"exact name, year conflicts", "olivia brown 2019", []int64{5, 2, 1},
			map[int64]string{1: "same name · different date of birth"}},
		{"exact name, full date conflicts", "olivia brown 30/07/2018", []int64{2, 1},
			map[int64]string{1: "same name · different date of birth", 2: "date of birth differs by one digit · exact name"}},
		{"typo in the surname", "olivia bronw 2021", []int64{1, 2},
			map[int64]string{1: "same first name · surname sounds alike · different date of birth"}},
		{"swapped order", "brown olivia 2019", []int64{5, 2, 1},
			map[int64]string{1: "same name · first and last names swapped · different date of birth"}},
		{"nickname and alias", "bill marsh 1960", []int64{4},
			map[int64]string{4: "nickname of William · same surname · matched alias · different date of birth"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The conflicting ones are in the caller's own area 2: still
			// below those whose date agrees.
			res := mustMatch(t, e, Query{Text: tc.text, PreferAreas: []int64{2}})
			if got := ids(res); !slices.Equal(got, tc.want) {
				t.Fatalf("%q: %v, want %v", tc.text, got, tc.want)
			}
			for id, want := range tc.label {
				if got := reasons(res, id); got != want {
					t.Errorf("%q: client %d labelled %q, want %q", tc.text, id, got, want)
				}
				if m := res.Matches[slices.Index(ids(res), id)]; m.Level != "possible" {
					t.Errorf("%q: client %d level %q, want possible", tc.text, id, m.Level)
				}
			}
		})
	}
	// A surname alone, a first name alone and another surname with a
	// conflicting date show nobody born in another year.
	for _, text := range []string{"brown 2018", "olivia 2018", "olivia smith 2018", "hamish brown 2020"} {
		res := mustMatch(t, e, Query{Text: text})
		for _, m := range res.Matches {
			if conflicting(m) {
				t.Errorf("%q: client %d shown with a conflicting date (%v)", text, m.ID, m.Reasons)
			}
		}
	}
}

// TestChangedSurnameShown covers the same first name (or a nickname or a
// typo of it) with the same full date of birth and another surname, in
// search and in the duplicate check; another first name or another date
// shows nobody.
func TestChangedSurnameShown(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Olivia", "Brown", "2020-04-02", 1)
	ix.add(2, "Catherine", "Jones", "2011-09-10", 1)
	e := New(ix)
	const label = "same first name and date of birth · different surname"
	for _, tc := range []struct {
		q    Query
		want int64
	}{
		{Query{Text: "olivia smith 2/4/2020"}, 1},
		{Query{Text: "olivea smith 2020-04-02"}, 1},
		{Query{Text: "kate o'neill 10 Sep 2011"}, 2},
		{Query{Client: &patchwork.Client{FirstName: "Olivia", LastName: "Smith", DateOfBirth: "2020-04-02"}}, 1},
		{Query{Client: &patchwork.Client{FirstName: "Cathy", LastName: "Neill", DateOfBirth: "10/09/2011"}}, 2},
		{Query{Text: "emma smith 2/4/2020"}, 0},
		{Query{Text: "olivia smith 3/4/2020"}, 0},
		{Query{Client: &patchwork.Client{FirstName: "Emma", LastName: "Smith", DateOfBirth: "2020-04-02"}}, 0},
	} {
		res := mustMatch(t, e, tc.q)
		name := tc.q.Text
		if tc.q.Client != nil {
			name = "new client " + tc.q.Client.Name()
		}
		if tc.want == 0 {
			if len(res.Matches) != 0 {
				t.Errorf("%s: %v (%s), want nobody", name, ids(res), reasons(res, ids(res)[0]))
			}
			continue
		}
		if got := reasons(res, tc.want); got != label {
			t.Errorf("%s: client %d labelled %q, want %q", name, tc.want, got, label)
		}
	}
}

// TestDuplicateCheckAddressAndPostcode covers the duplicate check's use of
// every field the form collects: the same date of birth with the same
// postcode or address (folded: case, punctuation, Street and St, flat
// numbers) and a first name alike is a possible match; the same postcode
// puts a match first among equals; the new client's other names are
// looked up too; nothing else about the place shows anyone.
func TestDuplicateCheckAddressAndPostcode(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Olivia", "Brown", "2020-04-02", 1)
	ix.place(1, "Flat 3, 12 High Street, Leeds", "LS1 4AB")
	ix.add(2, "Zara", "Brown", "2020-04-02", 1) // a sister, elsewhere
	ix.place(2, "9 Mill Lane", "LS9 9ZZ")
	ix.add(3, "Zara", "Brown", "2020-04-02", 1) // the same girl, at that address
	ix.place(3, "12 High Street", "LS1 4AB")
	ix.add(4, "Mary", "Brennan", "1962-05-05", 1)
	e := New(ix)
	check := func(c *patchwork.Client) *Result {
		t.Helper()
		return mustMatch(t, e, Query{Client: c})
	}

	res := check(&patchwork.Client{FirstName: "Oliver", LastName: "Green", DateOfBirth: "2020-04-02", Postcode: "ls14ab"})
	if got := reasons(res, 1); got != ReasonSameDOBAndPostcode {
		t.Errorf("same date and postcode, first name alike: %q, want %q", got, ReasonSameDOBAndPostcode)
	}
	res = check(&patchwork.Client{FirstName: "Oliver", LastName: "Green", DateOfBirth: "2020-04-02", Address: "3/12 High St."})
	if got := reasons(res, 1); got != ReasonSameDOBAndAddress {
		t.Errorf("same date and address: %q, want %q", got, ReasonSameDOBAndAddress)
	}
	for _, c := range []*patchwork.Client{
		{FirstName: "Oliver", LastName: "Green", DateOfBirth: "2020-04-03", Postcode: "LS1 4AB"},     // another date
		{FirstName: "Hamish", LastName: "Green", DateOfBirth: "2020-04-02", Postcode: "LS1 4AB"},     // another first name
		{FirstName: "Oliver", LastName: "Green", DateOfBirth: "2020-04-02", Address: "12 High Road"}, // another street
	} {
		if res := check(c); reasons(res, 1) != "" {
			t.Errorf("%s born %s at %q %q: shown (%s)", c.Name(), c.DateOfBirth, c.Address, c.Postcode, reasons(res, 1))
		}
	}

	// Two Zara Browns born that day: the one at the new client's postcode
	// first, saying so.
	res = check(&patchwork.Client{FirstName: "Zara", LastName: "Brown", DateOfBirth: "2020-04-02", Postcode: "LS1 4AB"})
	if got := ids(res); len(got) < 2 || got[0] != 3 || got[1] != 2 {
		t.Fatalf("two namesakes: %v, want 3 (same postcode) before 2", got)
	}
	if got := reasons(res, 3); got != "same date of birth · exact name · same postcode" {
		t.Errorf("namesake at the postcode labelled %q", got)
	}

	// The new client's other name finds her under it.
	res = check(&patchwork.Client{FirstName: "Mary", LastName: "Fielding", DateOfBirth: "05/05/1962", Aliases: []string{"Mary Brennan"}})
	if got := ids(res); len(got) == 0 || got[0] != 4 || res.Matches[0].Level != "likely" {
		t.Fatalf("other name: %v, want Mary Brennan as likely", got)
	}
	if got := reasons(res, 4); !strings.Contains(got, ReasonOtherNameYouEntered) {
		t.Errorf("other name labelled %q", got)
	}
}

// TestDuplicateCheckFirstNameBeforeSurname covers the order of the few
// places of the prompt: a first name agreeing with the full date of birth
// (under another surname, or at the same place) comes before namesakes
// who share only a common surname and the date, and those whose date has
// day and month swapped and share only the surname are left out.
func TestDuplicateCheckFirstNameBeforeSurname(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Aisha", "Corpermo", "1981-03-20", 1)
	ix.place(1, "4 Elm Road", "SW41 1IY")
	ix.add(2, "Mia", "Holkelley", "1999-09-05", 1)
	ix.add(3, "Emily", "White", "1993-02-07", 1)
	ix.place(3, "2 Mill Lane", "")
	for i, g := range []string{"Ava", "Grace", "Isla", "Ivy", "Lily", "Rosie"} {
		ix.add(int64(10+i), g, "Smith", "1981-03-20", 1)
		ix.add(int64(20+i), g, "Smith", "1999-09-05", 1)
		ix.add(int64(30+i), g, "Smith", "1993-02-07", 1)
		ix.add(int64(40+i), g, "Smith", "1993-07-02", 1) // day and month swapped
	}
	ix.add(50, "Mia", "Smith", "1999-01-01", 1) // the same name, the same year
	e := New(ix)
	for _, tc := range []struct {
		c    *patchwork.Client
		want int64
	}{
		{&patchwork.Client{FirstName: "Asiha", LastName: "Smith", DateOfBirth: "20/03/1981", Postcode: "SW41 1IY"}, 1},
		{&patchwork.Client{FirstName: "Mia", LastName: "Smith", DateOfBirth: "05/09/1999"}, 2},
		{&patchwork.Client{FirstName: "Milly", LastName: "Smith", DateOfBirth: "07/02/1993", Address: "2 mill lane"}, 3},
	} {
		res := mustMatch(t, e, Query{Client: tc.c, Limit: patchwork.MaxDuplicateMatches})
		if got := ids(res); len(got) == 0 || got[0] != tc.want {
			t.Errorf("%s: %v, want %d first", tc.c.Name(), got, tc.want)
		}
		for _, m := range res.Matches {
			if m.ID >= 40 && m.ID < 50 {
				t.Errorf("%s: %d shown (%v): only the surname and a swapped date agree", tc.c.Name(), m.ID, m.Reasons)
			}
		}
	}
	// Searching, the same order: the first name and full date first.
	res := mustMatch(t, e, Query{Text: "mia smith 5/9/1999"})
	if got := ids(res); len(got) == 0 || got[0] != 2 {
		t.Errorf("search: %v, want 2 first", got)
	}
}
