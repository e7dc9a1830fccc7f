package match

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed nicknames.txt
var nicknamesTxt string

// nicknameGroup is one line of nicknames.txt.
type nicknameGroup struct {
	key      string
	variants map[string]bool // full forms and spellings, including key
}

type nicknameTable struct {
	groups []nicknameGroup
	byName map[string][]int // name -> indexes into groups, in file order
}

var (
	nicknamesOnce sync.Once
	nicknames     *nicknameTable
)

// table parses the embedded list once; a malformed list is a programming
// error caught by the tests, so it panics rather than limping on.
func table() *nicknameTable {
	nicknamesOnce.Do(func() {
		t, err := parseNicknames(nicknamesTxt)
		if err != nil {
			panic(err)
		}
		nicknames = t
	})
	return nicknames
}

func parseNicknames(src string) (*nicknameTable, error) {
	t := &nicknameTable{byName: make(map[string][]int)}
	keys := make(map[string]bool)
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		full, short, _ := strings.Cut(line, "|")
		fullNames, shortNames := strings.Fields(full), strings.Fields(short)
		if len(fullNames) == 0 || len(fullNames)+len(shortNames) < 2 {
			return nil, fmt.Errorf("nicknames.txt line %d: a group needs a key and at least one other name", n+1)
		}
		g := nicknameGroup{key: fullNames[0], variants: make(map[string]bool)}
		if keys[g.key] {
			return nil, fmt.Errorf("nicknames.txt line %d: duplicate group key %q", n+1, g.key)
		}
		keys[g.key] = true
		idx := len(t.groups)
		seen := make(map[string]bool)
		for i, name := range append(fullNames, shortNames...) {
			if NormalizeName(name) != name || strings.Contains(name, " ") {
				return nil, fmt.Errorf("nicknames.txt line %d: %q is not a normalised single name", n+1, name)
			}
			if seen[name] {
				return nil, fmt.Errorf("nicknames.txt line %d: %q listed twice", n+1, name)
			}
			seen[name] = true
			if i < len(fullNames) {
				g.variants[name] = true
			}
			t.byName[name] = append(t.byName[name], idx)
		}
		t.groups = append(t.groups, g)
	}
	return t, nil
}

// NameGroups returns the keys of the nickname groups a given name belongs to,
// in the stable order of nicknames.txt. A key is the group's canonical name
// ("catherine" for Kate, Kathy and Kathryn), so keys survive reordering of the
// list. A multi-part name returns the groups of every part. Unknown names
// return nil.
func NameGroups(given string) []string {
	t := table()
	var out []string
	for _, part := range NameParts(given) {
		for _, i := range t.byName[part] {
			k := t.groups[i].key
			if !containsString(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// sharedGroup reports the first group two normalised single names share and
// whether both are full forms of it (a spelling variant rather than a
// nickname), for the reason text.
func sharedGroup(a, b string) (key string, variant bool, ok bool) {
	t := table()
	for _, i := range t.byName[a] {
		for _, j := range t.byName[b] {
			if i == j {
				g := t.groups[i]
				return g.key, g.variants[a] && g.variants[b], true
			}
		}
	}
	return "", false, false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
