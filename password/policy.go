package password

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Password policy (NIST SP 800-63B, section 3.1.1): a minimum length and a
// blocklist, nothing else. No composition rules, no forced expiry, and paste
// is allowed: rules like "one digit, one symbol" make passwords no harder to
// guess and much harder to remember.
const (
	// MinLength is the least number of characters of a password.
	MinLength = 12
	// MaxLength bounds what is hashed: far above what anyone types or a
	// password manager generates (NIST asks for at least 64), and the same
	// as the input limit on every password field (patchwork.MaxPasswordLength).
	MaxLength = 1000
)

// Errors returned by Check.
var (
	ErrTooShort = errors.New("password: too short")
	ErrTooLong  = errors.New("password: too long")
	ErrCommon   = errors.New("password: too common")
	ErrPersonal = errors.New("password: the same as the account's email address")
	// ErrUnreadable is a password that is not valid UTF-8 or holds a NUL
	// byte: no keyboard or password manager types one, and a browser
	// would not send it back the same, so it is refused when chosen.
	ErrUnreadable = errors.New("password: not valid text")
)

// Check reports whether pw may be chosen as a new password: at least
// MinLength characters (counted as Unicode characters, spaces included), at
// most MaxLength, not on the shipped list of common and breached passwords
// (ignoring case), and not one of personal, the account's own words such as
// its email address. It returns nil or one of the errors above; Message
// turns it into a sentence for the form.
func Check(pw string, personal ...string) error {
	if !utf8.ValidString(pw) || strings.IndexByte(pw, 0) >= 0 {
		return ErrUnreadable
	}
	n := utf8.RuneCountInString(pw)
	if n < MinLength {
		return ErrTooShort
	}
	if n > MaxLength {
		return ErrTooLong
	}
	lower := strings.ToLower(pw)
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		local, _, _ := strings.Cut(p, "@")
		if lower == p || (len(local) >= 4 && strings.TrimRight(lower, "0123456789!.") == local) {
			return ErrPersonal
		}
	}
	if isCommon(pw) {
		return ErrCommon
	}
	return nil
}

// Message returns the sentence a form shows beside the password field for
// an error of Check.
func Message(err error) string {
	switch {
	case errors.Is(err, ErrTooShort):
		return fmt.Sprintf("Password must be %d characters or more", MinLength)
	case errors.Is(err, ErrTooLong):
		return fmt.Sprintf("Password must be %d characters or fewer", MaxLength)
	case errors.Is(err, ErrCommon):
		return "This password is too common and easy to guess. Choose another, such as three or four unrelated words"
	case errors.Is(err, ErrPersonal):
		return "Your password must not be your email address. Choose another, such as three or four unrelated words"
	case errors.Is(err, ErrUnreadable):
		return "Your password has characters that cannot be used. Type it again"
	case err == nil:
		return ""
	}
	return "Choose another password"
}
