package match

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// letterFolds covers Latin letters that carry no combining mark to strip, so
// NFD alone would leave them non-ASCII (Søren, Łukasz, Æthel, Strauß).
var letterFolds = map[rune]string{
	'ø': "o", 'æ': "ae", 'œ': "oe", 'ß': "ss", 'ł': "l", 'đ': "d",
	'ð': "d", 'þ': "th", 'ı': "i", 'ħ': "h", 'ŀ': "l",
}

// NormalizeName folds a name to the form every key and comparison uses:
// accents stripped, lower-case ASCII where the letter has an ASCII base,
// apostrophes dropped (O'Brien -> obrien), and every run of hyphens, spaces
// and other punctuation collapsed to one space. Letters from non-Latin
// scripts are kept (lower-cased) so such names still match exactly.
func NormalizeName(s string) string {
	s = StripAccents(s)
	var b strings.Builder
	b.Grow(len(s))
	sep := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case isApostrophe(r):
			// Dropping rather than splitting keeps O'Brien and OBrien equal.
			continue
		case r < utf8.RuneSelf || !unicode.IsLetter(r):
			sep = true
			continue
		default:
			r = unicode.ToLower(r)
			if f, ok := letterFolds[r]; ok {
				writePart(&b, &sep, f)
				continue
			}
		}
		if sep && b.Len() > 0 {
			b.WriteByte(' ')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

func writePart(b *strings.Builder, sep *bool, s string) {
	if *sep && b.Len() > 0 {
		b.WriteByte(' ')
	}
	*sep = false
	b.WriteString(s)
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', '`', '´':
		return true
	}
	return false
}

// StripAccents removes combining marks after canonical decomposition. The
// transformer chain is stateful and not safe for concurrent use, so it is
// built per call; ASCII input (nearly every name) skips it entirely.
func StripAccents(s string) string {
	if isASCII(s) {
		return s
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// NameParts splits a name into normalised tokens, so "Smith-Jones" gives
// ["smith", "jones"] and "  O'Brien " gives ["obrien"].
func NameParts(s string) []string {
	return strings.Fields(NormalizeName(s))
}

// FoldMac maps a leading "mac" to "mc" so MacDonald and McDonald share keys.
// The fold only applies when at least three letters follow, because short
// names such as Mack, Mace and Macy are not Mac- patronymics. The argument
// should already be a normalised single token.
func FoldMac(part string) string {
	if strings.HasPrefix(part, "mac") && len(part)-3 >= 3 {
		return "mc" + part[3:]
	}
	return part
}

// surnameParticles are family-name parts that say little on their own; when a
// surname has several parts they are keyed only through the joined form, so
// every "Van ..." client does not share a key.
var surnameParticles = map[string]bool{
	"van": true, "von": true, "der": true, "den": true, "de": true, "del": true,
	"della": true, "da": true, "di": true, "du": true, "la": true, "le": true,
	"el": true, "al": true, "bin": true, "binti": true, "bint": true,
	"ter": true, "ten": true, "dos": true, "das": true, "do": true, "st": true,
	"mac": true, "mc": true, "san": true,
}

// familyForms returns the folded parts of a family name worth keying on their
// own plus the joined form, for double-barrelled and particle surnames.
func familyForms(parts []string) []string {
	if len(parts) == 0 {
		return nil
	}
	if len(parts) == 1 {
		return []string{FoldMac(parts[0])}
	}
	out := make([]string, 0, len(parts)+1)
	for _, p := range parts {
		if len(p) < 3 || surnameParticles[p] {
			continue
		}
		out = append(out, FoldMac(p))
	}
	return append(out, FoldMac(strings.Join(parts, "")))
}

// Fold lowercases s, strips accents, drops apostrophes, turns any other
// character that is neither letter nor digit into a space and collapses
// spaces: the form the store keeps names and words in for exact and prefix
// lookups (client_names' given_norm and family_norm, the phone book's
// words), and the form search looks them up in.
func Fold(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return unicode.ToLower(r)
		case r == '\'' || r == '’':
			return -1
		default:
			return ' '
		}
	}, StripAccents(s))
	return strings.Join(strings.Fields(out), " ")
}

// SplitAlias splits a one-line alias, as entered, into its given names and
// its family name (the last word): how the store indexes an alias and the
// engine scores it.
func SplitAlias(s string) (given, family string) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return "", s
	}
	return strings.Join(f[:len(f)-1], " "), f[len(f)-1]
}
