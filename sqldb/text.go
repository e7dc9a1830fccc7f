package sqldb

import (
	"strings"
	"unicode"

	"patchwork/match"
)

// foldText lowercases s, strips accents and punctuation and collapses spaces,
// for the simple prefix matching of agent and agency names.
func foldText(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return unicode.ToLower(r)
		case r == '\'' || r == '’':
			return -1
		default:
			return ' '
		}
	}, match.StripAccents(s))
	return strings.Join(strings.Fields(out), " ")
}
