package match

import (
	"fmt"
	"strconv"
	"time"

	"patchwork"
)

// DateQuery is a possibly partial date of birth from a search: Month and Day
// are 0 when the query did not give them; Year is 0 when there is no date.
type DateQuery struct {
	Year, Month, Day int
}

// Known reports whether the query holds any date at all.
func (d DateQuery) Known() bool { return d.Year != 0 }

// String formats the date as YYYY-MM-DD, YYYY-MM or YYYY depending on how much
// of it is known, or "" when none is.
func (d DateQuery) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// DateMatch grades how a stored date of birth agrees with a DateQuery.
type DateMatch int

// DateMatch values, weakest evidence first after the two non-matches.
const (
	// DateUnknown means either side has no usable date, so dates say nothing.
	DateUnknown DateMatch = iota
	// DateConflict means both dates are known and disagree beyond any typo
	// this package recognises: evidence of a different person.
	DateConflict
	// DateSameYear means only the year agrees (or the query gave only a year).
	DateSameYear
	// DateSameDayMonth means day and month agree but the year does not.
	DateSameDayMonth
	// DateSameMonthYear means month and year agree (or the query gave only
	// those).
	DateSameMonthYear
	// DateOneDigit means the full dates differ by one digit or by two adjacent
	// digits swapped, a typical keying error.
	DateOneDigit
	// DateSwapped means day and month are transposed (US-style entry).
	DateSwapped
	// DateExact means the full dates are equal.
	DateExact
)

// Reason returns the human explanation shown beside a result, or "" for
// DateUnknown.
func (m DateMatch) Reason() string {
	switch m {
	case DateExact:
		return "same date of birth"
	case DateSwapped:
		return "date of birth with day and month swapped"
	case DateOneDigit:
		return "date of birth differs by one digit"
	case DateSameMonthYear:
		return "same month and year of birth"
	case DateSameDayMonth:
		return "same birthday in a different year"
	case DateSameYear:
		return "same year of birth"
	case DateConflict:
		return "different date of birth"
	}
	return ""
}

// Match compares the query with a stored "YYYY-MM-DD" date of birth. An empty
// or malformed stored date gives DateUnknown.
func (d DateQuery) Match(dob string) DateMatch {
	if !d.Known() {
		return DateUnknown
	}
	s, ok := parseISO(dob)
	if !ok {
		return DateUnknown
	}
	if d.Month == 0 {
		if s.Year == d.Year {
			return DateSameYear
		}
		return DateConflict
	}
	if d.Day == 0 {
		switch {
		case s.Year == d.Year && s.Month == d.Month:
			return DateSameMonthYear
		case s.Year == d.Year:
			return DateSameYear
		}
		return DateConflict
	}
	switch {
	case s == d:
		return DateExact
	case s.Year == d.Year && s.Month == d.Day && s.Day == d.Month:
		return DateSwapped
	case oneDigitApart(s.String(), d.String()):
		return DateOneDigit
	case s.Year == d.Year && s.Month == d.Month:
		return DateSameMonthYear
	case s.Month == d.Month && s.Day == d.Day:
		return DateSameDayMonth
	case s.Year == d.Year:
		return DateSameYear
	}
	return DateConflict
}

// oneDigitApart reports equal-length strings differing in exactly one
// position or by one swap of adjacent positions.
func oneDigitApart(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var diff []int
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			diff = append(diff, i)
			if len(diff) > 2 {
				return false
			}
		}
	}
	switch len(diff) {
	case 1:
		return true
	case 2:
		i, j := diff[0], diff[1]
		return j == i+1 && a[i] == b[j] && a[j] == b[i]
	}
	return false
}

func parseISO(s string) (DateQuery, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return DateQuery{}, false
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:7])
	d, err3 := strconv.Atoi(s[8:])
	if err1 != nil || err2 != nil || err3 != nil || !validDay(y, m, d) {
		return DateQuery{}, false
	}
	return DateQuery{Year: y, Month: m, Day: d}, true
}

func validDay(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// ParseDate reads a date typed into a search box, as patchwork.ReadDate
// does (the one reader of typed dates, for the client forms too): numeric
// dates day-first, a month and year, a bare year; a two-digit year takes
// the latest century that does not put the date in the future.
// Impossible dates (31/02/2010), years before 1900 and dates after now are
// rejected.
func ParseDate(s string, now time.Time) (DateQuery, bool) {
	d, ok := patchwork.ReadDate(s, now)
	return DateQuery{Year: d.Year, Month: d.Month, Day: d.Day}, ok
}
