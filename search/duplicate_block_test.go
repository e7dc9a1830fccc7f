package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"patchwork"
	"patchwork/match"
)

func TestDuplicateBlock(t *testing.T) {
	for _, tc := range []struct {
		dob, want string
		dates     []string
	}{
		{"1984-03-05", "1984-03-05", []string{"1984-03-05", "1984-05-03"}},
		{"1984-05-03", "1984-03-05", []string{"1984-05-03", "1984-03-05"}}, // day and month swapped: one block
		{"1984-05-13", "1984-05-13", []string{"1984-05-13"}},               // 13 is no month
		{"1984-04-04", "1984-04-04", []string{"1984-04-04"}},
		{"1984-02-30", "", nil}, // no such day
		{"1984-05", "", nil},    // no full date
		{"", "", nil},
		{"05/03/1984", "", nil}, // not as stored
	} {
		if got := DuplicateBlock(tc.dob); got != tc.want {
			t.Errorf("DuplicateBlock(%q) = %q, want %q", tc.dob, got, tc.want)
		}
		if got := DuplicateBlockDates(tc.dob); !slices.Equal(got, tc.dates) {
			t.Errorf("DuplicateBlockDates(%q) = %q, want %q", tc.dob, got, tc.dates)
		}
	}
}

// TestJudgeAsDuplicateAsMatch: within a block, JudgeAsDuplicate shows the
// likely matches Match's duplicate check shows, in its order and with its
// reasons, the new client itself taking its place among them.
func TestJudgeAsDuplicateAsMatch(t *testing.T) {
	ix := newMemIndex()
	rows := []struct {
		given, family, dob string
		aliases            []string
	}{
		{"Catherine", "Okafor", "1984-03-05", nil},
		{"Kate", "Okafor", "1984-03-05", nil},
		{"Catherine", "Okafr", "1984-05-03", nil},
		{"Okafor", "Catherine", "1984-03-05", nil},
		{"Catherine", "Brown", "1984-03-05", []string{"Catherine Okafor"}},
		{"Chidi", "Okafor", "1984-03-05", nil}, // a twin
		{"Catherine", "Okafor", "1984-03-06", nil},
	}
	cands := map[int64]*match.Candidate{}
	for i, r := range rows {
		id := int64(i + 1)
		ix.add(id, r.given, r.family, r.dob, 1, r.aliases...)
		if DuplicateBlock(r.dob) == "1984-03-05" {
			c := &match.Candidate{Given: r.given, Family: r.family, DOB: r.dob}
			for _, a := range r.aliases {
				g, f := match.SplitAlias(a)
				c.Aliases = append(c.Aliases, match.Alias{Given: g, Family: f})
			}
			cands[id] = c
		}
	}
	e := New(ix)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, r := range rows[:6] {
		cl := &patchwork.Client{ID: int64(i + 1), FirstName: r.given, LastName: r.family, DateOfBirth: r.dob, Aliases: r.aliases}
		res, err := e.Match(t.Context(), Query{Client: cl, Now: now, Limit: patchwork.MaxDuplicateMatches})
		if err != nil {
			t.Fatal(err)
		}
		want := likelyOnly(res.Matches)
		got := likelyOnly(e.JudgeAsDuplicate(cl, now, cands, patchwork.MaxDuplicateMatches))
		if fmt.Sprint(got) != fmt.Sprint(want) || len(want) == 0 {
			t.Errorf("%s %s: JudgeAsDuplicate %v, Match %v", r.given, r.family, got, want)
		}
		// Catherine Okafor is likely the four after her, and herself
		// first: the cap of five leaves none out.
		if i == 0 && len(want) != patchwork.MaxDuplicateMatches {
			t.Errorf("Catherine Okafor: %d likely matches %v, want herself and four others", len(want), want)
		}
	}
}

func likelyOnly(ms []*patchwork.ClientMatch) []string {
	var out []string
	for _, m := range ms {
		if m.Level == "likely" {
			out = append(out, fmt.Sprintf("%d %v %v", m.ID, m.Score, m.Reasons))
		}
	}
	return out
}

// BenchmarkJudgeAsDuplicate judges one client against a block of 50, the
// size of a block of the statewide data set at a million clients (dates
// of birth over 85 years, days 1 to 28; a day of 12 or less shares its
// block with its swap): what the duplicates queue's scan spends per client
// beside reading.
func BenchmarkJudgeAsDuplicate(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	firsts := []string{"Oliver", "Amelia", "Mohammed", "Siobhan", "Chloe", "Daniel", "Grace", "Thomas", "Aisha", "Liam",
		"Zofia", "Nathan", "Priya", "Connor", "Isla", "Jack", "Noah", "Freya", "Ava", "Leo"}
	lasts := []string{"Smith", "Okafor", "Nguyen", "O'Brien", "MacDonald", "Kowalski", "Patel", "Jones", "Fitzgerald",
		"Harrington", "Abernethy", "Merriweather", "Lindqvist", "Oyelaran", "Brown", "Taylor", "Wojcik", "Castellano"}
	cands := map[int64]*match.Candidate{}
	var clients []*patchwork.Client
	for i := range 50 {
		cl := &patchwork.Client{ID: int64(i + 1), FirstName: firsts[rng.IntN(len(firsts))], LastName: lasts[rng.IntN(len(lasts))],
			DateOfBirth: []string{"1984-03-05", "1984-05-03"}[rng.IntN(2)], Address: fmt.Sprintf("%d High Street", i), Postcode: "AB1 2CD"}
		if i%10 == 0 {
			cl.Aliases = []string{cl.FirstName + " " + lasts[rng.IntN(len(lasts))]}
		}
		c := &match.Candidate{Given: cl.FirstName, Family: cl.LastName, DOB: cl.DateOfBirth, Address: cl.Address, Postcode: cl.Postcode}
		for _, a := range cl.Aliases {
			g, f := match.SplitAlias(a)
			c.Aliases = append(c.Aliases, match.Alias{Given: g, Family: f})
		}
		cands[cl.ID], clients = c, append(clients, cl)
	}
	e := New(newMemIndex())
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.JudgeAsDuplicate(clients[i%len(clients)], now, cands, patchwork.MaxDuplicateMatches)
	}
}
