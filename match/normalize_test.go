package match

import (
	"reflect"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Smith", "smith"},
		{"  SMITH  ", "smith"},
		{"O'Brien", "obrien"},
		{"O’Brien", "obrien"},
		{"D`Arcy", "darcy"},
		{"Smith-Jones", "smith jones"},
		{"Smith - Jones", "smith jones"},
		{"Mary   Anne", "mary anne"},
		{"José", "jose"},
		{"Zoë", "zoe"},
		{"Renée", "renee"},
		{"Müller", "muller"},
		{"Françoise", "francoise"},
		{"Peña", "pena"},
		{"Søren", "soren"},
		{"Łukasz", "lukasz"},
		{"Strauß", "strauss"},
		{"Ægir", "aegir"},
		{"Dvořák", "dvorak"},
		{"St. John", "st john"},
		{"Smith, John", "smith john"},
		{"J.R.", "j r"},
		{"Smith2", "smith"},
		{"", ""},
		{"---", ""},
		{"Иван", "иван"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NormalizeName(tt.in); got != tt.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := NormalizeName(NormalizeName(tt.in)); got != tt.want {
				t.Errorf("NormalizeName is not idempotent on %q: %q", tt.in, got)
			}
		})
	}
}

func TestNameParts(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Smith-Jones", []string{"smith", "jones"}},
		{"  O'Brien ", []string{"obrien"}},
		{"van der Berg", []string{"van", "der", "berg"}},
		{"Anne-Marie O'Neill", []string{"anne", "marie", "oneill"}},
		{"", nil},
		{" - ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := NameParts(tt.in)
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("NameParts(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFoldMac(t *testing.T) {
	tests := []struct{ in, want string }{
		{"macdonald", "mcdonald"},
		{"mcdonald", "mcdonald"},
		{"mackenzie", "mckenzie"},
		{"macleod", "mcleod"},
		{"mack", "mack"},
		{"mace", "mace"},
		{"macy", "macy"},
		{"macey", "macey"},
		{"mac", "mac"},
		{"smith", "smith"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := FoldMac(tt.in); got != tt.want {
				t.Errorf("FoldMac(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFamilyForms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Smith", []string{"smith"}},
		{"MacDonald", []string{"mcdonald"}},
		{"Smith-Jones", []string{"smith", "jones", "smithjones"}},
		{"van der Berg", []string{"berg", "vanderberg"}},
		{"De Souza", []string{"souza", "desouza"}},
		{"Mac Donald", []string{"donald", "mcdonald"}},
		{"O Brien", []string{"brien", "obrien"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := familyForms(NameParts(tt.in))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("familyForms(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestFold covers the folding of names and words for lookups, on the
// plain-ASCII path and the accent-stripping one alike.
func TestFold(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Smith", "smith"},
		{"  Mary-Jane   O'Neill ", "mary jane oneill"},
		{"D’Arcy", "darcy"},
		{"Zoë Brontë", "zoe bronte"},
		{"ÉLODIE Müller-Lüdenscheidt", "elodie muller ludenscheidt"},
		{"Nurse (band 6), A&E", "nurse band 6 a e"},
		{"", ""},
	} {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitAlias(t *testing.T) {
	for _, tt := range []struct{ in, given, family string }{
		{"Mary Anne Brennan", "Mary Anne", "Brennan"},
		{"  Kate   Smith ", "Kate", "Smith"},
		{"Prince", "", "Prince"},
		{"", "", ""},
	} {
		if g, f := SplitAlias(tt.in); g != tt.given || f != tt.family {
			t.Errorf("SplitAlias(%q) = %q, %q; want %q, %q", tt.in, g, f, tt.given, tt.family)
		}
	}
}
