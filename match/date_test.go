package match

import (
	"testing"
	"time"
)

var testNow = time.Date(2026, time.June, 15, 12, 0, 0, 0, time.UTC)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want DateQuery
		ok   bool
	}{
		{"2010-02-01", DateQuery{2010, 2, 1}, true},
		{"2010/2/1", DateQuery{2010, 2, 1}, true},
		{"1/2/2010", DateQuery{2010, 2, 1}, true},
		{"01/02/2010", DateQuery{2010, 2, 1}, true},
		{"01.02.2010", DateQuery{2010, 2, 1}, true},
		{"1-2-2010", DateQuery{2010, 2, 1}, true},
		{"13/12/2010", DateQuery{2010, 12, 13}, true},
		{"1 Feb 2010", DateQuery{2010, 2, 1}, true},
		{"1 February 2010", DateQuery{2010, 2, 1}, true},
		{"1st February, 2010", DateQuery{2010, 2, 1}, true},
		{"22nd Sept 1975", DateQuery{1975, 9, 22}, true},
		{"1-Feb-2010", DateQuery{2010, 2, 1}, true},
		{"  1   FEB   2010 ", DateQuery{2010, 2, 1}, true},
		{"Feb 2010", DateQuery{2010, 2, 0}, true},
		{"February 2010", DateQuery{2010, 2, 0}, true},
		{"feb. 2010", DateQuery{2010, 2, 0}, true},
		{"2/2010", DateQuery{2010, 2, 0}, true},
		{"2010-02", DateQuery{2010, 2, 0}, true},
		{"2010", DateQuery{2010, 0, 0}, true},
		{"1900", DateQuery{1900, 0, 0}, true},
		{"2026", DateQuery{2026, 0, 0}, true},
		// Two-digit years: the latest century that is not in the future.
		{"1/2/10", DateQuery{2010, 2, 1}, true},
		{"1/2/26", DateQuery{2026, 2, 1}, true},
		{"1/12/26", DateQuery{1926, 12, 1}, true},
		{"1/2/85", DateQuery{1985, 2, 1}, true},
		{"1 Feb 85", DateQuery{1985, 2, 1}, true},
		{"29/02/2012", DateQuery{2012, 2, 29}, true},
		// Rejections.
		{"31/02/2010", DateQuery{}, false},
		{"29/02/2011", DateQuery{}, false},
		{"0/1/2010", DateQuery{}, false},
		{"1/13/2010", DateQuery{}, false},
		{"2010-13-01", DateQuery{}, false},
		{"1899", DateQuery{}, false},
		{"2027", DateQuery{}, false},
		{"3000", DateQuery{}, false},
		{"1/7/2026", DateQuery{}, false},
		{"Jul 2026", DateQuery{}, false},
		{"1 Foo 2010", DateQuery{}, false},
		{"Smith 2010", DateQuery{}, false},
		{"May", DateQuery{}, false},
		{"12", DateQuery{}, false},
		{"01022010", DateQuery{}, false},
		{"", DateQuery{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseDate(tt.in, testNow)
			if ok != tt.ok || got != tt.want {
				t.Errorf("ParseDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestDateQueryString(t *testing.T) {
	tests := []struct {
		d    DateQuery
		want string
	}{
		{DateQuery{2010, 2, 1}, "2010-02-01"},
		{DateQuery{2010, 2, 0}, "2010-02"},
		{DateQuery{2010, 0, 0}, "2010"},
		{DateQuery{}, ""},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestDateQueryMatch(t *testing.T) {
	full := DateQuery{2010, 2, 1}
	tests := []struct {
		name string
		q    DateQuery
		dob  string
		want DateMatch
	}{
		{"exact", full, "2010-02-01", DateExact},
		{"swapped", full, "2010-01-02", DateSwapped},
		{"one digit in year", full, "2011-02-01", DateOneDigit},
		{"one digit in day", full, "2010-02-07", DateOneDigit},
		{"adjacent digits swapped", DateQuery{1985, 3, 12}, "1958-03-12", DateOneDigit},
		{"same month and year", full, "2010-02-25", DateSameMonthYear},
		{"same day and month", full, "1999-02-01", DateSameDayMonth},
		{"same year", full, "2010-07-19", DateSameYear},
		{"conflict", full, "1975-11-30", DateConflict},
		{"day equals month is exact not swapped", DateQuery{2010, 3, 3}, "2010-03-03", DateExact},
		{"month-year query match", DateQuery{2010, 2, 0}, "2010-02-14", DateSameMonthYear},
		{"month-year query same year", DateQuery{2010, 2, 0}, "2010-05-14", DateSameYear},
		{"month-year query conflict", DateQuery{2010, 2, 0}, "2011-02-14", DateConflict},
		{"year query match", DateQuery{2010, 0, 0}, "2010-12-31", DateSameYear},
		{"year query conflict", DateQuery{2010, 0, 0}, "2009-12-31", DateConflict},
		{"no stored date", full, "", DateUnknown},
		{"malformed stored date", full, "01/02/2010", DateUnknown},
		{"impossible stored date", full, "2010-02-31", DateUnknown},
		{"no query date", DateQuery{}, "2010-02-01", DateUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.Match(tt.dob); got != tt.want {
				t.Errorf("%v.Match(%q) = %v, want %v", tt.q, tt.dob, got, tt.want)
			}
		})
	}
}

func TestDateMatchReason(t *testing.T) {
	if DateUnknown.Reason() != "" {
		t.Error("DateUnknown should give no reason")
	}
	for m := DateConflict; m <= DateExact; m++ {
		if m.Reason() == "" {
			t.Errorf("DateMatch %d has no reason", m)
		}
	}
	if DateExact.Reason() != "same date of birth" || DateSwapped.Reason() != "date of birth with day and month swapped" || DateSameYear.Reason() != "same year of birth" {
		t.Error("reason texts changed")
	}
}

func TestOneDigitApart(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"19850312", "19850312", false},
		{"19850312", "19850313", true},
		{"19850312", "19580312", true},
		{"19850312", "19580313", false},
		{"1985", "19850", false},
	}
	for _, tt := range tests {
		if got := oneDigitApart(tt.a, tt.b); got != tt.want {
			t.Errorf("oneDigitApart(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}
