package match

import (
	"strings"
	"unicode"
)

// Agreement beyond the score: what search and the duplicate check show
// even when the score is low, because a date of birth typed wrong, a
// changed surname or a messy record must not hide a client
// (docs/search-names.md, "Shown whatever the score").

// NearName is the similarity from which two name words agree nearly: a
// nickname, a spelling variant or one typo (0.9), the same sound (0.85),
// Mac/Mc (0.97); a shortened form (0.8) or a mere likeness does not.
const NearName = 0.85

// NameFit is how a query's names fit a candidate's, dates of birth aside.
type NameFit struct {
	// Full reports that the query names a given and a family name and
	// both agree with one name of the candidate (primary or alias), each
	// exactly or nearly (NearName), in typed order or swapped.
	Full bool
	// Given is how well a query word read as a first name fits the
	// candidate's first given name, or an alias's: 1 for the same name.
	Given float64
	// Reasons say how the names agree, as Score says it.
	Reasons []string
}

// FitNames compares q's names with c's, dates of birth aside.
func FitNames(q Query, c Candidate) NameFit {
	tokens := queryWords(q)
	if len(tokens) == 0 {
		return NameFit{}
	}
	best := bestName(tokens, c)
	fit := NameFit{
		Full:    best.hasGiv && best.hasFam && best.giv.sim >= NearName && best.fam.sim >= NearName,
		Reasons: best.reasons(),
	}
	given := tokens
	if q.GivenWords > 0 && q.GivenWords < len(tokens) {
		given = tokens[:q.GivenWords]
	}
	var cache phonCache
	firsts := []string{firstPart(c.Given)}
	for _, a := range c.Aliases {
		firsts = append(firsts, firstPart(a.Given))
	}
	for _, w := range given {
		for _, f := range firsts {
			if f != "" {
				fit.Given = max(fit.Given, givenTokenMatch(&cache, w, f).sim)
			}
		}
	}
	return fit
}

func firstPart(given string) string {
	if p := NameParts(given); len(p) > 0 {
		return p[0]
	}
	return ""
}

// FoldPostcode is a postcode as compared: upper case, without spaces.
func FoldPostcode(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
}

// addressWords are the spellings of an address's common words that mean
// the same: street types, and the words before a flat's number, which say
// nothing once the number is there.
var addressWords = map[string]string{
	"street": "st", "str": "st", "road": "rd", "avenue": "ave", "av": "ave",
	"lane": "ln", "drive": "dr", "court": "ct", "crescent": "cres", "cresc": "cres",
	"place": "pl", "terrace": "tce", "terr": "tce", "close": "cl", "gardens": "gdns",
	"grove": "gr", "square": "sq", "parade": "pde", "highway": "hwy", "mount": "mt",
	"saint": "st", "north": "n", "south": "s", "east": "e", "west": "w",
	"flat": "", "apartment": "", "apt": "", "unit": "", "no": "", "number": "",
}

// FoldAddress is an address as compared: accents, case and punctuation
// dropped, a number split from a letter after it (12a -> 12 a), common
// words in one spelling (Street and St, Road and Rd), and the words
// before a flat's number left out, so "Flat 3, 12 High Street" and
// "3/12 High St" fold alike.
func FoldAddress(s string) string {
	var b strings.Builder
	prev := ' '
	for _, r := range StripAccents(strings.ToLower(s)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if prev != ' ' && unicode.IsDigit(prev) != unicode.IsDigit(r) {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
		case r == '\'' || r == '’':
			continue
		default:
			r = ' '
			if prev != ' ' {
				b.WriteByte(' ')
			}
		}
		prev = r
	}
	var out []string
	for _, w := range strings.Fields(b.String()) {
		if v, ok := addressWords[w]; ok {
			w = v
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// SameAddress reports whether two addresses, folded (FoldAddress), are one:
// equal, or one the start of the other (a town or postcode added), as long
// as the shorter holds a number and a word.
func SameAddress(a, b string) bool {
	return SameFoldedAddress(FoldAddress(a), b)
}

// SameFoldedAddress is SameAddress(a, b) for an a already folded
// (FoldAddress): a duplicate check folds the new client's address once
// for all the candidates it compares.
func SameFoldedAddress(fa, b string) bool {
	fb := FoldAddress(b)
	if len(fa) > len(fb) {
		fa, fb = fb, fa
	}
	if fa == "" || !strings.HasPrefix(fb+" ", fa+" ") {
		return false
	}
	hasDigit, hasWord := false, false
	for _, w := range strings.Fields(fa) {
		if w[0] >= '0' && w[0] <= '9' {
			hasDigit = true
		} else {
			hasWord = true
		}
	}
	return hasDigit && hasWord
}
