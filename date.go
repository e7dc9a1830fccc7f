package patchwork

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The one reader of dates as people type them, for the search box (through
// package match) and for the client forms alike (docs/search-names.md).

// MinBirthYear is the earliest year of birth accepted for a living client.
const MinBirthYear = 1900

// TypedDate is a date read from what someone typed: Month and Day are 0
// when the text did not give them.
type TypedDate struct {
	Year, Month, Day int
	// Ambiguous reports a two-digit year that two centuries could mean
	// (5/5/15: 1915 or 2015); Year holds the later of them.
	Ambiguous bool
}

// ISO formats a full date as YYYY-MM-DD, the form dates of birth are
// stored in, or "" when the day is not known.
func (d TypedDate) ISO() string {
	if d.Day == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// dateProblem says why a text is not a date, so a form can say so.
type dateProblem int

const (
	dateOK dateProblem = iota
	dateUnreadable
	dateImpossible
	dateTooEarly
	dateFuture
)

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

// ReadDate reads a date as people type it. Numeric dates are always
// day-first (UK and Australian usage): 1/2/2010 is 1 February. Accepted
// forms are 2010-02-01, 1/2/2010, 01.02.2010, 1-2-2010, 1 Feb 2010, 1st
// February 2010, Feb 2010, 2/2010, 2010-02 and a bare year. A two-digit
// year takes the latest century that does not put the date after now, and
// is Ambiguous when the century before would not put it before 1900
// either. Impossible dates (31/02/2010), years before 1900 and dates after
// now are not dates.
func ReadDate(s string, now time.Time) (TypedDate, bool) {
	d, p := readDate(s, now)
	return d, p == dateOK
}

func readDate(s string, now time.Time) (TypedDate, dateProblem) {
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
			return TypedDate{}, dateUnreadable
		}
		d, mo, y, yearDigits = atoi(p[1]), m, atoi(p[3]), len(p[3])
	case reMonthYear.MatchString(s):
		p := reMonthYear.FindStringSubmatch(s)
		m, ok := months[p[1]]
		if !ok {
			return TypedDate{}, dateUnreadable
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
		return TypedDate{}, dateUnreadable
	}
	if (hasMonth && (mo < 1 || mo > 12)) || (hasDay && !validDay(y, mo, d)) {
		return TypedDate{}, dateImpossible
	}
	out := TypedDate{Year: y, Month: mo, Day: d}
	if yearDigits == 2 {
		out.Year += 2000
		if out.after(now) {
			out.Year -= 100
		}
		// The century before is as good a reading unless it is too early
		// (or, for 29 February, not a date at all).
		out.Ambiguous = out.Year-100 >= MinBirthYear && (!hasDay || validDay(out.Year-100, mo, d))
	}
	switch {
	// Re-check the day: 29 February depends on the century just chosen.
	case hasDay && !validDay(out.Year, mo, d):
		return TypedDate{}, dateImpossible
	case out.Year < MinBirthYear:
		return TypedDate{}, dateTooEarly
	case out.after(now):
		return TypedDate{}, dateFuture
	}
	return out, dateOK
}

// after reports whether the earliest day d could mean is after now.
func (d TypedDate) after(now time.Time) bool {
	m, day := max(d.Month, 1), max(d.Day, 1)
	ny, nm, nd := now.Date()
	return d.Year*10000+m*100+day > ny*10000+int(nm)*100+nd
}

func validDay(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// ParseDateOfBirth reads a date of birth typed into a client form, in any
// form ReadDate reads, and returns it as YYYY-MM-DD. It must be a full
// date, neither after now nor before 1900, and a two-digit year must be
// unambiguous; the error says what is wrong, for the person typing.
func ParseDateOfBirth(s string, now time.Time) (string, error) {
	d, p := readDate(s, now)
	switch {
	case p == dateImpossible:
		return "", dobError("Date of birth must be a real date")
	case p == dateFuture:
		return "", dobError("Date of birth must be in the past")
	case p == dateTooEarly:
		return "", dobError(fmt.Sprintf("Date of birth must be after %d", MinBirthYear))
	case p != dateOK:
		return "", dobError("Enter the date of birth as a date, for example 27/03/2012 or 27 March 2012")
	case d.Day == 0:
		return "", dobError("Enter the full date of birth, with the day, for example 27/03/2012")
	case d.Ambiguous:
		return "", dobError(fmt.Sprintf("Write the year in full: it could be %d or %d", d.Year-100, d.Year))
	}
	return d.ISO(), nil
}

// dobError is a date of birth's problem, worded for the person typing it,
// shown beside the field as it is.
type dobError string

func (e dobError) Error() string { return string(e) }

// DateInWords writes a date of birth stored as YYYY-MM-DD the way a form
// shows it back ("5 May 2015"), or "" for anything else.
func DateInWords(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return ""
	}
	return t.Format("2 January 2006")
}
