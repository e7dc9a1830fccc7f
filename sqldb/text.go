package sqldb

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// foldText lowercases s, strips accents and punctuation and collapses spaces,
// for the simple prefix matching of agent and agency names.
func foldText(s string) string {
	out := s
	if !isASCII(s) {
		// Search folds every candidate's name: the accent-stripping chain,
		// with its buffers, is built only for the names that need it.
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		var err error
		if out, _, err = transform.String(t, s); err != nil {
			out = s
		}
	}
	out = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return unicode.ToLower(r)
		case r == '\'' || r == '’':
			return -1
		default:
			return ' '
		}
	}, out)
	return strings.Join(strings.Fields(out), " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
