package match

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// minYear is the earliest plausible year of birth for a living client.
const minYear = 1900

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

var months = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
	"october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var (
	reYearFirst = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`)
	reDayFirst  = regexp.MustCompile(`^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$`)
	reDayMonthN = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?[ -]?([a-z]+)\.?[ -]?(\d{2}|\d{4})$`)
	reMonthYear = regexp.MustCompile(`^([a-z]+)\.?[ -]?(\d{4})$`)
	reNumMonthY = regexp.MustCompile(`^(\d{1,2})[-/.](\d{4})$`)
	reISOMonth  = regexp.MustCompile(`^(\d{4})-(\d{1,2})$`)
	reYear      = regexp.MustCompile(`^\d{4}$`)
)

// ParseDate reads a date typed into a search box. Numeric dates are always
// day-first (UK and Australian usage): 1/2/2010 is 1 February. Accepted forms
// are 2010-02-01, 1/2/2010, 01.02.2010, 1-2-2010, 1 Feb 2010, 1st February
// 2010, Feb 2010, 2/2010, 2010-02 and a bare year. Two-digit years take the
// most recent century that does not put the date in the future. Impossible
// dates (31/02/2010), years before 1900 and dates after now are rejected.
func ParseDate(s string, now time.Time) (DateQuery, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(s, ",", " ")), " "))
	var y, mo, d int
	yearDigits := 4
	// hasMonth/hasDay keep a typed 0 ("0/1/2010") from reading as "not given".
	hasMonth, hasDay := true, true
	switch {
	case reYearFirst.MatchString(s):
		p := reYearFirst.FindStringSubmatch(s)
		y, mo, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	case reDayFirst.MatchString(s):
		p := reDayFirst.FindStringSubmatch(s)
		d, mo, y, yearDigits = atoi(p[1]), atoi(p[2]), atoi(p[3]), len(p[3])
	case reDayMonthN.MatchString(s):
		p := reDayMonthN.FindStringSubmatch(s)
		m, ok := months[p[2]]
		if !ok {
			return DateQuery{}, false
		}
		d, mo, y, yearDigits = atoi(p[1]), m, atoi(p[3]), len(p[3])
	case reMonthYear.MatchString(s):
		p := reMonthYear.FindStringSubmatch(s)
		m, ok := months[p[1]]
		if !ok {
			return DateQuery{}, false
		}
		mo, y, hasDay = m, atoi(p[2]), false
	case reNumMonthY.MatchString(s):
		p := reNumMonthY.FindStringSubmatch(s)
		mo, y, hasDay = atoi(p[1]), atoi(p[2]), false
	case reISOMonth.MatchString(s):
		p := reISOMonth.FindStringSubmatch(s)
		y, mo, hasDay = atoi(p[1]), atoi(p[2]), false
	case reYear.MatchString(s):
		y, hasMonth, hasDay = atoi(s), false, false
	default:
		return DateQuery{}, false
	}
	if (hasMonth && (mo < 1 || mo > 12)) || (hasDay && !validDay(y, mo, d)) {
		return DateQuery{}, false
	}
	if yearDigits == 2 {
		y += 2000
		if (DateQuery{Year: y, Month: mo, Day: d}).after(now) {
			y -= 100
		}
	}
	q := DateQuery{Year: y, Month: mo, Day: d}
	// Re-check the day: 29 February depends on the century just chosen.
	if y < minYear || q.after(now) || (hasDay && !validDay(y, mo, d)) {
		return DateQuery{}, false
	}
	return q, true
}

// after reports whether the earliest day the query could mean is after now.
func (d DateQuery) after(now time.Time) bool {
	m, day := d.Month, d.Day
	if m == 0 {
		m = 1
	}
	if day == 0 {
		day = 1
	}
	ny, nm, nd := now.Date()
	return d.Year*10000+m*100+day > ny*10000+int(nm)*100+nd
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

var reDOBSlash = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`)

// ParseDOB validates a date of birth typed into a form and returns it as
// "YYYY-MM-DD". Only unambiguous full dates are accepted: YYYY-MM-DD, or
// DD/MM/YYYY with one- or two-digit day and month. The error text is written
// for the person filling in the form.
func ParseDOB(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("enter a date of birth, for example 25/12/1980")
	}
	var y, m, d int
	if p := reDOBSlash.FindStringSubmatch(s); p != nil {
		d, m, y = atoi(p[1]), atoi(p[2]), atoi(p[3])
	} else if len(s) == 10 && s[4] == '-' && s[7] == '-' && allDigits(s[:4]+s[5:7]+s[8:]) {
		y, m, d = atoi(s[:4]), atoi(s[5:7]), atoi(s[8:])
	} else {
		return "", fmt.Errorf("date of birth %q must be written as DD/MM/YYYY (for example 25/12/1980) or YYYY-MM-DD", s)
	}
	if !validDay(y, m, d) {
		return "", fmt.Errorf("date of birth %q is not a real date", s)
	}
	if y < minYear {
		return "", fmt.Errorf("date of birth %q is before %d", s, minYear)
	}
	// A day of grace, because the server's UTC date can lag the user's.
	if time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).After(time.Now().UTC().AddDate(0, 0, 1)) {
		return "", fmt.Errorf("date of birth %q is in the future", s)
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
