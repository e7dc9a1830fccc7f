package match

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Query is a free-text search split into its parts.
type Query struct {
	// Names holds normalised name tokens in the order typed; which one is the
	// surname is deliberately left open (see Score and QueryKeys).
	Names []string
	// Date is the date of birth found in the text, zero if none.
	Date DateQuery
	// Postcode is an upper-case UK postcode ("SW1A 1AA"), a UK outward code
	// ("SW1A") or an Australian four-digit postcode, or "".
	Postcode string
	// Other holds tokens containing digits that were neither date nor
	// postcode (record numbers and the like), unchanged.
	Other []string
	// GivenWords is how many of Names, from the first, are given names,
	// when a form said so (FormQuery); 0 when the text leaves it open.
	GivenWords int
}

var (
	reUKOutward = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]?$`)
	reUKInward  = regexp.MustCompile(`^[0-9][A-Z]{2}$`)
	reUKFull    = regexp.MustCompile(`^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$`)
	reFourDigit = regexp.MustCompile(`^[0-9]{4}$`)
)

// monthNames that are also given names: when such a word is only part of a
// month-and-year date ("Smith May 1980") it is kept as a name too, since the
// user may have meant May Smith born in 1980.
var monthGivenNames = map[string]bool{"april": true, "may": true, "june": true, "july": true, "august": true}

// ParseQuery splits a search box's text into name tokens, one date of birth
// and one postcode. Dates may span several words ("1 Feb 2010"); the first
// date found wins. A four-digit number from 1900 to now's year is a year of
// birth, any other four-digit number an Australian postcode, so Sydney's
// "2000" is read as a year. A UK outward code alone ("SW1A", "M1") counts as
// a postcode because names never contain digits.
func ParseQuery(q string, now time.Time) Query {
	toks := strings.FieldsFunc(q, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' })
	used := make([]bool, len(toks))
	var out Query

	// Full UK postcodes first, since "1AA" alone would look like noise.
	for i, t := range toks {
		u := strings.ToUpper(t)
		if p := reUKFull.FindStringSubmatch(u); p != nil {
			out.Postcode, used[i] = p[1]+" "+p[2], true
			break
		}
		if i+1 < len(toks) && reUKOutward.MatchString(u) && reUKInward.MatchString(strings.ToUpper(toks[i+1])) {
			out.Postcode = u + " " + strings.ToUpper(toks[i+1])
			used[i], used[i+1] = true, true
			break
		}
	}

	out.Date = findDate(toks, used, now)

	for i, t := range toks {
		if used[i] || !hasDigit(t) {
			continue
		}
		u := strings.ToUpper(t)
		if out.Postcode == "" && (reUKOutward.MatchString(u) || reFourDigit.MatchString(u)) {
			out.Postcode, used[i] = u, true
			continue
		}
		out.Other, used[i] = append(out.Other, t), true
	}

	for i, t := range toks {
		if !used[i] {
			out.Names = append(out.Names, NameParts(t)...)
		}
	}
	return out
}

// findDate tries windows of three, two and one tokens at each position, so a
// date written in words is read whole before its parts are seen alone.
func findDate(toks []string, used []bool, now time.Time) DateQuery {
	for i := range toks {
		for n := 3; n >= 1; n-- {
			if i+n > len(toks) || anyUsed(used[i:i+n]) {
				continue
			}
			// A date always contains a digit; this also stops a lone month
			// name from being read as a date.
			if !hasDigit(strings.Join(toks[i:i+n], "")) {
				continue
			}
			d, ok := ParseDate(strings.Join(toks[i:i+n], " "), now)
			if !ok {
				continue
			}
			for j := i; j < i+n; j++ {
				// Keep a month word that is also a given name as a name.
				keep := d.Day == 0 && monthGivenNames[strings.ToLower(toks[j])]
				used[j] = !keep
			}
			return d
		}
	}
	return DateQuery{}
}

func anyUsed(u []bool) bool {
	for _, b := range u {
		if b {
			return true
		}
	}
	return false
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// FormQuery builds the Query for a duplicate check from structured form
// fields: given and family names in that order (so a match with them swapped
// is reported as such) and a date of birth as stored ("YYYY-MM-DD", or ""
// when not known).
func FormQuery(given, family, dob string) Query {
	var q Query
	q.Names = append(NameParts(given), NameParts(family)...)
	q.GivenWords = len(NameParts(given))
	if d, ok := parseISO(dob); ok {
		q.Date = d
	}
	return q
}

// TypedNames returns the words of a search box's text that ParseQuery
// reads as names, as typed (capitals and accents kept), and the date it
// found: what the text says about a client to add.
func TypedNames(text string, now time.Time) ([]string, DateQuery) {
	q := ParseQuery(text, now)
	left := map[string]int{}
	for _, n := range q.Names {
		left[n]++
	}
	var words []string
	for _, t := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' }) {
		parts := NameParts(t)
		ok := len(parts) > 0
		for _, p := range parts {
			ok = ok && left[p] > 0
		}
		if !ok {
			continue
		}
		for _, p := range parts {
			left[p]--
		}
		words = append(words, t)
	}
	return words, q.Date
}
