package match

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
)

func TestDeletionKeys(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Smith", []string{"smith", "mith", "sith", "smth", "smih", "smit"}},
		{"smitth", []string{"smitth", "mitth", "sitth", "smtth", "smith", "smitt"}},
		{"Lee", []string{"lee", "ee", "le"}},
		{"Li", []string{"li"}},
		{"O'Brien", []string{"obrien", "brien", "orien", "obien", "obren", "obrin", "obrie"}},
		{"Smith-Jones", []string{"smithjones", "mithjones", "sithjones", "smthjones", "smihjones", "smitjones", "smithones", "smithjnes", "smithjoes", "smithjons", "smithjone"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := DeletionKeys(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DeletionKeys(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestDeletionKeysOneTypo checks the property the index relies on: every
// single substitution, insertion, deletion or adjacent transposition of a
// name shares at least one deletion key with the original.
func TestDeletionKeysOneTypo(t *testing.T) {
	for _, name := range []string{"smith", "lee", "nguyen", "oconnor", "ali", "williams"} {
		t.Run(name, func(t *testing.T) {
			orig := DeletionKeys(name)
			for _, typo := range allOneEdits(name) {
				if len(typo) < 2 && len(name) > 2 {
					continue
				}
				if !sharesAny(orig, DeletionKeys(typo)) {
					t.Errorf("%q and typo %q share no deletion key", name, typo)
				}
			}
		})
	}
}

func allOneEdits(s string) []string {
	var out []string
	for i := 0; i <= len(s); i++ {
		for c := byte('a'); c <= 'z'; c++ {
			out = append(out, s[:i]+string(c)+s[i:]) // insertion
			if i < len(s) {
				out = append(out, s[:i]+string(c)+s[i+1:]) // substitution
			}
		}
		if i < len(s) {
			out = append(out, s[:i]+s[i+1:]) // deletion
		}
		if i+1 < len(s) {
			out = append(out, s[:i]+string(s[i+1])+string(s[i])+s[i+2:]) // transposition
		}
	}
	return out
}

func TestNear(t *testing.T) {
	near := Near("okafor")
	for v, want := range map[string]bool{
		"okafor": true, "okafer": true, "okfor": true, "okaffor": true, "oakfor": true, // one typo
		"ocafor":  true, // sounds alike
		"okonkwo": false, "oak": false, "smith": false,
	} {
		if got := near(v); got != want {
			t.Errorf("Near(okafor)(%q) = %v, want %v", v, got, want)
		}
		// Keys kept beside a word answer alike.
		if got := KeysOf("okafor").Near(KeysOf(v)); got != want {
			t.Errorf("KeysOf(okafor).Near(KeysOf(%q)) = %v, want %v", v, got, want)
		}
	}
}

func TestPhoneticKeys(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Smith", []string{"SM0", "XMT"}},
		{"Lee", []string{"L"}},
		{"Catherine", []string{"K0RN", "KTRN"}},
		{"O'Brien", []string{"APRN"}},
		{"Smith-Jones", []string{"SM0J", "XMTJ"}},
		{"", nil},
		{"'", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := PhoneticKeys(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PhoneticKeys(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClientKeys(t *testing.T) {
	tests := []struct {
		given, family string
		want          []NameKey
		notWant       []NameKey
	}{
		{"Catherine", "Smith", []NameKey{
			{KindFamilyDeletion, "smith"}, {KindFamilyDeletion, "smth"}, {KindFamilyPhonetic, "SM0"}, {KindFamilyPhonetic, "XMT"},
			{KindGivenDeletion, "catherine"}, {KindGivenPhonetic, "K0RN"}, {KindGivenGroup, "catherine"},
		}, nil},
		{"Kate", "Smith-Jones", []NameKey{
			{KindFamilyDeletion, "smith"}, {KindFamilyDeletion, "jones"}, {KindFamilyDeletion, "smithjones"},
			{KindFamilyPhonetic, "JNS"}, {KindGivenGroup, "catherine"},
		}, nil},
		{"Angus", "MacDonald", []NameKey{{KindFamilyDeletion, "mcdonald"}, {KindFamilyPhonetic, "MKTN"}},
			[]NameKey{{KindFamilyDeletion, "macdonald"}}},
		{"Jan", "van der Berg", []NameKey{{KindFamilyDeletion, "berg"}, {KindFamilyDeletion, "vanderberg"}},
			[]NameKey{{KindFamilyDeletion, "van"}, {KindFamilyDeletion, "der"}}},
		{"Mary-Anne", "Lee", []NameKey{
			{KindGivenDeletion, "mary"}, {KindGivenDeletion, "anne"}, {KindGivenDeletion, "maryanne"},
			{KindGivenGroup, "mary"}, {KindGivenGroup, "ann"}, {KindFamilyDeletion, "le"},
		}, nil},
		{"J", "Smith", []NameKey{{KindGivenDeletion, "j"}}, []NameKey{{KindGivenPhonetic, "J"}}},
		{"", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.given+" "+tt.family, func(t *testing.T) {
			keys := ClientKeys(tt.given, tt.family)
			seen := map[NameKey]bool{}
			for _, k := range keys {
				if seen[k] {
					t.Errorf("duplicate key %v", k)
				}
				seen[k] = true
			}
			for _, w := range tt.want {
				if !seen[w] {
					t.Errorf("ClientKeys(%q, %q) lacks %v; got %v", tt.given, tt.family, w, keys)
				}
			}
			for _, w := range tt.notWant {
				if seen[w] {
					t.Errorf("ClientKeys(%q, %q) should not contain %v", tt.given, tt.family, w)
				}
			}
			if len(keys) > 60 {
				t.Errorf("ClientKeys(%q, %q) made %d keys; keep it modest", tt.given, tt.family, len(keys))
			}
		})
	}
	if got := ClientKeys("", ""); len(got) != 0 {
		t.Errorf("empty name gave keys %v", got)
	}
}

func sharedKeys(a, b []NameKey) []NameKey {
	set := map[NameKey]bool{}
	for _, k := range a {
		set[k] = true
	}
	var out []NameKey
	for _, k := range b {
		if set[k] {
			out = append(out, k)
		}
	}
	return out
}

// TestQueryKeysFindStoredNames checks that a query shares keys of the right
// kind with the stored name it should find.
func TestQueryKeysFindStoredNames(t *testing.T) {
	tests := []struct {
		name          string
		query         []string
		given, family string
		kind          string // a kind that must be among the shared keys
	}{
		{"exact", []string{"catherine", "smith"}, "Catherine", "Smith", KindFamilyDeletion},
		{"surname typo", []string{"catherine", "smiht"}, "Catherine", "Smith", KindFamilyDeletion},
		{"surname sound", []string{"catherine", "schmidt"}, "Catherine", "Smith", KindFamilyPhonetic},
		{"given nickname", []string{"kate"}, "Catherine", "Smith", KindGivenGroup},
		{"given typo", []string{"cahterine"}, "Catherine", "Smith", KindGivenDeletion},
		{"given sound", []string{"kathryn"}, "Catherine", "Smith", KindGivenPhonetic},
		{"swapped", []string{"smith", "catherine"}, "Catherine", "Smith", KindFamilyDeletion},
		{"stored swapped", []string{"catherine", "smith"}, "Smith", "Catherine", KindFamilyDeletion},
		{"double-barrelled part", []string{"jones"}, "Ann", "Smith-Jones", KindFamilyDeletion},
		{"double-barrelled spaced", []string{"smith", "jones"}, "Ann", "Smith-Jones", KindFamilyDeletion},
		{"double-barrelled joined", []string{"smithjones"}, "Ann", "Smith-Jones", KindFamilyDeletion},
		{"mac vs mc with typo", []string{"macdonlad"}, "Angus", "McDonald", KindFamilyDeletion},
		{"apostrophe", []string{"obrian"}, "Pat", "O'Brien", KindFamilyDeletion},
		{"particle typed joined", []string{"desouza"}, "Ana", "De Souza", KindFamilyDeletion},
		{"initial", []string{"j"}, "J", "Smith", KindGivenDeletion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shared := sharedKeys(QueryKeys(tt.query), ClientKeys(tt.given, tt.family))
			found := false
			for _, k := range shared {
				if k.Kind == tt.kind {
					found = true
				}
			}
			if !found {
				t.Errorf("query %q and %q %q share no %s key (shared: %v)", tt.query, tt.given, tt.family, tt.kind, shared)
			}
		})
	}
}

func TestQueryKeysInitialOnly(t *testing.T) {
	keys := QueryKeys([]string{"J"})
	if !reflect.DeepEqual(keys, []NameKey{{KindGivenDeletion, "j"}}) {
		t.Errorf("QueryKeys(J) = %v", keys)
	}
	if got := QueryKeys(nil); len(got) != 0 {
		t.Errorf("QueryKeys(nil) = %v", got)
	}
}

// TestKeyMemoIsBounded covers the memo behind Near: it answers as the
// functions it memoises do, and never holds more than keyMemoMax words.
func TestKeyMemoIsBounded(t *testing.T) {
	for i := range keyMemoMax + 100 {
		w := fmt.Sprintf("w%dx", i)
		k := memoKeys(w)
		if i%9973 == 0 && (!slices.Equal(k.del, DeletionKeys(w)) || !slices.Equal(k.sound, PhoneticKeys(w))) {
			t.Fatalf("memoKeys(%q) = %v, want %v and %v", w, k, DeletionKeys(w), PhoneticKeys(w))
		}
	}
	if n := keyMemoN.Load(); n > keyMemoMax {
		t.Errorf("memo holds %d words, more than %d", n, keyMemoMax)
	}
	n := 0
	keyMemo.Range(func(any, any) bool { n++; return true })
	if n > keyMemoMax {
		t.Errorf("memo map holds %d words, more than %d", n, keyMemoMax)
	}
}
