package match

import (
	"math"
	"slices"
	"testing"
)

func q(s string) Query { return ParseQuery(s, testNow) }

func TestScoreExactIsOne(t *testing.T) {
	s, reasons := Score(q("Catherine Smith 1/2/1980"), Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01"})
	if s != 1 {
		t.Errorf("exact name and DOB scored %v, want 1", s)
	}
	if Reasons(reasons) != "same date of birth · exact name" {
		t.Errorf("reasons = %q", Reasons(reasons))
	}
	if Level(s) != "likely" {
		t.Errorf("Level(%v) = %q", s, Level(s))
	}
}

func TestScoreReasons(t *testing.T) {
	cath := Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01"}
	tests := []struct {
		name  string
		query string
		c     Candidate
		want  []string // reasons that must be present
	}{
		{"sounds alike", "Catherine Smyth 01/02/1980", cath, []string{"same date of birth", "same first name", "surname sounds alike"}},
		{"schmidt", "Catherine Schmidt", cath, []string{"surname sounds alike"}},
		{"typo", "Catherine Smiht 1980-02-01", cath, []string{"same date of birth"}},
		{"spelt similarly", "Catherine Snith", cath, []string{"surname spelt similarly"}},
		{"nickname", "Kate Smith 1 Feb 1980", cath, []string{"same date of birth", "nickname of Catherine", "same surname"}},
		{"variant", "Kathryn Smith", cath, []string{"variant of Catherine", "same surname"}},
		{"swapped names", "Smith Catherine 1/2/1980", cath, []string{"same date of birth", "exact name", "first and last names swapped"}},
		{"swapped dob", "Catherine Smith 2/1/1980", cath, []string{"date of birth with day and month swapped", "exact name"}},
		{"year only", "Catherine Smith 1980", cath, []string{"same year of birth", "exact name"}},
		{"month and year", "Catherine Smith Feb 1980", cath, []string{"same month and year of birth"}},
		{"different dob", "Catherine Smith 5/9/1961", cath, []string{"different date of birth", "exact name"}},
		{"initial", "C Smith", cath, []string{"first initial matches", "same surname"}},
		{"alias", "Catherine Jones 1/2/1980", Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01", Aliases: []Alias{{"Catherine", "Jones"}}},
			[]string{"same date of birth", "exact name", "matched alias"}},
		{"double-barrelled part", "Catherine Jones", Candidate{Given: "Catherine", Family: "Smith-Jones"}, []string{"part of surname matches"}},
		{"double-barrelled whole", "Catherine Smith Jones", Candidate{Given: "Catherine", Family: "Smith-Jones"}, []string{"exact name"}},
		{"mac", "Angus MacDonald", Candidate{Given: "Angus", Family: "McDonald"}, []string{"surname spelt similarly"}},
		{"apostrophe", "Pat OBrien", Candidate{Given: "Pat", Family: "O'Brien"}, []string{"exact name"}},
		{"accent", "Jose Pena", Candidate{Given: "José", Family: "Peña"}, []string{"exact name"}},
		{"shortened", "Dom Simpson", Candidate{Given: "Dominika", Family: "Simpson"}, []string{"shortened first name"}},
		{"dob only", "1/2/1980", cath, []string{"same date of birth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, reasons := Score(q(tt.query), tt.c)
			for _, w := range tt.want {
				if !slices.Contains(reasons, w) {
					t.Errorf("Score(%q) = %v, reasons %q lack %q", tt.query, s, reasons, w)
				}
			}
		})
	}
}

// TestScoreOrdering pins the rankings the product depends on: each row's
// first candidate must outscore its second for the same query.
func TestScoreOrdering(t *testing.T) {
	tests := []struct {
		name          string
		query         string
		better, worse Candidate
	}{
		{"exact beats one typo", "Catherine Smith 1/2/1980",
			Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01"},
			Candidate{Given: "Catherine", Family: "Smyth", DOB: "1980-02-01"}},
		{"typo with DOB beats stranger sharing DOB", "Catherine Smiht 1/2/1980",
			Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01"},
			Candidate{Given: "Rebecca", Family: "Jones", DOB: "1980-02-01"}},
		{"typo with DOB beats stranger with similar name sharing DOB", "Catherine Smiht 1/2/1980",
			Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01"},
			Candidate{Given: "Caroline", Family: "Smart", DOB: "1980-02-01"}},
		{"typo with DOB beats same name other DOB", "Catherine Smiht 1/2/1980",
			Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01"},
			Candidate{Given: "Catherine", Family: "Smiht", DOB: "1975-06-30"}},
		{"nickname with DOB beats other nickname holder", "Bill Jones 3/4/1990",
			Candidate{Given: "William", Family: "Jones", DOB: "1990-04-03"},
			Candidate{Given: "Bill", Family: "Jones", DOB: "1971-10-12"}},
		{"swapped DOB beats year only", "Catherine Smith 2/1/1980",
			Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01"},
			Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-07-19"}},
		{"known DOB beats missing DOB", "Catherine Smith 1/2/1980",
			Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01"},
			Candidate{Given: "Catherine", Family: "Smith"}},
		{"primary name beats alias", "Catherine Smith",
			Candidate{Given: "Catherine", Family: "Smith"},
			Candidate{Given: "Catherine", Family: "Jones", Aliases: []Alias{{"Catherine", "Smith"}}}},
		{"typed order beats swapped", "John Paul",
			Candidate{Given: "John", Family: "Paul"},
			Candidate{Given: "Paul", Family: "John"}},
		{"surname match beats given-name match for one word", "Smith",
			Candidate{Given: "John", Family: "Smith"},
			Candidate{Given: "Smith", Family: "Jones"}},
		{"full given name beats initial", "Catherine Smith",
			Candidate{Given: "Catherine", Family: "Smith"},
			Candidate{Given: "C", Family: "Smith"}},
		{"closer spelling wins among typo-and-sound matches", "Olivia Ellso",
			Candidate{Given: "Olivia", Family: "Elso"},
			Candidate{Given: "Olivia", Family: "Wellso"}},
		{"closer spelling wins among sound-alikes", "Sophia Bienadel",
			Candidate{Given: "Sophia", Family: "Bynadel"},
			Candidate{Given: "Sophia", Family: "Paindel"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qq := q(tt.query)
			b, br := Score(qq, tt.better)
			w, wr := Score(qq, tt.worse)
			if b <= w {
				t.Errorf("%q: %v %q (%v) should beat %v %q (%v)", tt.query, b, tt.better, br, w, tt.worse, wr)
			}
		})
	}
}

func TestScoreLevels(t *testing.T) {
	cath := Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01"}
	tests := []struct {
		name  string
		query string
		c     Candidate
		want  string
	}{
		{"exact", "Catherine Smith 1/2/1980", cath, "likely"},
		{"nickname", "Kate Smith 1/2/1980", cath, "likely"},
		{"typo", "Catherine Smiht 1/2/1980", cath, "likely"},
		{"sounds", "Kathryn Smyth 1/2/1980", cath, "likely"},
		{"swapped names", "Smith Catherine 1/2/1980", cath, "likely"},
		{"swapped DOB", "Catherine Smith 2/1/1980", cath, "likely"},
		{"name only", "Catherine Smith", cath, "possible"},
		{"one DOB digit", "Catherine Smith 1/2/1981", cath, "possible"},
		{"twin or sibling", "Rebecca Smith 1/2/1980", cath, "possible"},
		{"married name", "Catherine Jones 1/2/1980", cath, "possible"},
		{"same name other DOB", "Catherine Smith 5/9/1961", cath, ""},
		{"stranger sharing DOB", "Rebecca Jones 1/2/1980", cath, ""},
		{"stranger", "Rebecca Jones 5/9/1961", cath, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, r := Score(q(tt.query), tt.c)
			if got := Level(s); got != tt.want {
				t.Errorf("%q: score %v (%s) is %q, want %q", tt.query, s, Reasons(r), got, tt.want)
			}
		})
	}
}

func TestLevelThresholds(t *testing.T) {
	tests := []struct {
		s    float64
		want string
	}{
		{1, "likely"}, {LikelyThreshold, "likely"}, {0.899, "possible"},
		{PossibleThreshold, "possible"}, {0.599, ""}, {0, ""},
	}
	for _, tt := range tests {
		if got := Level(tt.s); got != tt.want {
			t.Errorf("Level(%v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestScoreBounds(t *testing.T) {
	queries := []string{"", "a", "smith", "1/2/1980", "Catherine Smith 1/2/1980", "x y z w", "mary anne smith jones 1980", "O'Brien-MacDonald", "Иван Петров"}
	cands := []Candidate{
		{}, {Given: "Catherine", Family: "Smith", DOB: "1980-02-01"}, {Family: "Smith"}, {Given: "Ivan", DOB: "bad"},
		{Given: "Mary Anne", Family: "Smith-Jones", DOB: "1980-05-05", Aliases: []Alias{{}, {"M", "Jones"}}},
		{Given: "Иван", Family: "Петров"},
	}
	for _, qs := range queries {
		for _, c := range cands {
			s, _ := Score(q(qs), c)
			if s < 0 || s > 1 || math.IsNaN(s) {
				t.Errorf("Score(%q, %+v) = %v out of [0,1]", qs, c, s)
			}
		}
	}
	if s, r := Score(q(""), Candidate{Given: "A", Family: "B"}); s != 0 || len(r) != 0 {
		t.Errorf("empty query scored %v %q", s, r)
	}
	if s, _ := Score(q("Иван Петров"), Candidate{Given: "Иван", Family: "Петров"}); s != 0.8 {
		t.Errorf("non-Latin exact name scored %v, want 0.8 (name only)", s)
	}
}

func TestReasons(t *testing.T) {
	if got := Reasons([]string{"same date of birth", "surname sounds alike"}); got != "same date of birth · surname sounds alike" {
		t.Errorf("Reasons = %q", got)
	}
	if got := Reasons(nil); got != "" {
		t.Errorf("Reasons(nil) = %q", got)
	}
}

func TestWithinOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"smith", "smith", true},
		{"smith", "smyth", true},
		{"smith", "smiht", true},
		{"smith", "smth", true},
		{"smith", "smithe", true},
		{"smith", "msith", true},
		{"smith", "smtih", true},
		{"smith", "simth", true},
		{"smith", "smyht", false},
		{"smith", "jones", false},
		{"smith", "sm", false},
		{"", "a", true},
		{"ab", "ba", true},
		{"abc", "cba", false},
	}
	for _, tt := range tests {
		if got := withinOneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("withinOneEdit(%q, %q) = %v", tt.a, tt.b, got)
		}
		if got := withinOneEdit(tt.b, tt.a); got != tt.want {
			t.Errorf("withinOneEdit(%q, %q) = %v", tt.b, tt.a, got)
		}
	}
}
