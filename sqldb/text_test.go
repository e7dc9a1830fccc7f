package sqldb

import "testing"

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
