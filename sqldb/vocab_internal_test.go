package sqldb

import (
	"reflect"
	"testing"

	"patchwork/match"
)

// TestVocabKeysOfReadAgain: a bucket read again keeps the keys of the words
// it already held and works out those of new ones; either way every word
// gets its own keys, whatever was added, removed or reordered.
func TestVocabKeysOfReadAgain(t *testing.T) {
	var fresh vocabEntry
	old := vocabEntry{words: []string{"okafor", "okoro", "okwu"}}
	old.keys = fresh.keysOf(old.words)
	for _, words := range [][]string{
		nil,
		{"okafor", "okoro", "okwu"},
		{"okafor", "okeke", "okoro", "okwu"}, // one added between
		{"okoro"},                            // two removed
		{"okwu", "okafor", "oko"},            // another order, one new
		{"okafo", "okafor"},
	} {
		got := old.keysOf(words)
		if len(got) != len(words) {
			t.Fatalf("%q: %d keys", words, len(got))
		}
		for i, w := range words {
			if want := match.KeysOf(w); !reflect.DeepEqual(got[i], want) {
				t.Errorf("%q: keys of %q are %+v, want %+v", words, w, got[i], want)
			}
		}
	}
}
