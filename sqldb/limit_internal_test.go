package sqldb

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestNoBoundLimit keeps every LIMIT and OFFSET of the package's SQL a
// literal (limitClause): SQLite parses and plans a statement again each
// time a LIMIT parameter is bound, which made the client page's household
// hints cost eight times their run.
func TestNoBoundLimit(t *testing.T) {
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	bound := regexp.MustCompile(`(?i)\b(LIMIT|OFFSET)\s+\$[0-9]`)
	n := 0
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		n++
		for i, line := range strings.Split(string(b), "\n") {
			if bound.MatchString(line) {
				t.Errorf("%s:%d: a bound LIMIT or OFFSET (use limitClause): %s", f.Name(), i+1, strings.TrimSpace(line))
			}
		}
	}
	if n == 0 {
		t.Fatal("no source files read")
	}
}
