package match

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func TestScratchPG(t *testing.T) {
	f, err := os.Open(os.Getenv("PGFILE"))
	if err != nil {
		t.Skip()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	bad := 0
	n := 0
	for sc.Scan() {
		parts := strings.FieldsFunc(sc.Text(), func(r rune) bool { return r == 0x7c || r == 0x2c })
		p, a := DoubleMetaphone(parts[0])
		n++
		if p != parts[1] || a != parts[2] {
			bad++
			if bad < 40 {
				t.Errorf("%q: got %s/%s want %s/%s", parts[0], p, a, parts[1], parts[2])
			}
		}
	}
	t.Logf("%d checked, %d bad", n, bad)
}
