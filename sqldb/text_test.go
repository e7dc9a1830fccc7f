package sqldb

import (
	"slices"
	"testing"
)

// TestFoldText covers the folding of names and words for lookups, on the
// plain-ASCII path and the accent-stripping one alike.
func TestFoldText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Smith", "smith"},
		{"  Mary-Jane   O'Neill ", "mary jane oneill"},
		{"D’Arcy", "darcy"},
		{"Zoë Brontë", "zoe bronte"},
		{"ÉLODIE Müller-Lüdenscheidt", "elodie muller ludenscheidt"},
		{"Nurse (band 6), A&E", "nurse band 6 a e"},
		{"", ""},
	} {
		if got := foldText(tt.in); got != tt.want {
			t.Errorf("foldText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestIDsIn covers the reading of the comma-separated id lists the key
// index returns, one per key.
func TestIDsIn(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []int64
	}{
		{"", nil},
		{"7", []int64{7}},
		{"12,3,4500001", []int64{12, 3, 4500001}},
	} {
		var got []int64
		for id := range idsIn(tt.in) {
			got = append(got, id)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("idsIn(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
