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
	// A placeholder in the text ("LIMIT $2"), or one added as the text is
	// built ("LIMIT `+args.add(n)", over a line break too).
	bound := regexp.MustCompile("(?i)\\b(LIMIT|OFFSET)\\s+(\\$[0-9]|`\\s*\\+\\s*(args\\.add|arg)\\()")
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
		for _, at := range bound.FindAllIndex(b, -1) {
			line := 1 + strings.Count(string(b[:at[0]]), "\n")
			t.Errorf("%s:%d: a bound LIMIT or OFFSET (use limitClause): %s", f.Name(), line, strings.Join(strings.Fields(string(b[at[0]:at[1]])), " "))
		}
	}
	if n == 0 {
		t.Fatal("no source files read")
	}
}
