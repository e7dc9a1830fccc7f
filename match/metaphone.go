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
	var m metaphoneState
	m.init(word)
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
// some deliberately test for the trailing space. The fixed buffers keep a
// typical name off the heap; longer words simply grow past them.
type metaphoneState struct {
	w              []rune
	length         int
	last           int
	slavo          bool
	pri, alt       []byte
	wBuf           [32]rune
	priBuf, altBuf [16]byte
}

func (m *metaphoneState) init(word string) {
	m.w = m.wBuf[:0]
	for _, r := range word {
		m.w = append(m.w, unicode.ToUpper(r))
	}
	m.length = len(m.w)
	m.last = m.length - 1
	m.w = append(m.w, ' ', ' ', ' ', ' ', ' ')
	// Slavo-Germanic: W, K or CZ anywhere (the reference's WITZ test is
	// subsumed by W).
	for i, r := range m.w {
		if r == 'W' || r == 'K' || (r == 'C' && m.get(i+1) == 'Z') {
			m.slavo = true
			break
		}
	}
	m.pri = m.priBuf[:0]
	m.alt = m.altBuf[:0]
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
