package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The synthetic population draws on names that have nickname groups and
// surnames with a known phonetic spelling variant, so every corruption below
// has something to corrupt.
var (
	synthGiven = []string{
		"William", "Catherine", "Elizabeth", "Margaret", "Robert", "Richard", "James", "John",
		"Alexander", "Alexandra", "Thomas", "Michael", "Christopher", "Jennifer", "Patricia",
		"Susan", "Rebecca", "Victoria", "Samantha", "Daniel", "Matthew", "Anthony", "Andrew",
		"Edward", "Stephen", "David", "Joseph", "Charles", "Nicholas", "Jessica", "Deborah",
		"Rachel", "Sarah", "Emily", "Charlotte", "Benjamin", "Samuel", "Jonathan", "Peter", "Mohammed",
	}
	// Each surname maps to a spelling that sounds the same.
	synthFamily = map[string]string{
		"Smith": "Smyth", "Thompson": "Thomson", "Clark": "Clarke", "Reid": "Reed",
		"Phillips": "Philips", "Stevens": "Stephens", "MacDonald": "McDonald", "O'Brien": "O'Bryan",
		"Johnson": "Jonson", "Carr": "Kerr", "Gray": "Grey", "Davies": "Davis", "Wright": "Right",
		"Knight": "Night", "Schneider": "Snyder", "Fischer": "Fisher", "Meyer": "Meier",
		"Kelly": "Kelley", "Green": "Greene", "Murphy": "Murphey", "Brown": "Browne", "Lee": "Leigh",
		"Cohen": "Cohn", "Hughes": "Hewes", "Byrne": "Burn", "Walsh": "Welsh", "Gallagher": "Gallacher",
		"Kavanagh": "Cavanagh", "Khan": "Kahn", "Wilson": "Willson", "Taylor": "Tailor", "White": "Whyte",
		"Martin": "Marten", "Cook": "Cooke", "Anderson": "Andersen", "Mitchell": "Michell",
		"Nicholls": "Nichols", "Matthews": "Mathews", "Campbell": "Cambell", "Stewart": "Stuart",
		"Mackenzie": "McKenzie", "Ferguson": "Fergusson", "Fraser": "Frazer", "Kowalski": "Kowalsky",
		"Nguyen": "Nguyan", "Smith-Jones": "Smyth-Jones", "Patel": "Pattel", "Singh": "Sing",
	}
	dateLayouts = []string{"02/01/2006", "2/1/2006", "2006-01-02", "2 Jan 2006", "2 January 2006", "02.01.2006"}
)

type synthPerson struct {
	given, family string
	dob           time.Time
	aliases       []Alias
}

func (p synthPerson) candidate() Candidate {
	return Candidate{Given: p.given, Family: p.family, DOB: p.dob.Format("2006-01-02"), Aliases: p.aliases}
}

func (p synthPerson) keys() []NameKey {
	keys := ClientKeys(p.given, p.family)
	for _, a := range p.aliases {
		keys = append(keys, ClientKeys(a.Given, a.Family)...)
	}
	return keys
}

func synthPopulation(r *rand.Rand, n int) []synthPerson {
	families := sortedKeys(synthFamily)
	start := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(2015, 12, 31, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
	people := make([]synthPerson, n)
	for i := range people {
		p := synthPerson{
			given:  synthGiven[r.IntN(len(synthGiven))],
			family: families[r.IntN(len(families))],
			dob:    start.AddDate(0, 0, r.IntN(days)),
		}
		if r.IntN(10) == 0 { // a previous surname
			p.aliases = []Alias{{p.given, families[r.IntN(len(families))]}}
		}
		people[i] = p
	}
	return people
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	// Map order is random; sort so the seeded population is reproducible.
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// typo applies one random substitution, insertion, deletion or adjacent
// transposition to a lower-cased name.
func typo(r *rand.Rand, name string) string {
	s := strings.ToLower(name)
	for {
		i := r.IntN(len(s))
		c := string(rune('a' + r.IntN(26)))
		var t string
		switch r.IntN(4) {
		case 0:
			t = s[:i] + c + s[i+1:]
		case 1:
			t = s[:i] + c + s[i:]
		case 2:
			t = s[:i] + s[i+1:]
		default:
			if i+1 >= len(s) {
				continue
			}
			t = s[:i] + string(s[i+1]) + string(s[i]) + s[i+2:]
		}
		if NormalizeName(t) != NormalizeName(s) && len(strings.Fields(NormalizeName(t))) > 0 {
			return t
		}
	}
}

// nicknameOf picks another member of one of the name's nickname groups.
func nicknameOf(r *rand.Rand, given string) string {
	g := strings.ToLower(given)
	var others []string
	for name, idxs := range table().byName {
		if name == g {
			continue
		}
		for _, i := range idxs {
			if table().groups[i].key == g {
				others = append(others, name)
			}
		}
	}
	if len(others) == 0 {
		return ""
	}
	// Sort for reproducibility before the seeded pick.
	for i := range others {
		for j := i + 1; j < len(others); j++ {
			if others[j] < others[i] {
				others[i], others[j] = others[j], others[i]
			}
		}
	}
	return others[r.IntN(len(others))]
}

type synthCase struct {
	kind  string
	query string
	truth int
	// needKind is a key kind the query must share with the truth, or "" if
	// any shared key will do.
	needKind string
	withDOB  bool
}

func synthCases(r *rand.Rand, people []synthPerson, per int) []synthCase {
	var cases []synthCase
	date := func(p synthPerson) string { return p.dob.Format(dateLayouts[r.IntN(len(dateLayouts))]) }
	for n := 0; n < per; n++ {
		i := r.IntN(len(people))
		p := people[i]
		cases = append(cases,
			synthCase{"surname typo", fmt.Sprintf("%s %s %s", p.given, typo(r, p.family), date(p)), i, "fam", true},
			synthCase{"given typo", fmt.Sprintf("%s %s %s", typo(r, p.given), p.family, date(p)), i, "giv", true},
			synthCase{"phonetic surname", fmt.Sprintf("%s %s %s", p.given, synthFamily[p.family], date(p)), i, "fam", true},
			synthCase{"swapped names", fmt.Sprintf("%s %s %s", p.family, p.given, date(p)), i, "fam", true},
			synthCase{"missing DOB", fmt.Sprintf("%s %s", p.given, p.family), i, "fam", false},
		)
		if nick := nicknameOf(r, p.given); nick != "" {
			cases = append(cases,
				synthCase{"nickname", fmt.Sprintf("%s %s %s", nick, p.family, date(p)), i, KindGivenGroup, true},
				// Two corruptions at once: nickname and a sound-alike surname.
				synthCase{"nick+phonetic", fmt.Sprintf("%s %s %s", nick, synthFamily[p.family], date(p)), i, "", true},
			)
		}
		if d := p.dob.Day(); d <= 12 && d != int(p.dob.Month()) {
			swapped := time.Date(p.dob.Year(), time.Month(d), int(p.dob.Month()), 0, 0, 0, 0, time.UTC)
			cases = append(cases, synthCase{"transposed DOB", fmt.Sprintf("%s %s %s", p.given, p.family, swapped.Format("02/01/2006")), i, "fam", true})
		}
	}
	return cases
}

// TestSyntheticRecallAndRanking runs the whole pipeline on 2,000 synthetic
// clients: ParseQuery on corrupted text, QueryKeys against an in-memory
// (kind, key) index built with ClientKeys, then Score over the candidates.
func TestSyntheticRecallAndRanking(t *testing.T) {
	r := rand.New(rand.NewPCG(20240601, 7))
	people := synthPopulation(r, 2000)
	index := map[NameKey][]int{}
	for i, p := range people {
		seen := map[NameKey]bool{}
		for _, k := range p.keys() {
			if !seen[k] {
				seen[k] = true
				index[k] = append(index[k], i)
			}
		}
	}

	type tally struct{ n, recalled, first, dobCases, dobFirst int }
	stats := map[string]*tally{}
	var order []string
	for _, c := range synthCases(r, people, 150) {
		st := stats[c.kind]
		if st == nil {
			st = &tally{}
			stats[c.kind] = st
			order = append(order, c.kind)
		}
		st.n++
		qq := ParseQuery(c.query, testNow)
		if c.withDOB && !qq.Date.Known() {
			t.Fatalf("%s: no date parsed from %q", c.kind, c.query)
		}
		qkeys := QueryKeys(qq.Names)

		shared := sharedKeys(qkeys, people[c.truth].keys())
		ok := len(shared) > 0
		if c.needKind != "" {
			ok = false
			for _, k := range shared {
				if strings.HasPrefix(k.Kind, c.needKind) {
					ok = true
				}
			}
		}
		if !ok {
			t.Errorf("%s: %q shares no %q key with %s %s", c.kind, c.query, c.needKind, people[c.truth].given, people[c.truth].family)
			continue
		}
		st.recalled++

		cands := map[int]bool{}
		for _, k := range qkeys {
			for _, id := range index[k] {
				cands[id] = true
			}
		}
		truthScore, _ := Score(qq, people[c.truth].candidate())
		// With a date of birth the truth must be strictly on top; without one
		// a namesake may tie with it, which is fair.
		beaten := 0
		for id := range cands {
			if id == c.truth {
				continue
			}
			s, _ := Score(qq, people[id].candidate())
			if s > truthScore || (c.withDOB && s == truthScore) {
				beaten++
			}
		}
		if beaten == 0 {
			st.first++
		}
		if c.withDOB {
			st.dobCases++
			if beaten == 0 {
				st.dobFirst++
			}
		}
	}

	var dobCases, dobFirst int
	for _, k := range order {
		st := stats[k]
		t.Logf("%-16s cases %3d  recalled %3d  truth ranked first %3d (%.1f%%)", k, st.n, st.recalled, st.first, 100*float64(st.first)/float64(st.n))
		dobCases += st.dobCases
		dobFirst += st.dobFirst
		if st.recalled != st.n {
			t.Errorf("%s: recall %d/%d, want all", k, st.recalled, st.n)
		}
	}
	rate := float64(dobFirst) / float64(dobCases)
	t.Logf("name+DOB cases: truth first in %d/%d (%.1f%%)", dobFirst, dobCases, 100*rate)
	if rate < 0.95 {
		t.Errorf("truth ranked first in %.1f%% of name+DOB cases, want >= 95%%", 100*rate)
	}
}
