package match

import (
	"math"
	"strings"
)

// Alias is another name a client is known by (maiden name, street name,
// previous spelling).
type Alias struct {
	Given, Family string
}

// Candidate is a stored client as the scorer needs it: display names as
// entered, aliases, and the date of birth as "YYYY-MM-DD" ("" if unknown).
type Candidate struct {
	Given, Family string
	Aliases       []Alias
	DOB           string
	// Address and Postcode are as stored; only the duplicate check of a
	// new client compares them (FoldAddress, FoldPostcode).
	Address, Postcode string
}

// Score weights and factors. The formula, also in docs/search-names.md:
//
//	name  = (WeightGiven*g + WeightFamily*f) / (WeightGiven + WeightFamily)
//	        best over the primary name and each alias (alias x0.97) and over
//	        every split of the query words into given and family names, in
//	        typed order and swapped (swapped x0.95); one query word alone is
//	        scored as either name, x0.9
//	score = (1-WeightDOB)*name + WeightDOB*d   when both dates are known
//	      = 0.8*name                            when either date is missing
//	      = d                                   when the query has no name
//
// g and f are token similarities in [0,1] (exact 1, Mac/Mc 0.97, nickname or
// one typo 0.9, same sound 0.85, rescaled Jaro-Winkler otherwise). d is 1 for
// the same date, 0.8 day/month swapped, 0.5 one digit off or same month and
// year, 0.4 same day and month, 0.3 same year, -0.5 conflicting. The result is
// clamped to [0,1] (and rounded to nine decimals, only to drop floating-point
// noise: a one-rule tie is broken in the sixth).
const (
	// WeightGiven is the share of the given-name similarity in the score.
	WeightGiven = 0.3
	// WeightFamily is the share of the family-name similarity; surnames are
	// rarer than first names, so agreement on them says more.
	WeightFamily = 0.4
	// WeightDOB is the share of date-of-birth agreement when both dates are
	// known.
	WeightDOB = 0.3

	noDOBFactor      = 0.8  // without dates a name match is never "likely"
	singleNameFactor = 0.9  // one query word identifies less than two
	swappedFactor    = 0.95 // typed order is the commoner intent
	aliasFactor      = 0.97 // the current name is preferred on a tie
	givenOnlyFactor  = 0.95 // a lone word is more often a surname
	partFactor       = 0.95 // one part of a multi-part surname
	laterGivenFactor = 0.92 // matched a middle name rather than the first
)

const (
	// LikelyThreshold is the score from which Level says "likely": names
	// agree (allowing one nickname, typo or sound-alike) and so does the full
	// date of birth, or the date has day and month swapped.
	LikelyThreshold = 0.9
	// PossibleThreshold is the score from which Level says "possible": for
	// example the same name with no date to compare, the same surname and
	// date (a twin or sibling), or the same first name and date (a changed
	// surname).
	PossibleThreshold = 0.6
)

var dobValue = map[DateMatch]float64{
	DateExact:         1,
	DateSwapped:       0.8,
	DateOneDigit:      0.5,
	DateSameMonthYear: 0.5,
	DateSameDayMonth:  0.4,
	DateSameYear:      0.3,
	DateConflict:      -0.5,
}

// nameForm is one stored name (primary or alias) split into tokens.
type nameForm struct {
	given, family []string
	alias         bool
}

// nameResult is the best reading of the query against one nameForm.
type nameResult struct {
	score          float64
	giv, fam       tokenMatch
	hasGiv, hasFam bool
	famPart        bool
	swapped, alias bool
}

// Score rates how well candidate c fits query q, returning a value in [0,1]
// (1 for the same name and date of birth) and the reasons behind it, date
// first. Scores are comparable across candidates of one query, which is how
// results should be ranked; Level turns a score into a duplicate warning.
func Score(q Query, c Candidate) (float64, []string) {
	tokens := queryWords(q)
	dm := q.Date.Match(c.DOB)
	var best nameResult
	if len(tokens) > 0 {
		best = bestName(tokens, c)
	}

	var s float64
	d, dateKnown := dobValue[dm], dm != DateUnknown
	switch {
	case len(tokens) > 0 && dateKnown:
		s = (1-WeightDOB)*best.score + WeightDOB*d
	case len(tokens) > 0:
		s = noDOBFactor * best.score
	case dateKnown:
		s = d
	}
	s = math.Round(math.Max(0, math.Min(1, s))*1e9) / 1e9

	var reasons []string
	if r := dm.Reason(); r != "" {
		reasons = append(reasons, r)
	}
	if len(tokens) > 0 {
		reasons = append(reasons, best.reasons()...)
	}
	return s, reasons
}

// queryWords returns the name words of q, each name split into its parts.
func queryWords(q Query) []string {
	var tokens []string
	for _, n := range q.Names {
		tokens = append(tokens, NameParts(n)...)
	}
	return tokens
}

// bestName is the best reading of the query words against c's primary
// name and each of its aliases.
func bestName(tokens []string, c Candidate) nameResult {
	var best nameResult
	var cache phonCache
	forms := make([]nameForm, 0, 1+len(c.Aliases))
	forms = append(forms, nameForm{given: NameParts(c.Given), family: NameParts(c.Family)})
	for _, a := range c.Aliases {
		forms = append(forms, nameForm{given: NameParts(a.Given), family: NameParts(a.Family), alias: true})
	}
	for i, f := range forms {
		r := scoreNames(&cache, tokens, f)
		if f.alias {
			r.score *= aliasFactor
		}
		if i == 0 || r.score > best.score {
			best = r
		}
	}
	return best
}

// scoreNames tries every way of reading the query words as given and family
// names and keeps the best.
func scoreNames(c *phonCache, q []string, f nameForm) nameResult {
	var best nameResult
	try := func(r nameResult) {
		if r.score > best.score {
			best = r
		}
	}
	if len(q) == 1 {
		fm, part := familySim(c, q, f.family)
		try(nameResult{score: fm.sim * singleNameFactor, fam: fm, hasFam: true, famPart: part})
		g := givenSim(c, q, f.given)
		try(nameResult{score: g.sim * givenOnlyFactor * singleNameFactor, giv: g, hasGiv: true})
	}
	for k := 1; k < len(q); k++ {
		for _, swapped := range []bool{false, true} {
			gq, fq := q[:k], q[k:]
			if swapped {
				fq, gq = q[:len(q)-k], q[len(q)-k:]
			}
			g := givenSim(c, gq, f.given)
			fm, part := familySim(c, fq, f.family)
			r := nameResult{giv: g, fam: fm, hasGiv: true, hasFam: true, famPart: part, swapped: swapped}
			r.score = (WeightGiven*g.sim + WeightFamily*fm.sim) / (WeightGiven + WeightFamily)
			if swapped {
				r.score *= swappedFactor
			}
			try(r)
		}
	}
	best.alias = f.alias
	return best
}

// familySim compares query surname words with a stored surname, whole (joined,
// so "smith jones" equals "Smith-Jones") and part by part (so "jones" finds
// "Smith-Jones"). part reports that only a part matched.
func familySim(c *phonCache, q, fam []string) (tokenMatch, bool) {
	if len(q) == 0 || len(fam) == 0 {
		return tokenMatch{}, false
	}
	best := familyTokenMatch(c, strings.Join(q, ""), strings.Join(fam, ""))
	part := false
	if len(q) > 1 || len(fam) > 1 {
		for _, a := range q {
			for _, b := range fam {
				if len(b) < 3 || surnameParticles[b] {
					continue
				}
				m := familyTokenMatch(c, a, b)
				m.sim *= partFactor
				if m.sim > best.sim {
					best, part = m, true
				}
			}
		}
	}
	return best, part
}

// givenSim compares query given-name words with stored given names. The first
// query word against the first stored name counts fully; other pairings (a
// middle name) are discounted, and query words matching nothing scale the
// result down a little.
func givenSim(c *phonCache, q, given []string) tokenMatch {
	if len(q) == 0 || len(given) == 0 {
		return tokenMatch{}
	}
	var best tokenMatch
	covered := 0
	for i, a := range q {
		rowBest := 0.0
		for j, b := range given {
			m := givenTokenMatch(c, a, b)
			if i != 0 || j != 0 {
				m.sim *= laterGivenFactor
			}
			rowBest = math.Max(rowBest, m.sim)
			if m.sim > best.sim {
				best = m
			}
		}
		if rowBest >= 0.8 {
			covered++
		}
	}
	if len(q) > 1 {
		best.sim *= 0.9 + 0.1*float64(covered)/float64(len(q))
	}
	if len(q) > 1 || len(given) > 1 {
		if m := givenTokenMatch(c, strings.Join(q, ""), strings.Join(given, "")); m.sim > best.sim {
			best = m
		}
	}
	return best
}

// minReasonSim is the similarity below which a name pairing is not worth
// mentioning; it is essentially a different name.
const minReasonSim = 0.45

func (r nameResult) reasons() []string {
	var out []string
	if r.hasGiv && r.hasFam && r.giv.kind == kindExact && r.fam.kind == kindExact && !r.famPart && r.giv.sim == 1 && r.fam.sim == 1 {
		out = append(out, "exact name")
	} else {
		if r.hasGiv {
			if s := givenReason(r.giv); s != "" {
				out = append(out, s)
			}
		}
		if r.hasFam {
			if s := familyReason(r.fam, r.famPart); s != "" {
				out = append(out, s)
			}
		}
	}
	if r.swapped {
		out = append(out, "first and last names swapped")
	}
	if r.alias {
		out = append(out, "matched alias")
	}
	return out
}

func givenReason(m tokenMatch) string {
	switch m.kind {
	case kindExact:
		return "same first name"
	case kindNickname:
		return "nickname of " + titleCase(m.group)
	case kindVariant:
		return "variant of " + titleCase(m.group)
	case kindInitial:
		return "first initial matches"
	case kindPrefix:
		return "shortened first name"
	case kindSounds:
		return "first name sounds alike"
	}
	if m.sim >= minReasonSim {
		return "first name spelt similarly"
	}
	return ""
}

func familyReason(m tokenMatch, part bool) string {
	switch {
	case m.kind == kindExact && part:
		return "part of surname matches"
	case m.kind == kindExact:
		return "same surname"
	case m.kind == kindSounds:
		return "surname sounds alike"
	case m.sim >= minReasonSim:
		return "surname spelt similarly"
	}
	return ""
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Reasons joins score reasons for display, e.g. "same date of birth ·
// surname sounds alike".
func Reasons(reasons []string) string {
	return strings.Join(reasons, " · ")
}

// Level classifies a score for a duplicate check: "likely" at
// LikelyThreshold or above (same person unless proven otherwise), "possible"
// at PossibleThreshold or above (worth showing before creating a record), and
// "" below that.
func Level(score float64) string {
	switch {
	case score >= LikelyThreshold:
		return "likely"
	case score >= PossibleThreshold:
		return "possible"
	}
	return ""
}
