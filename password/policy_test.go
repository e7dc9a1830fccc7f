package password

import (
	"errors"
	"strings"
	"testing"
)

func TestShippedList(t *testing.T) {
	if n := commonLines(); n < CommonListSize {
		t.Fatalf("shipped list has %d lines, want at least %d", n, CommonListSize)
	}
	// Entries from the start, the middle and the very end of the file.
	for _, w := range []string{"123456", "password", "trustno1", "15101965", "070162"} {
		if _, ok := common()[w]; !ok {
			t.Errorf("%q missing from the list", w)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		pw       string
		personal []string
		want     error
	}{
		{pw: "short", want: ErrTooShort},
		{pw: "elevenchars", want: ErrTooShort},
		{pw: "demo", want: ErrTooShort},
		{pw: strings.Repeat("é", 11), want: ErrTooShort}, // characters, not bytes
		{pw: strings.Repeat("x", MaxLength+1), want: ErrTooLong},
		{pw: "correct horse\x00battery", want: ErrUnreadable},
		{pw: "correct horse \xff battery", want: ErrUnreadable},
		// On the list as it is, and whatever the case.
		{pw: "1qaz2wsx3edc", want: ErrCommon},
		{pw: "qwertyuiop123", want: ErrCommon},
		{pw: "QwErTy123456", want: ErrCommon},
		{pw: "PASSWORD1234", want: ErrCommon},
		// A common word with digits or symbols added at the end.
		{pw: "monkey123456", want: ErrCommon},
		{pw: "Sunshine2024!", want: ErrCommon},
		// Repeats and digit runs.
		{pw: "aaaaaaaaaaaa", want: ErrCommon},
		{pw: "abcabcabcabc", want: ErrCommon},
		{pw: "000000000000", want: ErrCommon},
		{pw: "sam.jones@ashford.test", personal: []string{"Sam.Jones@ashford.test"}, want: ErrPersonal},
		{pw: "sam.jones2024", personal: []string{"sam.jones@ashford.test"}, want: ErrPersonal},
		// Long and unusual passes, with spaces and any characters.
		{pw: "correct horse battery"},
		{pw: "marigold tractor lantern"},
		{pw: "Ünïcødé passwörd ✓"},
		{pw: "20 Nov 2026 07:41 kettle"},
		{pw: strings.Repeat("ab1", 5) + "zq"},
		{pw: strings.Repeat("x", MaxLength-1) + "y"},
	} {
		if err := Check(tc.pw, tc.personal...); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("Check(%q) = %v, want %v", tc.pw, err, tc.want)
		}
	}
}

func TestMessage(t *testing.T) {
	if got := Message(ErrTooShort); got != "Password must be 12 characters or more" {
		t.Errorf("Message(ErrTooShort) = %q", got)
	}
	for _, err := range []error{ErrTooLong, ErrCommon, ErrPersonal, ErrUnreadable} {
		if Message(err) == "" {
			t.Errorf("Message(%v) is empty", err)
		}
	}
	if Message(nil) != "" {
		t.Error("Message(nil) is not empty")
	}
}

func BenchmarkCheck(b *testing.B) {
	common()
	for i := 0; i < b.N; i++ {
		_ = Check("marigold tractor lantern")
	}
}
