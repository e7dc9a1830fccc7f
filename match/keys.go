package match

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Key kinds stored in the (kind, key) -> client index. Family and given keys
// are kept apart so a given name never pulls in clients by their surname
// unless the query asks for it (QueryKeys tries every token in both roles).
const (
	// KindFamilyDeletion holds DeletionKeys of each family-name form (Mac
	// folded to Mc), giving one-typo tolerance on surnames.
	KindFamilyDeletion = "fam_del"
	// KindFamilyPhonetic holds PhoneticKeys of each family-name form.
	KindFamilyPhonetic = "fam_ph"
	// KindGivenDeletion holds DeletionKeys of each given-name part.
	KindGivenDeletion = "giv_del"
	// KindGivenPhonetic holds PhoneticKeys of each given-name part.
	KindGivenPhonetic = "giv_ph"
	// KindGivenGroup holds NameGroups keys, so Bill finds William.
	KindGivenGroup = "giv_grp"
)

// NameKey is one index entry: the store maps (Kind, Key) to client ids.
type NameKey struct {
	Kind string
	Key  string
}

// minDeletionLen is the shortest name that gets deletion variants; deleting a
// letter from a two-letter name leaves single letters that match everything.
const minDeletionLen = 3

// DeletionKeys returns the normalised name (parts joined, no spaces) followed
// by every distinct variant with exactly one letter deleted. Two names within
// one substitution, insertion, deletion or adjacent transposition of each
// other always share at least one of these keys, which is what makes a single
// typo findable with an exact index lookup. Names shorter than three letters
// yield only themselves.
func DeletionKeys(surname string) []string {
	n := strings.Join(NameParts(surname), "")
	if n == "" {
		return nil
	}
	rs := []rune(n)
	if len(rs) < minDeletionLen {
		return []string{n}
	}
	out := make([]string, 0, len(rs)+1)
	out = append(out, n)
	for i := range rs {
		// Deleting either letter of a doubled pair gives the same variant.
		if i > 0 && rs[i] == rs[i-1] {
			continue
		}
		out = append(out, string(rs[:i])+string(rs[i+1:]))
	}
	return out
}

// PhoneticKeys returns the distinct non-empty Double Metaphone keys (primary
// first) of a name part, normalised and with its parts joined.
func PhoneticKeys(part string) []string {
	n := strings.Join(NameParts(part), "")
	if n == "" {
		return nil
	}
	p, a := DoubleMetaphone(n)
	var out []string
	if p != "" {
		out = append(out, p)
	}
	if a != "" && a != p {
		out = append(out, a)
	}
	return out
}

// keySet accumulates keys without duplicates while keeping insertion order,
// so output is deterministic for tests and for batch inserts.
type keySet struct {
	seen map[NameKey]bool
	keys []NameKey
}

func newKeySet() *keySet { return &keySet{seen: make(map[NameKey]bool, 32)} }

func (s *keySet) add(kind string, keys ...string) {
	for _, k := range keys {
		nk := NameKey{Kind: kind, Key: k}
		if k == "" || s.seen[nk] {
			continue
		}
		s.seen[nk] = true
		s.keys = append(s.keys, nk)
	}
}

func (s *keySet) family(form string) {
	s.add(KindFamilyDeletion, DeletionKeys(form)...)
	s.add(KindFamilyPhonetic, PhoneticKeys(form)...)
}

func (s *keySet) given(part string) {
	s.add(KindGivenDeletion, DeletionKeys(part)...)
	if len(part) > 1 { // an initial's phonetic key would match half the index
		s.add(KindGivenPhonetic, PhoneticKeys(part)...)
	}
	s.add(KindGivenGroup, NameGroups(part)...)
}

// ClientKeys returns every index key for one stored name (a client's primary
// name or one alias); call it for each and index them all under the client.
//
// Family keys (fam_del, fam_ph) are made for each part of a multi-part surname
// that is not a particle such as "van" or "de", and for the joined form, so
// "Smith-Jones" is found by "Smith", "Jones", "Smith Jones" and "Smithjones".
// Mac is folded to Mc first. Given keys (giv_del, giv_ph, giv_grp) are made
// for each given-name part and, for multi-part given names, the joined form.
// A typical name yields 20 to 30 keys.
func ClientKeys(given, family string) []NameKey {
	s := newKeySet()
	for _, f := range familyForms(NameParts(family)) {
		s.family(f)
	}
	gp := NameParts(given)
	for _, g := range gp {
		s.given(g)
	}
	if len(gp) > 1 {
		j := strings.Join(gp, "")
		s.add(KindGivenDeletion, DeletionKeys(j)...)
		s.add(KindGivenPhonetic, PhoneticKeys(j)...)
	}
	return s.keys
}

// QueryKeys returns the keys to look up for free-text name tokens (such as
// Query.Names). Because a search box does not say which word is the surname,
// every token is tried as both a family and a given name, which also makes
// swapped first and last names findable; adjacent tokens are joined as a
// family form to reach double-barrelled surnames typed with a space.
// Single-letter tokens are treated as initials and only match an initial.
func QueryKeys(names []string) []NameKey {
	s := newKeySet()
	var tokens []string
	for _, n := range names {
		tokens = append(tokens, NameParts(n)...)
	}
	for _, t := range tokens {
		if len(t) == 1 {
			s.add(KindGivenDeletion, t)
			continue
		}
		s.family(FoldMac(t))
		s.given(t)
	}
	for i := 0; i+1 < len(tokens); i++ {
		s.family(FoldMac(tokens[i] + tokens[i+1]))
	}
	return s.keys
}

// Near returns a test of whether a word is close to w: one typo away (they
// share a deletion key) or sounding alike (they share a Double Metaphone
// key). w's keys are computed once, for testing many words.
func Near(w string) func(v string) bool {
	wk := memoKeys(w)
	return func(v string) bool { return wk.Near(memoKeys(v)) }
}

// WordKeys are the DeletionKeys and PhoneticKeys of one word, for a word
// tested against many others: a list kept for long, such as the phone
// book's vocabulary, keeps its words' keys beside them.
type WordKeys struct{ del, sound []string }

// KeysOf returns w's WordKeys.
func KeysOf(w string) WordKeys { return WordKeys{DeletionKeys(w), PhoneticKeys(w)} }

// Near reports whether the two words are one typo apart or sound alike,
// as Near does.
func (k WordKeys) Near(o WordKeys) bool {
	return sharesAny(k.del, o.del) || sharesAny(k.sound, o.sound)
}

// Near tests the same words again and again (the names among search
// candidates): their keys, pure functions of the word, are kept in a memo,
// dropped whole when it holds keyMemoMax words.
var (
	keyMemo  sync.Map // word → WordKeys
	keyMemoN atomic.Int64
)

const keyMemoMax = 1 << 16

func memoKeys(w string) WordKeys {
	if k, ok := keyMemo.Load(w); ok {
		return k.(WordKeys)
	}
	k := KeysOf(w)
	if keyMemoN.Add(1) > keyMemoMax {
		keyMemo.Clear()
		keyMemoN.Store(0)
	}
	keyMemo.Store(w, k)
	return k
}

func sharesAny(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
