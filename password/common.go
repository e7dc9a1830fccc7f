package password

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
)

// commonGz is SecLists' list of the 100,000 most common passwords of a ten
// million password leak corpus (Passwords/Common-Credentials/
// 10-million-password-list-top-100000.txt, MIT licence), gzipped. See
// docs/security.md for its source and checksum.
//
//go:embed common-passwords.txt.gz
var commonGz []byte

// CommonListSize is how many passwords the shipped list holds; a test keeps
// it honest.
const CommonListSize = 100_000

// common is the shipped list as a set of lower-cased entries, built once at
// first use (about 30 ms and 6 MiB), not at start: a worker-only instance
// never needs it.
var common = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic("password: embedded list: " + err.Error())
	}
	set := make(map[string]struct{}, CommonListSize)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := strings.ToLower(strings.TrimSpace(sc.Text())); w != "" {
			set[w] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		panic("password: embedded list: " + err.Error())
	}
	return set
})

// commonLines counts the lines of the shipped list, for its test.
func commonLines() int {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		return 0
	}
	n := 0
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		n++
	}
	return n
}

// isCommon reports whether pw, ignoring case, is on the list, or is an
// entry on it with only digits and punctuation added at the end
// ("monkey123456", "Password!!!!1"), or one short piece repeated
// ("abcabcabcabc"): guessers try those first, and the list's own entries
// of twelve characters or more are few.
func isCommon(pw string) bool {
	set := common()
	lower := strings.ToLower(pw)
	if _, ok := set[lower]; ok {
		return true
	}
	stem := strings.TrimRightFunc(lower, func(r rune) bool {
		return (r >= '0' && r <= '9') || strings.ContainsRune("!@#$%^&*()-_=+.,;:?~ ", r)
	})
	if stem != lower && len(stem) >= 3 {
		if _, ok := set[stem]; ok {
			return true
		}
	}
	if stem == "" {
		// Digits and punctuation only: a date, a phone number, a row of keys.
		return len(distinct(lower)) <= 4
	}
	return repeated(lower)
}

// repeated reports whether s is one piece of up to four characters
// repeated ("aaaaaaaaaaaa", "abab…", "1234" four times).
func repeated(s string) bool {
	for n := 1; n <= 4 && n < len(s); n++ {
		if len(s)%n == 0 && strings.Repeat(s[:n], len(s)/n) == s {
			return true
		}
	}
	return false
}

func distinct(s string) map[rune]bool {
	m := map[rune]bool{}
	for _, r := range s {
		m[r] = true
	}
	return m
}
