package match

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/xrash/smetrics"
)

// matchKind says why two name tokens were judged alike; it drives both the
// similarity value and the reason text.
type matchKind int

const (
	kindNone matchKind = iota
	kindSimilar
	kindInitial
	kindPrefix
	kindSounds
	kindTypo
	kindNickname
	kindVariant
	kindFolded
	kindExact
)

// Token similarity values. They are tuned so that one clear kind of agreement
// (a single typo, same sound, a listed nickname) lands near 0.85-0.9 and
// unrelated names near 0; see docs/search-names.md.
const (
	simExact     = 1.0
	simFolded    = 0.97  // MacDonald / McDonald
	simNickname  = 0.9   // Kate / Catherine, Steven / Stephen
	simTypo      = 0.9   // one edit, names of 4+ letters
	simTypoShort = 0.75  // one edit in a 3-letter name is weaker evidence
	simSounds    = 0.85  // shared Double Metaphone key
	simBothBonus = 0.02  // one typo that also sounds the same
	simTieBreak  = 0.002 // times Jaro-Winkler, among matches by one rule
	simPrefix    = 0.8   // Dan / Daniel when not in the nickname list
	simInitial   = 0.6   // J / John
	jwFloor      = 0.7   // Jaro-Winkler below this counts as no similarity
	jwScale      = 0.9   // best similarity reachable through Jaro-Winkler alone
)

type tokenMatch struct {
	sim   float64
	kind  matchKind
	group string // nickname group key, for the reason text
}

// jaroSim rescales Jaro-Winkler so that unrelated names (typically 0.4-0.7)
// contribute nothing and near-identical ones approach jwScale.
func jaroSim(a, b string) float64 {
	jw := smetrics.JaroWinkler(a, b, 0.7, 4)
	if jw <= jwFloor {
		return 0
	}
	return (jw - jwFloor) / (1 - jwFloor) * jwScale
}

func better(best tokenMatch, sim float64, kind matchKind) tokenMatch {
	if sim > best.sim {
		return tokenMatch{sim: sim, kind: kind}
	}
	return best
}

// sharesPhonetic reports whether any Double Metaphone key of a equals one of
// b's; both primary and alternate count, so Smith matches Schmidt.
func sharesPhonetic(c *phonCache, a, b string) bool {
	ap, aa := c.keys(a)
	bp, ba := c.keys(b)
	if ap == "" || bp == "" {
		return false
	}
	return ap == bp || ap == ba || (aa != "" && (aa == bp || aa == ba))
}

// scoringKeys drops the alternate that Double Metaphone gives an initial J
// for Slavic names (Jankelowicz as Yankelovich): it encodes the J as a vowel,
// which would make John "sound like" Ann and James like Amos. The index keeps
// it (an extra candidate costs little); the score must not reward it.
func scoringKeys(w string) (string, string) {
	p, a := DoubleMetaphone(w)
	if w != "" && w[0] == 'j' && strings.HasPrefix(a, "A") {
		a = ""
	}
	return p, a
}

// soundKeys remembers scoringKeys beyond one Score call: the duplicates
// queue's scan compares every client's names with some fifty others born
// on the same day, each of them fifty times over, and Double Metaphone was
// two fifths of its time. It holds words, not who bears them, and is
// bounded, since searches bring words of their own: once full, a word it
// lacks is computed each time, as before.
var soundKeys struct {
	m sync.Map // word -> [2]string
	n atomic.Int64
}

// maxSoundKeys bounds soundKeys: some 10 MB, more than the distinct name
// words of a million clients' statewide data set.
const maxSoundKeys = 100_000

// soundKeysOf returns scoringKeys(w) through soundKeys.
func soundKeysOf(w string) (string, string) {
	if v, ok := soundKeys.m.Load(w); ok {
		k := v.([2]string)
		return k[0], k[1]
	}
	p, a := scoringKeys(w)
	if soundKeys.n.Load() < maxSoundKeys {
		if _, had := soundKeys.m.LoadOrStore(strings.Clone(w), [2]string{p, a}); !had {
			soundKeys.n.Add(1)
		}
	}
	return p, a
}

// phonCache memoises scoringKeys within one Score call, where the same few
// tokens meet each other many times. A nil cache computes every time.
type phonCache struct {
	words, pri, alt []string
}

func (c *phonCache) keys(w string) (string, string) {
	if c == nil {
		return soundKeysOf(w)
	}
	for i, x := range c.words {
		if x == w {
			return c.pri[i], c.alt[i]
		}
	}
	p, a := soundKeysOf(w)
	c.words, c.pri, c.alt = append(c.words, w), append(c.pri, p), append(c.alt, a)
	return p, a
}

// familyTokenMatch compares two normalised surname forms.
func familyTokenMatch(c *phonCache, a, b string) tokenMatch {
	if a == "" || b == "" {
		return tokenMatch{}
	}
	if a == b {
		return tokenMatch{sim: simExact, kind: kindExact}
	}
	if FoldMac(a) == FoldMac(b) {
		return tokenMatch{sim: simFolded, kind: kindFolded}
	}
	return editOrSound(jaroMatch(a, b), a, b, sharesPhonetic(c, FoldMac(a), FoldMac(b)))
}

// givenTokenMatch compares two normalised given-name tokens, adding nickname
// groups, initials and shortened forms to the surname rules.
func givenTokenMatch(c *phonCache, a, b string) tokenMatch {
	if a == "" || b == "" {
		return tokenMatch{}
	}
	if a == b {
		return tokenMatch{sim: simExact, kind: kindExact}
	}
	if len(a) == 1 || len(b) == 1 {
		if a[0] == b[0] {
			return tokenMatch{sim: simInitial, kind: kindInitial}
		}
		return tokenMatch{}
	}
	if g, variant, ok := sharedGroup(a, b); ok {
		k := kindNickname
		if variant {
			k = kindVariant
		}
		return tokenMatch{sim: simNickname, kind: k, group: g}
	}
	best := editOrSound(jaroMatch(a, b), a, b, sharesPhonetic(c, a, b))
	if len(a) >= 3 && len(b) >= 3 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
		best = better(best, simPrefix, kindPrefix)
	}
	return best
}

func jaroMatch(a, b string) tokenMatch {
	return tokenMatch{sim: jaroSim(a, b), kind: kindSimilar}
}

// editOrSound adds the one-typo and same-sound rules to best, the names'
// Jaro-Winkler similarity. When both hold (Smith and Smyth) the evidence is
// stronger than either alone, and "sounds alike" is the more useful
// explanation for staff. Among names alike by the same rule, the closer
// spelling comes first: a sliver of the similarity breaks the tie ("Ellso"
// is Elso before Wellso).
func editOrSound(best tokenMatch, a, b string, sounds bool) tokenMatch {
	typo := 0.0
	if withinOneEdit(a, b) {
		typo = simTypoShort
		if min(len(a), len(b)) >= 4 {
			typo = simTypo
		}
	}
	tie := simTieBreak * best.sim
	switch {
	case typo > 0 && sounds:
		return better(best, max(typo, simSounds)+simBothBonus+tie, kindSounds)
	case typo > 0:
		return better(best, typo+tie, kindTypo)
	case sounds:
		return better(best, simSounds+tie, kindSounds)
	}
	return best
}

// withinOneEdit reports whether a and b differ by at most one substitution,
// insertion, deletion or adjacent transposition (optimal string alignment
// distance <= 1), without building a distance matrix.
func withinOneEdit(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	switch {
	case la == lb:
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}
