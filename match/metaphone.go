package match

import "unicode"

// metaphoneMaxLen is the classic key length; PostgreSQL's dmetaphone()
// truncates to the same length, so keys built here can be compared with keys
// built in SQL.
const metaphoneMaxLen = 4

// DoubleMetaphone returns the primary and alternate Double Metaphone keys of
// word, following Lawrence Philips' reference algorithm as shipped in
// PostgreSQL's fuzzystrmatch (dmetaphone and dmetaphone_alt).
//
// Keys are uppercase and at most four characters; "0" stands for the "th"
// sound. For ASCII input the result is identical to PostgreSQL's. Ç and Ñ are
// handled as characters here (the reference treats them as Latin-1 bytes, so
// a UTF-8 database skips them); callers that key normalised names never pass
// them anyway.
func DoubleMetaphone(word string) (primary, alternate string) {
	if word == "" {
		return "", ""
	}
	m := newMetaphoneState(word)
	m.run()
	p, a := m.pri, m.alt
	if len(p) > metaphoneMaxLen {
		p = p[:metaphoneMaxLen]
	}
	if len(a) > metaphoneMaxLen {
		a = a[:metaphoneMaxLen]
	}
	return string(p), string(a)
}

// metaphoneState holds one encoding in progress. The word is padded with
// spaces, as in the reference, because several rules look past the end and
// some deliberately test for the trailing space.
type metaphoneState struct {
	w        []rune
	length   int
	last     int
	slavo    bool
	pri, alt []byte
}

func newMetaphoneState(word string) *metaphoneState {
	rs := []rune(word)
	w := make([]rune, 0, len(rs)+5)
	for _, r := range rs {
		w = append(w, unicode.ToUpper(r))
	}
	m := &metaphoneState{length: len(rs), last: len(rs) - 1}
	m.w = append(w, ' ', ' ', ' ', ' ', ' ')
	m.slavo = m.contains("W") || m.contains("K") || m.contains("CZ")
	m.pri = make([]byte, 0, 8)
	m.alt = make([]byte, 0, 8)
	return m
}

func (m *metaphoneState) contains(sub string) bool {
	for i := range m.w {
		if m.at(i, sub) {
			return true
		}
	}
	return false
}

// get returns the rune at i, or 0 outside the padded word (the reference's
// GetAt returns NUL there, which never equals a letter or a space).
func (m *metaphoneState) get(i int) rune {
	if i < 0 || i >= len(m.w) {
		return 0
	}
	return m.w[i]
}

func (m *metaphoneState) vowel(i int) bool {
	switch m.get(i) {
	case 'A', 'E', 'I', 'O', 'U', 'Y':
		return true
	}
	return false
}

// at reports whether any of opts occurs at position start. Every option in
// one call has the same length, mirroring StringAt in the reference.
func (m *metaphoneState) at(start int, opts ...string) bool {
	if start < 0 || start >= len(m.w) {
		return false
	}
outer:
	for _, o := range opts {
		if start+len(o) > len(m.w) {
			continue
		}
		for j := 0; j < len(o); j++ {
			if m.w[start+j] != rune(o[j]) {
				continue outer
			}
		}
		return true
	}
	return false
}

func (m *metaphoneState) add(main, alt string) {
	m.pri = append(m.pri, main...)
	m.alt = append(m.alt, alt...)
}

func (m *metaphoneState) add1(s string) { m.add(s, s) }

// germanic reports the "obviously Germanic" word starts that keep hard
// consonants (van/von prefixes, "sch").
func (m *metaphoneState) germanic() bool {
	return m.at(0, "VAN ", "VON ") || m.at(0, "SCH")
}

func (m *metaphoneState) run() {
	cur := 0
	// Silent first letters: Gnome, Knight, Pneumatic, Wright, Psychology.
	if m.at(0, "GN", "KN", "PN", "WR", "PS") {
		cur++
	}
	// Initial X sounds like Z (Xavier), and Z encodes as S.
	if m.get(0) == 'X' {
		m.add1("S")
		cur++
	}
	for (len(m.pri) < metaphoneMaxLen || len(m.alt) < metaphoneMaxLen) && cur < m.length {
		switch m.get(cur) {
		case 'A', 'E', 'I', 'O', 'U', 'Y':
			if cur == 0 {
				m.add1("A")
			}
			cur++
		case 'B':
			m.add1("P")
			cur += m.skipDouble(cur, 'B')
		case 'Ç':
			m.add1("S")
			cur++
		case 'C':
			cur = m.doC(cur)
		case 'D':
			switch {
			case m.at(cur, "DG") && m.at(cur+2, "I", "E", "Y"):
				m.add1("J") // edge
				cur += 3
			case m.at(cur, "DG"):
				m.add1("TK") // edgar
				cur += 2
			case m.at(cur, "DT", "DD"):
				m.add1("T")
				cur += 2
			default:
				m.add1("T")
				cur++
			}
		case 'F':
			cur += m.skipDouble(cur, 'F')
			m.add1("F")
		case 'G':
			cur = m.doG(cur)
		case 'H':
			// Only sounded when first or between vowels and before a vowel.
			if (cur == 0 || m.vowel(cur-1)) && m.vowel(cur+1) {
				m.add1("H")
				cur += 2
			} else {
				cur++
			}
		case 'J':
			cur = m.doJ(cur)
		case 'K':
			cur += m.skipDouble(cur, 'K')
			m.add1("K")
		case 'L':
			cur = m.doL(cur)
		case 'M':
			// Silent B after M: dumb, thumb, plumber.
			if (m.at(cur-1, "UMB") && (cur+1 == m.last || m.at(cur+2, "ER"))) || m.get(cur+1) == 'M' {
				cur += 2
			} else {
				cur++
			}
			m.add1("M")
		case 'N':
			cur += m.skipDouble(cur, 'N')
			m.add1("N")
		case 'Ñ':
			cur++
			m.add1("N")
		case 'P':
			switch {
			case m.get(cur+1) == 'H':
				m.add1("F")
				cur += 2
			case m.at(cur+1, "P", "B"): // Campbell, raspberry
				m.add1("P")
				cur += 2
			default:
				m.add1("P")
				cur++
			}
		case 'Q':
			cur += m.skipDouble(cur, 'Q')
			m.add1("K")
		case 'R':
			// French final -ier (Rogier) is silent in the primary, except
			// Germanic -meier/-maier.
			if cur == m.last && !m.slavo && m.at(cur-2, "IE") && !m.at(cur-4, "ME", "MA") {
				m.add("", "R")
			} else {
				m.add1("R")
			}
			cur += m.skipDouble(cur, 'R')
		case 'S':
			cur = m.doS(cur)
		case 'T':
			cur = m.doT(cur)
		case 'V':
			cur += m.skipDouble(cur, 'V')
			m.add1("F")
		case 'W':
			cur = m.doW(cur)
		case 'X':
			// French final -x is silent: Breaux, Giroux.
			if !(cur == m.last && (m.at(cur-3, "IAU", "EAU") || m.at(cur-2, "AU", "OU"))) {
				m.add1("KS")
			}
			if m.at(cur+1, "C", "X") {
				cur += 2
			} else {
				cur++
			}
		case 'Z':
			switch {
			case m.get(cur+1) == 'H': // pinyin Zhao
				m.add1("J")
				cur += 2
				continue
			case m.at(cur+1, "ZO", "ZI", "ZA") || (m.slavo && cur > 0 && m.get(cur-1) != 'T'):
				m.add("S", "TS")
			default:
				m.add1("S")
			}
			cur += m.skipDouble(cur, 'Z')
		default:
			cur++
		}
	}
}

// skipDouble returns 2 when the letter at i is doubled, so doubled letters
// encode once.
func (m *metaphoneState) skipDouble(i int, r rune) int {
	if m.get(i+1) == r {
		return 2
	}
	return 1
}

func (m *metaphoneState) doC(cur int) int {
	// Germanic -ach- (Bacher, Macher) but not -achi-/-ache-.
	if cur > 1 && !m.vowel(cur-2) && m.at(cur-1, "ACH") &&
		m.get(cur+2) != 'I' && (m.get(cur+2) != 'E' || m.at(cur-2, "BACHER", "MACHER")) {
		m.add1("K")
		return cur + 2
	}
	if cur == 0 && m.at(cur, "CAESAR") {
		m.add1("S")
		return cur + 2
	}
	if m.at(cur, "CHIA") { // Italian Chianti
		m.add1("K")
		return cur + 2
	}
	if m.at(cur, "CH") {
		return m.doCH(cur)
	}
	if m.at(cur, "CZ") && !m.at(cur-2, "WICZ") { // Czerny
		m.add("S", "X")
		return cur + 2
	}
	if m.at(cur+1, "CIA") { // focaccia
		m.add1("X")
		return cur + 3
	}
	// Double C, except McClellan.
	if m.at(cur, "CC") && !(cur == 1 && m.get(0) == 'M') {
		if m.at(cur+2, "I", "E", "H") && !m.at(cur+2, "HU") {
			if (cur == 1 && m.get(cur-1) == 'A') || m.at(cur-1, "UCCEE", "UCCES") {
				m.add1("KS") // accident, succeed
			} else {
				m.add1("X") // bacci, bertucci
			}
			return cur + 3
		}
		m.add1("K") // Pierce's rule: bacchus
		return cur + 2
	}
	if m.at(cur, "CK", "CG", "CQ") {
		m.add1("K")
		return cur + 2
	}
	if m.at(cur, "CI", "CE", "CY") {
		if m.at(cur, "CIO", "CIE", "CIA") {
			m.add("S", "X") // Italian
		} else {
			m.add1("S")
		}
		return cur + 2
	}
	m.add1("K")
	switch {
	case m.at(cur+1, " C", " Q", " G"): // "Mac Gregor" typed with a space
		return cur + 3
	case m.at(cur+1, "C", "K", "Q") && !m.at(cur+1, "CE", "CI"):
		return cur + 2
	}
	return cur + 1
}

func (m *metaphoneState) doCH(cur int) int {
	if cur > 0 && m.at(cur, "CHAE") { // Michael
		m.add("K", "X")
		return cur + 2
	}
	// Greek roots at the start: chemistry, chorus, but not chore.
	if cur == 0 && (m.at(cur+1, "HARAC", "HARIS") || m.at(cur+1, "HOR", "HYM", "HIA", "HEM")) && !m.at(0, "CHORE") {
		m.add1("K")
		return cur + 2
	}
	if m.germanic() ||
		m.at(cur-2, "ORCHES", "ARCHIT", "ORCHID") ||
		m.at(cur+2, "T", "S") ||
		((m.at(cur-1, "A", "O", "U", "E") || cur == 0) &&
			m.at(cur+2, "L", "R", "N", "M", "B", "H", "F", "V", "W", " ")) {
		m.add1("K")
	} else if cur > 0 {
		if m.at(0, "MC") { // McHugh
			m.add1("K")
		} else {
			m.add("X", "K")
		}
	} else {
		m.add1("X")
	}
	return cur + 2
}

func (m *metaphoneState) doG(cur int) int {
	if m.get(cur+1) == 'H' {
		return m.doGH(cur)
	}
	if m.get(cur+1) == 'N' {
		switch {
		case cur == 1 && m.vowel(0) && !m.slavo:
			m.add("KN", "N")
		case !m.at(cur+2, "EY") && m.get(cur+1) != 'Y' && !m.slavo:
			m.add("N", "KN") // not Cagney
		default:
			m.add1("KN")
		}
		return cur + 2
	}
	if m.at(cur+1, "LI") && !m.slavo { // Tagliaro
		m.add("KL", "L")
		return cur + 2
	}
	// -ges-, -gep-, -gel-, -gie- at the start.
	if cur == 0 && (m.get(cur+1) == 'Y' || m.at(cur+1, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER")) {
		m.add("K", "J")
		return cur + 2
	}
	// -ger-, -gy-.
	if (m.at(cur+1, "ER") || m.get(cur+1) == 'Y') &&
		!m.at(0, "DANGER", "RANGER", "MANGER") &&
		!m.at(cur-1, "E", "I") && !m.at(cur-1, "RGY", "OGY") {
		m.add("K", "J")
		return cur + 2
	}
	// Italian soft G: Biaggi.
	if m.at(cur+1, "E", "I", "Y") || m.at(cur-1, "AGGI", "OGGI") {
		switch {
		case m.germanic() || m.at(cur+1, "ET"):
			m.add1("K")
		case m.at(cur+1, "IER "): // always soft with a French ending
			m.add1("J")
		default:
			m.add("J", "K")
		}
		return cur + 2
	}
	m.add1("K")
	return cur + m.skipDouble(cur, 'G')
}

func (m *metaphoneState) doGH(cur int) int {
	if cur > 0 && !m.vowel(cur-1) {
		m.add1("K")
		return cur + 2
	}
	if cur == 0 { // Ghislane sounds J, Ghent sounds K.
		if m.get(cur+2) == 'I' {
			m.add1("J")
		} else {
			m.add1("K")
		}
		return cur + 2
	}
	// Parker's rule: silent in Hugh, bough, Broughton.
	if (cur > 1 && m.at(cur-2, "B", "H", "D")) ||
		(cur > 2 && m.at(cur-3, "B", "H", "D")) ||
		(cur > 3 && m.at(cur-4, "B", "H")) {
		return cur + 2
	}
	if cur > 2 && m.get(cur-1) == 'U' && m.at(cur-3, "C", "G", "L", "R", "T") {
		m.add1("F") // laugh, McLaughlin, cough, tough
	} else if cur > 0 && m.get(cur-1) != 'I' {
		m.add1("K")
	}
	return cur + 2
}

func (m *metaphoneState) doJ(cur int) int {
	// Spanish: Jose, San Jacinto.
	if m.at(cur, "JOSE") || m.at(0, "SAN ") {
		if (cur == 0 && m.get(cur+4) == ' ') || m.at(0, "SAN ") {
			m.add1("H")
		} else {
			m.add("J", "H")
		}
		return cur + 1
	}
	if cur == 0 && !m.at(cur, "JOSE") {
		m.add("J", "A") // Yankelovich / Jankelowicz
	} else if m.vowel(cur-1) && !m.slavo && (m.get(cur+1) == 'A' || m.get(cur+1) == 'O') {
		m.add("J", "H") // Spanish bajador
	} else if cur == m.last {
		m.add("J", "")
	} else if !m.at(cur+1, "L", "T", "K", "S", "N", "M", "B", "Z") && !m.at(cur-1, "S", "K", "L") {
		m.add1("J")
	}
	return cur + m.skipDouble(cur, 'J')
}

func (m *metaphoneState) doL(cur int) int {
	if m.get(cur+1) != 'L' {
		m.add1("L")
		return cur + 1
	}
	// Spanish -llo/-lla/-alle (Cabrillo, Gallegos): the alternate drops L.
	if (cur == m.length-3 && m.at(cur-1, "ILLO", "ILLA", "ALLE")) ||
		((m.at(m.last-1, "AS", "OS") || m.at(m.last, "A", "O")) && m.at(cur-1, "ALLE")) {
		m.add("L", "")
		return cur + 2
	}
	m.add1("L")
	return cur + 2
}

func (m *metaphoneState) doS(cur int) int {
	if m.at(cur-1, "ISL", "YSL") { // island, Carlisle
		return cur + 1
	}
	if cur == 0 && m.at(cur, "SUGAR") {
		m.add("X", "S")
		return cur + 1
	}
	if m.at(cur, "SH") {
		if m.at(cur+1, "HEIM", "HOEK", "HOLM", "HOLZ") { // Germanic
			m.add1("S")
		} else {
			m.add1("X")
		}
		return cur + 2
	}
	if m.at(cur, "SIO", "SIA") || m.at(cur, "SIAN") { // Italian, Armenian
		if m.slavo {
			m.add1("S")
		} else {
			m.add("S", "X")
		}
		return cur + 3
	}
	// Smith/Schmidt, Snider/Schneider; Slavic -sz-.
	if (cur == 0 && m.at(cur+1, "M", "N", "L", "W")) || m.at(cur+1, "Z") {
		m.add("S", "X")
		if m.at(cur+1, "Z") {
			return cur + 2
		}
		return cur + 1
	}
	if m.at(cur, "SC") {
		return m.doSC(cur)
	}
	if cur == m.last && m.at(cur-2, "AI", "OI") { // French Resnais, Artois
		m.add("", "S")
	} else {
		m.add1("S")
	}
	if m.at(cur+1, "S", "Z") {
		return cur + 2
	}
	return cur + 1
}

func (m *metaphoneState) doSC(cur int) int {
	if m.get(cur+2) == 'H' {
		// Dutch school, schooner; Schermerhorn, Schenker.
		if m.at(cur+3, "OO", "ER", "EN", "UY", "ED", "EM") {
			if m.at(cur+3, "ER", "EN") {
				m.add("X", "SK")
			} else {
				m.add1("SK")
			}
			return cur + 3
		}
		if cur == 0 && !m.vowel(3) && m.get(3) != 'W' {
			m.add("X", "S") // Schmidt, Schneider
		} else {
			m.add1("X")
		}
		return cur + 3
	}
	if m.at(cur+2, "I", "E", "Y") {
		m.add1("S")
		return cur + 3
	}
	m.add1("SK")
	return cur + 3
}

func (m *metaphoneState) doT(cur int) int {
	if m.at(cur, "TION") {
		m.add1("X")
		return cur + 3
	}
	if m.at(cur, "TIA", "TCH") {
		m.add1("X")
		return cur + 3
	}
	if m.at(cur, "TH") || m.at(cur, "TTH") {
		// Thomas, Thames and Germanic names keep a hard T.
		if m.at(cur+2, "OM", "AM") || m.germanic() {
			m.add1("T")
		} else {
			m.add("0", "T")
		}
		return cur + 2
	}
	m.add1("T")
	if m.at(cur+1, "T", "D") {
		return cur + 2
	}
	return cur + 1
}

func (m *metaphoneState) doW(cur int) int {
	if m.at(cur, "WR") {
		m.add1("R")
		return cur + 2
	}
	if cur == 0 && (m.vowel(cur+1) || m.at(cur, "WH")) {
		if m.vowel(cur + 1) {
			m.add("A", "F") // Wasserman vs Vasserman
		} else {
			m.add1("A") // Uomo vs Womo
		}
	}
	// Arnow vs Arnoff; Polish -ewski; German Sch-.
	if (cur == m.last && m.vowel(cur-1)) || m.at(cur-1, "EWSKI", "EWSKY", "OWSKI", "OWSKY") || m.at(0, "SCH") {
		m.add("", "F")
		return cur + 1
	}
	if m.at(cur, "WICZ", "WITZ") { // Filipowicz
		m.add("TS", "FX")
		return cur + 4
	}
	return cur + 1
}
