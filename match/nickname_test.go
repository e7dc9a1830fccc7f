package match

import (
	"reflect"
	"strings"
	"testing"
)

func TestNicknameTableLoads(t *testing.T) {
	tab := table()
	if n := len(tab.groups); n < 250 {
		t.Errorf("nicknames.txt has %d groups, want at least 250", n)
	}
}

func TestParseNicknamesRejectsBadLines(t *testing.T) {
	tests := map[string]string{
		"lone name":      "craig\n",
		"duplicate key":  "john jon\njohn johnny\n",
		"not normalised": "John | johnny\n",
		"repeated name":  "kate | katie katie\n",
		"two words":      "mary anne | molly\n",
		"no key":         "| bill\n",
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			if name == "two words" {
				// Fields splits "mary anne" into two full forms, which is valid;
				// make sure that reading is what happens.
				if _, err := parseNicknames(src); err != nil {
					t.Fatal(err)
				}
				return
			}
			if _, err := parseNicknames(src); err == nil {
				t.Errorf("parseNicknames(%q) accepted a bad line", src)
			}
		})
	}
}

func TestNameGroups(t *testing.T) {
	tests := []struct {
		name string
		want []string // groups that must be present
	}{
		{"Bill", []string{"william"}},
		{"william", []string{"william"}},
		{"Liam", []string{"william"}},
		{"Kate", []string{"catherine"}},
		{"Kathryn", []string{"catherine"}},
		{"Catharine", []string{"catherine"}},
		{"Kitty", []string{"catherine"}},
		{"Sasha", []string{"alexander", "alexandra"}},
		{"Alex", []string{"alexander", "alexandra"}},
		{"Sandy", []string{"alexander", "alexandra", "sandra"}},
		{"Peggy", []string{"margaret"}},
		{"Greta", []string{"margaret"}},
		{"Libby", []string{"elizabeth"}},
		{"Elsie", []string{"elizabeth"}},
		{"Bob", []string{"robert"}},
		{"Dick", []string{"richard"}},
		{"Mohamed", []string{"mohammed"}},
		{"Muhammad", []string{"mohammed"}},
		{"Jon", []string{"john", "jonathan"}},
		{"Steven", []string{"stephen"}},
		{"Shawn", []string{"sean"}},
		{"Mary-Kate", []string{"mary", "catherine"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NameGroups(tt.name)
			for _, w := range tt.want {
				if !containsString(got, w) {
					t.Errorf("NameGroups(%q) = %q, missing %q", tt.name, got, w)
				}
			}
		})
	}
	if got := NameGroups("Sandra"); containsString(got, "alexandra") {
		t.Errorf("Sandra should not be in the Alexandra group: %q", got)
	}
	if got := NameGroups("Zebedee"); got != nil {
		t.Errorf("NameGroups(unknown) = %q, want nil", got)
	}
	if got := NameGroups(""); got != nil {
		t.Errorf("NameGroups(\"\") = %q, want nil", got)
	}
}

func TestNameGroupsStableOrder(t *testing.T) {
	a, b := NameGroups("sandy"), NameGroups("Sandy")
	if !reflect.DeepEqual(a, b) {
		t.Errorf("order differs: %q vs %q", a, b)
	}
	// File order: alexander is listed before alexandra, which precedes sandra.
	if strings.Join(a, ",") != "alexander,alexandra,cassandra,sandra" {
		t.Errorf("NameGroups(sandy) = %q", a)
	}
}

func TestSharedGroup(t *testing.T) {
	tests := []struct {
		a, b    string
		key     string
		variant bool
		ok      bool
	}{
		{"kate", "catherine", "catherine", false, true},
		{"kathryn", "catherine", "catherine", true, true},
		{"bill", "liam", "william", false, true},
		{"steven", "stephen", "stephen", true, true},
		{"john", "jack", "john", false, true},
		{"john", "mary", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			key, variant, ok := sharedGroup(tt.a, tt.b)
			if key != tt.key || variant != tt.variant || ok != tt.ok {
				t.Errorf("sharedGroup(%q, %q) = %q, %v, %v; want %q, %v, %v", tt.a, tt.b, key, variant, ok, tt.key, tt.variant, tt.ok)
			}
		})
	}
}
