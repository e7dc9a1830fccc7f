package search

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/match"
)

// The engine against an index in memory (memIndex): what it finds, in
// which order, and how many lookups a query costs. store_test.go runs it on
// the store's indexes on both databases.

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func mustMatch(t *testing.T, e *Engine, q Query) *Result {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 10
	}
	q.Now = now
	res, err := e.Match(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func ids(res *Result) []int64 { return matchIDs(res.Matches) }

// TestMatchNameAndDOBIsOneLookup covers the fast path of a name with a full
// date of birth: the exact name and the date find a likely match, so the
// key index is never read and the whole search is one Load.
func TestMatchNameAndDOBIsOneLookup(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Catherine", "Smith", "1980-02-01", 1)
	ix.add(2, "Catherine", "Smith", "1975-07-09", 1)
	ix.add(3, "Cathy", "Jones", "1980-02-01", 1)
	res := mustMatch(t, New(ix), Query{Text: "Catherine Smith 01/02/1980"})
	if got := ids(res); len(got) == 0 || got[0] != 1 || res.Matches[0].Level != "likely" {
		t.Fatalf("matches %v, want client 1 first and likely", got)
	}
	// Cathy is Catherine's nickname: born the same day under another
	// surname, she may be the same girl; the namesake born another day
	// comes last.
	if got := ids(res); !slices.Equal(got, []int64{1, 3, 2}) {
		t.Errorf("matches %v, want [1 3 2]: the same person, then a changed surname, then a conflicting date", got)
	}
	if !slices.Equal(ix.calls, []string{"Load"}) {
		t.Errorf("calls %v, want one Load", ix.calls)
	}
	l := ix.lookups[0]
	if !slices.Equal(l.DOBs, []string{"1980-02-01", "1980-01-02"}) || len(l.Names) != 1 || l.AreaIDs != nil {
		t.Errorf("lookup %+v: want the name, the date and its day-month swap, network-wide", l)
	}
}

// TestMatchDOBWithoutLikelyName covers a full date of birth whose lookup
// finds no likely match (the name's only client was born on another day):
// the key index is read, then the names, the prefixes and the dates are
// one Find, and what it adds is loaded at most once.
func TestMatchDOBWithoutLikelyName(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Catherine", "Smith", "1980-02-01", 1)
	ix.add(2, "Ravi", "Smith", "1985-04-03", 1)
	mustMatch(t, New(ix), Query{Text: "Catherine Smith 03/04/1985"})
	if ix.count("Load") != 1 || ix.count("Find") != 1 || ix.count("KeyClients") != 1 || ix.count("Candidates") > 1 {
		t.Errorf("calls %v: want one Load, one key read, one Find, at most one Candidates", ix.calls)
	}
	for _, l := range ix.lookups {
		if !slices.Equal(l.DOBs, []string{"1985-04-03", "1985-03-04"}) || len(l.Names) != 1 {
			t.Errorf("lookup %+v: want the name and the dates in one lookup", l)
		}
	}
}

// TestMatchTypoAndSound covers name-only queries found through the key
// index: a one-letter slip in the surname, a sound-alike, a nickname and
// an alias, each with the reason it matched.
func TestMatchTypoAndSound(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Catherine", "Smith", "1980-02-01", 1)
	ix.add(2, "Jonathan", "Okonkwo", "1990-03-04", 1)
	ix.add(3, "William", "Price", "1955-11-30", 1)
	ix.add(4, "Mary", "Fielding", "1962-05-05", 1, "Mary Brennan")
	ix.add(5, "Zachary", "Quill", "2001-01-01", 1)
	e := New(ix)
	for _, tc := range []struct {
		text   string
		want   int64
		reason string
	}{
		{"Catherine Smiht", 1, ""},
		{"Jonathon Okonkwo", 2, ""},
		{"Bill Price", 3, "nickname"},
		{"Mary Brennan", 4, "matched alias"},
	} {
		res := mustMatch(t, e, Query{Text: tc.text})
		if got := ids(res); len(got) == 0 || got[0] != tc.want {
			t.Errorf("%q: matches %v, want %d first", tc.text, got, tc.want)
			continue
		}
		m := res.Matches[0]
		if len(m.Reasons) == 0 || m.Score < MinScore {
			t.Errorf("%q: score %v, reasons %v", tc.text, m.Score, m.Reasons)
		}
		if tc.reason != "" && !slices.ContainsFunc(m.Reasons, func(r string) bool { return strings.HasPrefix(r, tc.reason) }) {
			t.Errorf("%q: reasons %v, want %q", tc.text, m.Reasons, tc.reason)
		}
		if tc.reason == "matched alias" && m.MatchedAlias != "Mary Brennan" {
			t.Errorf("%q: matched alias %q", tc.text, m.MatchedAlias)
		}
	}
}

// TestMatchTooShort covers the privacy rule that a query must name someone
// (docs/security.md): nothing is looked up at all.
func TestMatchTooShort(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "A", "B", "1980-02-01", 1)
	for _, text := range []string{"", "a", "a b 01/02/1980", "1980"} {
		res := mustMatch(t, New(ix), Query{Text: text})
		if !res.TooShort || len(res.Matches) != 0 {
			t.Errorf("%q: too short %v, matches %v", text, res.TooShort, ids(res))
		}
	}
	if len(ix.calls) != 0 {
		t.Errorf("calls %v, want none", ix.calls)
	}
}

// TestMatchScopesCountsAndPreference covers the area questions: a search
// within areas returns only clients there, counts every scope asked, and
// among matches of the same level puts the caller's own areas first.
func TestMatchScopesCountsAndPreference(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Priya", "Ramanathan", "1971-04-04", 2)
	ix.add(2, "Priya", "Ramanathan", "1983-09-09", 1)
	ix.add(3, "Priya", "Ramanathan", "1990-12-12", 3)
	e := New(ix)
	scopes := map[string][]int64{"local": {1}, "district": {1, 2}, "network": nil}

	res := mustMatch(t, e, Query{Text: "Priya Ramanathan", AreaIDs: []int64{1, 2}, CountAreas: scopes})
	if got := ids(res); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("within areas 1 and 2: %v, want [1 2]", got)
	}
	if res.Counts["local"] != 1 || res.Counts["district"] != 2 || res.Counts["network"] != 3 {
		t.Errorf("counts %v, want local 1, district 2, network 3", res.Counts)
	}

	res = mustMatch(t, e, Query{Text: "Priya Ramanathan", PreferAreas: []int64{3}})
	if got := ids(res); !slices.Equal(got, []int64{3, 1, 2}) {
		t.Errorf("preferring area 3: %v, want [3 1 2]", got)
	}

	res = mustMatch(t, e, Query{Text: "Priya Ramanathan", AreaIDs: []int64{}})
	if len(res.Matches) != 0 {
		t.Errorf("within no areas: %v, want nobody", ids(res))
	}

	res = mustMatch(t, e, Query{Text: "Priya Ramanathan", Limit: 2})
	if len(res.Matches) != 2 {
		t.Errorf("limit 2: %v", ids(res))
	}
}

// TestMatchDuplicateCheck covers the add-client form's details: the date
// of birth ranks namesakes, and a conflicting date keeps a namesake below
// the one who agrees.
func TestMatchDuplicateCheck(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Tomasz", "Kowalczyk", "1988-10-10", 1)
	ix.add(2, "Tomasz", "Kowalczyk", "1950-01-01", 1)
	res := mustMatch(t, New(ix), Query{Client: &patchwork.Client{FirstName: "Tomasz", LastName: "Kowalczyk", DateOfBirth: "1988-10-10"}})
	if got := ids(res); len(got) == 0 || got[0] != 1 {
		t.Errorf("duplicate check: %v, want 1 first", got)
	}
}

// TestKeyRankingRareKeyFirst covers the key stage's ranking: the one client
// sharing a rare typo key of the surname comes before a crowd sharing every
// key of the common given name, even when the crowd overflows the limit.
func TestKeyRankingRareKeyFirst(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Rosie", "Fenpergil", "1968-08-05", 1)
	for i := range 30 {
		ix.add(int64(100+i), "Rosie", "Rose", fmt.Sprintf("19%02d-01-01", 50+i), 1)
	}
	e := New(ix)
	got, err := e.keyCandidates(context.Background(), match.QueryKeys([]string{"Rosie Fzenpergil"}), nil, 10, keyRowBudget)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 || got[0] != 1 {
		t.Errorf("key candidates %v, want 10 with client 1 first", got)
	}
	res := mustMatch(t, e, Query{Text: "Rosie Fzenpergil"})
	if m := ids(res); len(m) == 0 || m[0] != 1 {
		t.Errorf("search %v, want client 1 first", m)
	}
}

// TestKeyBudget covers the bound on key rows read: keys are read rarest
// first until the budget is spent (the rarest always), and a budget for
// all of them reads every key.
func TestKeyBudget(t *testing.T) {
	ix := newMemIndex()
	for i := range 40 {
		ix.add(int64(i+1), "Olivia", fmt.Sprintf("Woodl%c", 'a'+i%20), "1970-01-01", 1)
	}
	ctx := context.Background()
	keys := match.QueryKeys([]string{"Olivia Woodla"})
	counts, err := ix.KeyCounts(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	rarest, total := counts[0].N, 0
	for _, c := range counts {
		rarest, total = min(rarest, c.N), total+c.N
	}
	if rarest == total {
		t.Fatalf("key counts %v: the test needs keys of different rarity", counts)
	}
	spy := &budgetIndex{memIndex: ix}
	if _, err := New(spy).keyCandidates(ctx, keys, nil, 100, rarest); err != nil {
		t.Fatal(err)
	}
	if spy.keys == 0 || spy.read > rarest {
		t.Errorf("budget %d: read %d key rows of %d keys", rarest, spy.read, spy.keys)
	}
	spy.keys, spy.read = 0, 0
	if _, err := New(spy).keyCandidates(ctx, keys, nil, 100, total); err != nil {
		t.Fatal(err)
	}
	if spy.keys != len(counts) || spy.read != total {
		t.Errorf("budget %d: read %d key rows of %d keys, want all %d of %d", total, spy.read, spy.keys, total, len(counts))
	}
}

// budgetIndex counts the key rows the engine asks for.
type budgetIndex struct {
	*memIndex
	read, keys int
}

func (b *budgetIndex) KeyClients(ctx context.Context, keys []match.NameKey, areaIDs []int64, add func(int, int64)) error {
	b.keys += len(keys)
	return b.memIndex.KeyClients(ctx, keys, areaIDs, func(i int, id int64) {
		b.read++
		add(i, id)
	})
}

// TestCorrectedSpellings covers the look-up of corrected spellings after a
// cut-off key index: a close spelling seen among the candidates is looked
// up by exact name, in one Load of every correction, and the client it
// finds is added to the candidates.
func TestCorrectedSpellings(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Sophia", "Orlo", "1999-09-09", 1)
	ix.add(2, "Sophie", "Orlo", "1998-08-08", 1)
	e := New(ix)
	cands := map[int64]*match.Candidate{2: {Given: "Sophie", Family: "Orlo", DOB: "1998-08-08"}}
	got, err := e.corrected(context.Background(), []string{"sophia", "orllo"}, nil, cands)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int64{1}) || cands[1] == nil {
		t.Errorf("corrected %v, candidates %v: want client 1 added", got, cands)
	}
	// One KeyCounts asks which words are rare enough to be slipped.
	if !slices.Equal(ix.calls, []string{"KeyCounts", "Load"}) || !slices.ContainsFunc(ix.lookups[0].Names, func(r []string) bool {
		return slices.Equal(r, []string{"sophia", "orlo"})
	}) {
		t.Errorf("calls %v, lookups %+v: want one Load reading sophia orlo", ix.calls, ix.lookups)
	}
}

// TestCorrectedSlips covers the slips of a rare word looked up beside the
// other word as typed: a letter too many ("Elnso" for Elso) and two letters
// swapped ("Moroe" for Moore) find the client though no candidate shows
// the spelling; a word many clients hold is not slipped.
func TestCorrectedSlips(t *testing.T) {
	ix := newMemIndex()
	ix.add(1, "Olivia", "Elso", "1942-08-06", 1)
	ix.add(2, "Niamh", "Moore", "2019-06-10", 1)
	ix.add(3, "Olivia", "Elson", "1950-01-01", 1) // two edits from "elnso"
	for i := range slipRare {
		ix.add(int64(100+i), "Niamh", "Other"+strconv.Itoa(i), "2000-01-01", 1)
	}
	e := New(ix)
	for _, c := range []struct {
		tokens []string
		want   []int64
	}{
		{[]string{"olivia", "elnso"}, []int64{1}},
		{[]string{"moroe", "niamh"}, []int64{2}},
	} {
		ix.calls, ix.lookups = nil, nil
		got, err := e.corrected(context.Background(), c.tokens, nil, map[int64]*match.Candidate{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: corrected %v, want %v", c.tokens, got, c.want)
		}
		// "niamh" is held by more than slipRare clients: only the other
		// word is slipped.
		for _, l := range ix.lookups {
			for _, s := range l.Slips {
				if slices.Contains(s.Variants, "nimh") || slices.Contains(s.Variants, "niam") {
					t.Errorf("%v: a common word was slipped: %+v", c.tokens, s)
				}
			}
		}
	}
}
