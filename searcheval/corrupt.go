package searcheval

import (
	"math/rand/v2"
	"slices"
	"strings"

	"patchwork/match"
)

// The corruptions the search evaluation applies to names.

// typo makes one keyboard slip in a name of four letters or more: a letter
// replaced, dropped, doubled wrongly or swapped with the next.
func typo(rng *rand.Rand, name string) (string, bool) {
	if !isPlainName(name) || len(name) < 4 {
		return "", false
	}
	b := []byte(strings.ToLower(name))
	for range 20 {
		var out []byte
		i := rng.IntN(len(b))
		letter := byte('a' + rng.IntN(26))
		switch rng.IntN(4) {
		case 0: // substitution
			out = slices.Clone(b)
			out[i] = letter
		case 1: // deletion
			out = slices.Delete(slices.Clone(b), i, i+1)
		case 2: // insertion
			out = slices.Insert(slices.Clone(b), i, letter)
		default: // transposition
			if i+1 >= len(b) {
				continue
			}
			out = slices.Clone(b)
			out[i], out[i+1] = out[i+1], out[i]
		}
		if s := string(out); s != string(b) {
			return capitalize(s), true
		}
	}
	return "", false
}

// phoneticSpellings are common variant spellings of names, by normalised
// name.
var phoneticSpellings = map[string][]string{
	"smith": {"smyth", "smythe"}, "smyth": {"smith"}, "reid": {"reed", "read"}, "thompson": {"thomson"},
	"thomson": {"thompson"}, "clarke": {"clark"}, "clark": {"clarke"}, "catherine": {"kathryn", "katharine", "cathryn"},
	"katherine": {"catherine", "kathryn"}, "kathryn": {"catherine", "katherine"}, "stephen": {"steven"},
	"steven": {"stephen"}, "philip": {"phillip"}, "phillip": {"philip"}, "sarah": {"sara"}, "sara": {"sarah"},
	"mohammed": {"muhammad", "mohamed"}, "muhammad": {"mohammed", "mohamed"}, "mohammad": {"muhammad"},
	"caitlin": {"kaitlyn", "katelyn"}, "aisha": {"ayesha"}, "davies": {"davis"}, "davis": {"davies"},
	"macdonald": {"mcdonald"}, "mcdonald": {"macdonald"}, "jonathan": {"johnathan"}, "elizabeth": {"elisabeth"},
	"isabella": {"isabela"}, "sophia": {"sofia"}, "freya": {"freyja"}, "matthew": {"mathew"}, "phillips": {"philips"},
}

// phoneticRules rewrite spellings that usually sound the same.
var phoneticRules = [][2]string{
	{"ph", "f"}, {"f", "ph"}, {"ck", "k"}, {"c", "k"}, {"k", "c"}, {"y", "i"}, {"i", "y"}, {"ie", "y"}, {"y", "ie"},
	{"ey", "y"}, {"s", "z"}, {"z", "s"}, {"ll", "l"}, {"l", "ll"}, {"nn", "n"}, {"n", "nn"}, {"tt", "t"}, {"t", "tt"},
	{"rr", "r"}, {"r", "rr"}, {"mm", "m"}, {"m", "mm"}, {"ss", "s"}, {"th", "t"}, {"ine", "yn"}, {"a", "e"},
	{"e", "a"}, {"o", "ou"}, {"ei", "ie"}, {"ie", "ei"}, {"w", "wh"}, {"x", "ks"}, {"qu", "kw"}, {"dg", "j"},
}

// phoneticVariant returns a different spelling of name with the same Double
// Metaphone key: a known variant, or a rewrite that keeps the sound.
func phoneticVariant(rng *rand.Rand, name string) (string, bool) {
	if !isPlainName(name) {
		return "", false
	}
	n := strings.ToLower(name)
	var options []string
	options = append(options, phoneticSpellings[n]...)
	for _, r := range phoneticRules {
		for i := 1; i < len(n); i++ { // the first letter stays
			if strings.HasPrefix(n[i:], r[0]) {
				options = append(options, n[:i]+r[1]+n[i+len(r[0]):])
			}
		}
	}
	p1, a1 := match.DoubleMetaphone(n)
	var good []string
	for _, o := range options {
		if o == n || len(o) < 3 {
			continue
		}
		p2, a2 := match.DoubleMetaphone(o)
		if p1 == p2 || p1 == a2 || a1 == p2 || (a1 != "" && a1 == a2) {
			good = append(good, o)
		}
	}
	if len(good) == 0 {
		return "", false
	}
	return capitalize(good[rng.IntN(len(good))]), true
}

// evalNicknames are everyday short forms; those that share a nickname group
// (match.NameGroups) with a given name stand in for it.
var evalNicknames = strings.Fields(`bill will willy liam bob bobby rob robbie kate katie kathy cathy kat kitty liz lizzie
	beth betty eliza libby maggie meg peggy mike mick mikey danny dan alex sandy sasha chris kit matt matty andy drew
	becky becca jess jessie sam sammy tom tommy jim jimmy jamie joe joey bella izzy issy ollie olly charlie lottie harry
	hal hank dave davy steve stevie phil pete rick ricky dick rich richie jon johnny jack nick ted teddy ed eddie ned
	tony nat abby annie sue susie jen jenny mo moe millie milly ellie nell flo flossie gracie rosie evie liv livvy
	georgie archie leo sophie soph zac zach ty jay pat paddy sean shaun shawn`)

// nicknameOf returns a nickname of given from the same nickname group.
func nicknameOf(rng *rand.Rand, given string) (string, bool) {
	if !isPlainName(given) {
		return "", false
	}
	groups := match.NameGroups(strings.ToLower(given))
	if len(groups) == 0 {
		return "", false
	}
	var out []string
	for _, n := range evalNicknames {
		if n == strings.ToLower(given) {
			continue
		}
		for _, g := range match.NameGroups(n) {
			if slices.Contains(groups, g) {
				out = append(out, n)
				break
			}
		}
	}
	if len(out) == 0 {
		return "", false
	}
	return capitalize(out[rng.IntN(len(out))]), true
}

func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// otherDate returns a date of birth other than dob (YYYY-MM-DD) and not
// just its day and month swapped: a different day, month or year, as when
// a record was keyed from the wrong document or a guess. Half the time
// only one part changes (the worker knew the rest), otherwise the date is
// drawn anew.
func otherDate(rng *rand.Rand, y, m, d int) (int, int, int) {
	for {
		ny, nm, nd := y, m, d
		switch rng.IntN(4) {
		case 0:
			ny = y + []int{-2, -1, 1, 2}[rng.IntN(4)]
		case 1:
			nm = 1 + rng.IntN(12)
		case 2:
			nd = 1 + rng.IntN(28)
		default:
			ny, nm, nd = 1940+rng.IntN(85), 1+rng.IntN(12), 1+rng.IntN(28)
		}
		if (ny != y || nm != m || nd != d) && !(ny == y && nm == d && nd == m) && ny <= 2025 && ny >= 1900 {
			return ny, nm, nd
		}
	}
}

// addressAbbreviations are the ways a street's kind is written short.
var addressAbbreviations = [][2]string{{"Road", "Rd"}, {"Street", "St"}, {"Lane", "Ln"}, {"Avenue", "Ave"},
	{"Close", "Cl"}, {"Drive", "Dr"}, {"Crescent", "Cres"}}

// addressVariant writes the same address differently: the street's kind
// abbreviated, a comma after the house number, or in lower case.
func addressVariant(rng *rand.Rand, addr string) (string, bool) {
	var options []string
	for _, a := range addressAbbreviations {
		if strings.HasSuffix(addr, " "+a[0]) {
			options = append(options, strings.TrimSuffix(addr, a[0])+a[1])
		}
	}
	if i := strings.IndexByte(addr, ' '); i > 0 && addr[0] >= '0' && addr[0] <= '9' {
		options = append(options, addr[:i]+","+addr[i:])
	}
	if l := strings.ToLower(addr); l != addr {
		options = append(options, l)
	}
	if len(options) == 0 {
		return "", false
	}
	return options[rng.IntN(len(options))], true
}

// postcodeVariant writes the same postcode as people type it: in lower
// case, or without its space.
func postcodeVariant(rng *rand.Rand, pc string) (string, bool) {
	if pc == "" {
		return "", false
	}
	options := []string{strings.ToLower(pc)}
	if strings.Contains(pc, " ") {
		options = append(options, strings.ReplaceAll(pc, " ", ""))
	}
	return options[rng.IntN(len(options))], true
}
