package sqldb_test

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"patchwork/match"
	"patchwork/sqldb/sqldbtest"
)

// TestDoubleMetaphoneMatchesPostgres checks match.DoubleMetaphone, which
// writes the phonetic keys of client_keys, against PostgreSQL's own
// fuzzystrmatch on a live server, for a few hundred real names.
func TestDoubleMetaphoneMatchesPostgres(t *testing.T) {
	db := sqldbtest.MustOpen(t, "postgres")
	f, err := os.Open("../match/testdata/dmetaphone_pg.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for i, row := range rows {
		if i%3 == 0 && len(words) < 500 { // a spread across the alphabet
			words = append(words, row[0])
		}
	}
	words = append(words, "Smith", "Smyth", "Catherine", "Kathryn", "MacDonald", "McDonald", "Schmidt", "Nguyen", "Wojciechowski")
	// Extensions are per database; public is on every test schema's path.
	if _, err := db.ExecForTest(`CREATE EXTENSION IF NOT EXISTS fuzzystrmatch SCHEMA public`); err != nil {
		if _, err2 := db.ExecForTest(`SELECT dmetaphone('x')`); err2 != nil {
			t.Fatalf("create extension fuzzystrmatch: %v", err)
		}
	}
	var got string
	if err := db.QueryRowForTest(`SELECT string_agg(dmetaphone(w) || ',' || dmetaphone_alt(w), '|' ORDER BY n)
		FROM string_to_table($1, '|') WITH ORDINALITY AS t(w, n)`, strings.Join(words, "|")).Scan(&got); err != nil {
		t.Fatal(err)
	}
	keys := strings.Split(got, "|")
	if len(keys) != len(words) {
		t.Fatalf("%d keys for %d words", len(keys), len(words))
	}
	bad := 0
	for i, w := range words {
		p, a := match.DoubleMetaphone(w)
		if p+","+a != keys[i] {
			bad++
			t.Errorf("DoubleMetaphone(%q) = %s,%s; PostgreSQL dmetaphone gives %s", w, p, a, keys[i])
		}
	}
	if len(words) < 300 || bad > 0 {
		t.Fatalf("%d of %d names differ", bad, len(words))
	}
}
