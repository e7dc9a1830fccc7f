package patchwork

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The longest value of each text field, in characters. Every text field a
// person can type has a limit: without one, a megabyte typed into a role
// was stored, indexed word by word, and refused by PostgreSQL with an
// internal error. See docs/security.md ("Input boundary").
const (
	MaxNameLength         = 100  // a person's, agency's or area's name; each part of a client's name
	MaxFullNameLength     = 200  // a whole name on one line, such as a client's other name
	MaxRoleLength         = 100  // a role and a generic role
	MaxLabelLength        = 100  // a sensitive agency's generic label
	MaxEmailLength        = 254  // the longest address SMTP can carry (RFC 5321 path limit)
	MaxPhoneLength        = 30   // a phone number as typed, spaces included
	MaxAddressLength      = 300  // a postal address, over several lines
	MaxPostcodeLength     = 10   // a postcode
	MaxWorkingHoursLength = 200  // working days and hours
	MaxNoteLength         = 500  // a lawful basis note, a leave note
	MaxContactRouteLength = 500  // how to reach a sensitive agency
	MaxAttentionLength    = 1000 // an attention's message and its resolution note
	MaxSearchLength       = 200  // what is typed in the search box
	MaxPasswordLength     = 1000 // a password; longer ones are refused, not hashed
	MaxAliases            = 20   // other names of one client
)

// ValidText reports whether s can be stored as text on both databases: it is
// valid UTF-8 and holds no NUL byte. PostgreSQL refuses both (SQLite would
// store the raw bytes), so they are refused at the boundary, before any
// query.
func ValidText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// CleanLine returns s as a one-line field keeps it: tabs and line breaks
// become spaces, other control characters and bidirectional overrides are
// removed, surrounding space trimmed. s must be ValidText.
func CleanLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return ' '
		case unicode.IsControl(r) || isBidiControl(r):
			return -1
		}
		return r
	}, s))
}

// CleanText returns s as a multi-line field keeps it: line endings become
// "\n", control characters other than newline and tab and bidirectional
// overrides are removed, surrounding space trimmed. s must be ValidText.
func CleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || isBidiControl(r) {
			return -1
		}
		return r
	}, s))
}

// isBidiControl reports whether r reorders the text around it (U+202A-U+202E,
// U+2066-U+2069): in a name it can make "Smith" display as someone else.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// fields collects per-field messages while a request type validates itself.
type fields map[string]string

// set records msg for key unless key already has a message: the first
// problem found is the one shown.
func (f fields) set(key, msg string) {
	if _, ok := f[key]; !ok {
		f[key] = msg
	}
}

// unreadable is the message for a value that is not ValidText.
func unreadable(label string) string {
	return label + " contains characters that cannot be saved. Delete it and type it again"
}

// tooLong is the message for a value over its limit.
func tooLong(label string, max int) string {
	return fmt.Sprintf("%s must be %s characters or fewer", label, thousands(max))
}

// line checks and cleans the one-line field *s (see CleanLine): a value
// that is not ValidText or is longer than max characters gets a message
// under key. It reports whether *s is fine.
func (f fields) line(key string, s *string, max int, label string) bool {
	return f.check(key, s, max, label, CleanLine)
}

// text is line for a multi-line field (see CleanText).
func (f fields) text(key string, s *string, max int, label string) bool {
	return f.check(key, s, max, label, CleanText)
}

// check refuses *s unless it is ValidText, cleans it with clean, then
// refuses it if it is longer than max characters.
func (f fields) check(key string, s *string, max int, label string, clean func(string) string) bool {
	if !ValidText(*s) {
		f.set(key, unreadable(label))
		return false
	}
	*s = clean(*s)
	if utf8.RuneCountInString(*s) > max {
		f.set(key, tooLong(label, max))
		return false
	}
	return true
}

// name is line that also joins runs of spaces into one, as names are shown.
func (f fields) name(key string, s *string, max int, label string) bool {
	if !f.line(key, s, max, label) {
		return false
	}
	*s = strings.Join(strings.Fields(*s), " ")
	return true
}

// thousands formats n with a comma every three digits, as messages show it.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
