package searcheval_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"patchwork/demo"
	"patchwork/match"
	"patchwork/searcheval"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestQueryKinds checks that each search query kind of this issue is the
// corruption it says, on a small statewide data set on each database.
func TestQueryKinds(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a small statewide data set")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := demo.LoadStatewide(ctx, db, demo.Statewide{Clients: 400, Agents: 10, Agencies: 3}, io.Discard); err != nil {
			t.Fatal(err)
		}
		for seed := range uint64(8) {
			for _, kind := range []string{searcheval.Exact, searcheval.BothTypo, searcheval.DOBOther,
				searcheval.NewSurname, searcheval.NoGiven} {
				text, r, err := searcheval.MakeQuery(ctx, db, seed, kind)
				if err != nil {
					t.Fatalf("%s: %v", kind, err)
				}
				q := match.ParseQuery(text, time.Now())
				date := q.Date.String()
				words := strings.Fields(text)
				given, family := "", ""
				if len(words) == 3 {
					given, family = words[0], words[1]
				} else if len(words) == 2 {
					family = words[0]
				}
				y, m, d := ymd(t, r.DOB)
				swapped := fmt.Sprintf("%04d-%02d-%02d", y, d, m)
				var ok bool
				switch kind {
				case searcheval.Exact:
					ok = text == fmt.Sprintf("%s %s %02d/%02d/%04d", r.First, r.Last, d, m, y)
				case searcheval.BothTypo:
					ok = date == r.DOB && given != r.First && family != r.Last &&
						oneSlip(strings.ToLower(given), strings.ToLower(r.First)) && oneSlip(strings.ToLower(family), strings.ToLower(r.Last))
				case searcheval.DOBOther:
					ok = given == r.First && family == r.Last && q.Date.Day != 0 && date != r.DOB && date != swapped
				case searcheval.NewSurname:
					ok = given == r.First && date == r.DOB && family != "" && match.Fold(family) != match.Fold(r.Last)
				case searcheval.NoGiven:
					ok = len(words) == 2 && family == r.Last && date == r.DOB
				}
				if !ok {
					t.Errorf("%s: query %q for %s %s %s", kind, text, r.First, r.Last, r.DOB)
				}
			}
		}
	})
}

// TestDuplicateKinds checks that each kind of submission to the duplicate
// check is the copy it says, that every submission passes the add-client
// form's validation, and that an unrelated new client's name is nobody's.
func TestDuplicateKinds(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a small statewide data set")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := demo.LoadStatewide(ctx, db, demo.Statewide{Clients: 400, Agents: 10, Agencies: 3}, io.Discard); err != nil {
			t.Fatal(err)
		}
		for seed := range uint64(6) {
			for _, kind := range searcheval.DupKinds {
				s, err := searcheval.MakeDuplicate(ctx, db, seed, kind, false)
				if err != nil {
					t.Fatalf("%s: %v", kind.Name, err)
				}
				c, r := s.Client, s.Record
				v := c
				if err := v.Validate(s.DOBTyped, time.Now()); err != nil {
					t.Fatalf("%s: %+v does not pass the form's validation: %v", kind.Name, c, err)
				}
				y, m, d := ymd(t, r.DOB)
				sameDOB := v.DateOfBirth == r.DOB
				sameFirst, sameLast := c.FirstName == r.First, c.LastName == r.Last
				otherLast := match.Fold(c.LastName) != match.Fold(r.Last)
				// Unless the kind sets them, the address and postcode are
				// the record's, written differently, or left out.
				addrKept := (c.Address == "" && c.Postcode == "") ||
					(sameAddress(c.Address, r.Address) && strings.EqualFold(strings.ReplaceAll(c.Postcode, " ", ""), strings.ReplaceAll(r.Postcode, " ", "")))
				var ok bool
				switch kind {
				case searcheval.DupExact:
					ok = sameFirst && sameLast && sameDOB && addrKept
				case searcheval.DupTypo:
					ok = sameFirst && !sameLast && oneSlip(strings.ToLower(c.LastName), strings.ToLower(r.Last)) && sameDOB && addrKept
				case searcheval.DupBothTypo:
					ok = !sameFirst && !sameLast && oneSlip(strings.ToLower(c.FirstName), strings.ToLower(r.First)) &&
						oneSlip(strings.ToLower(c.LastName), strings.ToLower(r.Last)) && sameDOB && addrKept
				case searcheval.DupPhonetic:
					ok = (sameFirst != sameLast) && sameDOB && addrKept
				case searcheval.DupNickname:
					ok = !sameFirst && len(match.NameGroups(strings.ToLower(c.FirstName))) > 0 && sameLast && sameDOB && addrKept
				case searcheval.DupSwapped:
					ok = c.FirstName == r.Last && c.LastName == r.First && sameDOB && addrKept
				case searcheval.DupDOBSwapped:
					ok = sameFirst && sameLast && v.DateOfBirth == fmt.Sprintf("%04d-%02d-%02d", y, d, m) && d != m && addrKept
				case searcheval.DupDOBOther:
					ok = sameFirst && sameLast && !sameDOB && v.DateOfBirth != fmt.Sprintf("%04d-%02d-%02d", y, d, m) && addrKept
				case searcheval.DupNewSurname:
					ok = sameFirst && otherLast && sameDOB && len(c.Aliases) == 0
				case searcheval.DupFormerName:
					ok = sameFirst && otherLast && sameDOB && len(c.Aliases) == 1 && c.Aliases[0] == r.First+" "+r.Last
				case searcheval.DupInitial:
					ok = c.FirstName == r.First[:1] && sameLast && sameDOB && addrKept
				case searcheval.DupPostcode:
					ok = !sameFirst && oneSlip(strings.ToLower(c.FirstName), strings.ToLower(r.First)) && otherLast && sameDOB &&
						c.Postcode == r.Postcode && c.Postcode != ""
				case searcheval.DupAddress:
					ok = !sameFirst && otherLast && sameDOB && c.Postcode == "" && c.Address != r.Address && sameAddress(c.Address, r.Address)
				case searcheval.DupNoName:
					ok = match.Fold(c.FirstName) != match.Fold(r.First) && otherLast && sameDOB &&
						c.Address == r.Address && c.Postcode == r.Postcode && c.Address != ""
				}
				if !ok {
					t.Errorf("%s: submitted %+v (DOB %q) for %+v", kind.Name, c, s.DOBTyped, r)
				}
			}
			s, err := searcheval.MakeDuplicate(ctx, db, seed, searcheval.DupKind{}, true)
			if err != nil {
				t.Fatal(err)
			}
			c := s.Client
			if err := c.Validate(s.DOBTyped, time.Now()); err != nil {
				t.Fatalf("unrelated %+v: %v", s.Client, err)
			}
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM client_names WHERE given_norm = $1 AND family_norm = $2`,
				match.Fold(c.FirstName), match.Fold(c.LastName)); n != 0 || s.Record.ID != 0 {
				t.Errorf("unrelated %s %s: %d clients have the name, record %+v", c.FirstName, c.LastName, n, s.Record)
			}
		}
	})
}

// sameAddress reports whether a and b are the same address written
// differently: case, a comma after the number, the street kind abbreviated.
func sameAddress(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.ReplaceAll(s, ",", ""))
		for short, long := range map[string]string{" rd": " road", " st": " street", " ln": " lane", " ave": " avenue",
			" cl": " close", " dr": " drive", " cres": " crescent"} {
			if strings.HasSuffix(s, short) {
				s = strings.TrimSuffix(s, short) + long
			}
		}
		return s
	}
	return a != "" && norm(a) == norm(b)
}

// oneSlip reports whether a is b with one letter replaced, dropped,
// inserted or swapped with the next.
func oneSlip(a, b string) bool {
	if a == b {
		return false
	}
	switch {
	case len(a) == len(b):
		var diff []int
		for i := range a {
			if a[i] != b[i] {
				diff = append(diff, i)
			}
		}
		return len(diff) == 1 || (len(diff) == 2 && diff[1] == diff[0]+1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]])
	case len(a) == len(b)+1:
		a, b = b, a
		fallthrough
	case len(a)+1 == len(b):
		for i := range b {
			if b[:i]+b[i+1:] == a {
				return true
			}
		}
	}
	return false
}

func ymd(t *testing.T, dob string) (y, m, d int) {
	t.Helper()
	if _, err := fmt.Sscanf(dob, "%d-%d-%d", &y, &m, &d); err != nil {
		t.Fatalf("date of birth %q: %v", dob, err)
	}
	return y, m, d
}
