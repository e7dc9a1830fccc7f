package sqldb

import (
	"slices"
	"testing"
)

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
