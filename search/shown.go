package search

import (
	"slices"
	"strings"

	"patchwork"
	"patchwork/match"
)

// Which candidates are shown, and how they are labelled: a score from
// MinScore, and, below it, the cases where a low score would hide the
// client a practitioner is looking for (docs/search-names.md, "Shown
// whatever the score").

// Reasons given for the matches judge shows below MinScore, and for the
// place a duplicate check compares; the page joins them with " · ".
const (
	// ReasonSameName stands for match's "exact name" beside a conflicting
	// date of birth: "same name · different date of birth".
	ReasonSameName = "same name"
	// ReasonSameFirstNameAndDOB and ReasonDifferentSurname label a changed
	// surname.
	ReasonSameFirstNameAndDOB = "same first name and date of birth"
	// ReasonDifferentSurname follows ReasonSameFirstNameAndDOB.
	ReasonDifferentSurname = "different surname"
	// ReasonSameDOBAndPostcode labels a new client born the same day at the
	// same postcode with a first name alike.
	ReasonSameDOBAndPostcode = "same date of birth and postcode"
	// ReasonSameDOBAndAddress is the same at the same address.
	ReasonSameDOBAndAddress = "same date of birth and address"
	// ReasonSamePostcode is added to any match at the new client's postcode.
	ReasonSamePostcode = "same postcode"
	// ReasonSameAddress is added to any match at the new client's address.
	ReasonSameAddress = "same address"
	// ReasonOtherNameYouEntered says the match was found through one of the
	// new client's other names.
	ReasonOtherNameYouEntered = "matches another name you entered"
)

const (
	reasonNamesStartWithTyped = "names start with what you typed"
	// similarGivenForPlace is how alike first names must be beside the
	// same date of birth and place: match's threshold for naming a reason
	// at all, since the date and the place already say much.
	similarGivenForPlace = 0.45
	// fullDateRuleOrder orders a changed surname or the same date and
	// place with the same name and a near date (0.8 is the same name in
	// the same year): the same full date of birth says more than a year.
	fullDateRuleOrder = 0.8
	// placeBonus puts a match at the new client's postcode or address
	// before its equals; it orders, it never changes a level.
	placeBonus = 0.05
)

// newClient is what the duplicate check of a new client compares besides
// its name and date of birth.
type newClient struct {
	aliases           []match.Query // its other names, with its date of birth
	address, postcode string
	foldedAddress     string // address as compared (match.FoldAddress)
}

// newClientOf returns what c adds to its name and date of birth q.
func newClientOf(c *patchwork.Client, q match.Query) *newClient {
	nc := &newClient{address: c.Address, postcode: match.FoldPostcode(c.Postcode), foldedAddress: match.FoldAddress(c.Address)}
	for _, a := range c.Aliases {
		if strings.TrimSpace(a) == "" {
			continue
		}
		given, family := match.SplitAlias(a)
		aq := match.FormQuery(given, family, "")
		aq.Date = q.Date
		if given == "" {
			aq.GivenWords = 0 // one word: either name
		}
		nc.aliases = append(nc.aliases, aq)
	}
	return nc
}

// verdict is how a candidate is shown.
type verdict struct {
	score   float64 // orders the matches; may exceed the level's score
	level   string
	reasons []string
}

// judge decides whether c is shown for q (with nc, in a duplicate check)
// and how:
//
//   - a score from MinScore is shown at its level (match.Level);
//   - the same or a near full name (typo, sound, nickname, swapped order,
//     alias) with a conflicting date of birth is a possible match,
//     labelled "same name · different date of birth" and ordered below
//     every client whose date agrees (conflicting);
//   - the same first name, or a near one, with the same full date of
//     birth and another surname is a possible match ("same first name and
//     date of birth · different surname");
//   - in a duplicate check, the same full date of birth and the same
//     postcode or address with a first name alike is a possible match, and
//     the same postcode or address puts any match shown before its equals.
//
// A query with no name word finds nobody before judge is reached
// (NamesEnough), so none of this ever shows a client on a date alone.
func judge(q match.Query, c *match.Candidate, nc *newClient) (verdict, bool) {
	score, reasons := match.Score(q, *c)
	if nc != nil {
		for _, aq := range nc.aliases {
			if s, r := match.Score(aq, *c); s > score {
				score, reasons = s, append(r, ReasonOtherNameYouEntered)
			}
		}
	}
	dm := q.Date.Match(c.DOB)
	fullDateAgrees := dm == match.DateExact && q.Date.Day != 0
	// The names are compared again, dates aside, only where a rule below
	// asks: never for a query without a date, the commonest and costliest
	// (a name-only search scores a few hundred candidates).
	var fit match.NameFit
	if dm == match.DateConflict || fullDateAgrees && score < match.LikelyThreshold {
		fit = match.FitNames(q, *c)
		if nc != nil {
			for _, aq := range nc.aliases {
				f := match.FitNames(aq, *c)
				given := max(fit.Given, f.Given)
				if f.Full && !fit.Full {
					fit = f
					fit.Reasons = append(slices.Clone(f.Reasons), ReasonOtherNameYouEntered)
				}
				fit.Given = given
			}
		}
	}
	samePostcode := nc != nil && nc.postcode != "" && nc.postcode == match.FoldPostcode(c.Postcode)
	sameAddress := nc != nil && nc.address != "" && match.SameFoldedAddress(nc.foldedAddress, c.Address)
	// Another surname: none of the reasons speaks of one.
	otherSurname := !slices.ContainsFunc(fit.Reasons, func(r string) bool { return strings.Contains(r, "surname") })
	v := verdict{score: score}
	switch {
	case fullDateAgrees && otherSurname && fit.Given >= match.NearName && score < match.LikelyThreshold:
		v.level, v.reasons = "possible", []string{ReasonSameFirstNameAndDOB, ReasonDifferentSurname}
		v.score = max(score, fullDateRuleOrder)
	case score >= MinScore:
		v.level, v.reasons = match.Level(score), reasons
	case dm == match.DateConflict && fit.Full:
		v.level = "possible"
		for _, r := range fit.Reasons {
			if r == "exact name" {
				r = ReasonSameName
			}
			v.reasons = append(v.reasons, r)
		}
		v.reasons = append(v.reasons, match.DateConflict.Reason())
	case fullDateAgrees && (samePostcode || sameAddress) && fit.Given >= similarGivenForPlace:
		v.level, v.reasons = "possible", []string{ReasonSameDOBAndPostcode}
		if !samePostcode {
			v.reasons[0] = ReasonSameDOBAndAddress
		}
		v.score = max(score, fullDateRuleOrder)
		samePostcode, sameAddress = false, false // said already
	case dm != match.DateConflict && typedPrefixes(q.Names, c):
		v.level, v.reasons = "possible", []string{reasonNamesStartWithTyped}
		v.score = MinScore
	default:
		return verdict{}, false
	}
	// A new client whose first name is unlike and whose date has day and
	// month swapped shares little more than a common surname: not worth
	// one of the few places of the prompt.
	if nc != nil && dm == match.DateSwapped && v.level == "possible" && surnameOnly(v.reasons) {
		return verdict{}, false
	}
	if samePostcode || sameAddress {
		v.score += placeBonus
		if samePostcode {
			v.reasons = append(v.reasons, ReasonSamePostcode)
		}
		if sameAddress {
			v.reasons = append(v.reasons, ReasonSameAddress)
		}
	}
	return v, true
}

// surnameOnly reports reasons where the surname agrees and no first name
// does: a sibling or a namesake more often than the person.
func surnameOnly(reasons []string) bool {
	surname, given := false, false
	for _, r := range reasons {
		switch {
		case r == "exact name" || r == ReasonSameName || r == ReasonSameFirstNameAndDOB || r == reasonNamesStartWithTyped ||
			r == ReasonSameDOBAndPostcode || r == ReasonSameDOBAndAddress || strings.Contains(r, "first name") ||
			strings.Contains(r, "first initial") || strings.HasPrefix(r, "nickname of") || strings.HasPrefix(r, "variant of"):
			given = true
		case strings.Contains(r, "surname"):
			surname = true
		}
	}
	return surname && !given
}

// tier orders what is shown before the score does: likely matches, then
// possible ones where a first name agrees (or a rule above showed them),
// then those where only the surname agrees, then a conflicting date of
// birth.
func tier(m *patchwork.ClientMatch) int {
	switch {
	case m.Level == "likely":
		return 3
	case conflicting(m):
		return 0
	case surnameOnly(m.Reasons):
		return 1
	}
	return 2
}

// conflicting reports a match shown although its date of birth conflicts
// with the one typed: it comes after every match whose date agrees.
func conflicting(m *patchwork.ClientMatch) bool {
	return slices.Contains(m.Reasons, match.DateConflict.Reason())
}
