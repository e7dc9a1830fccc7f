package match

// The per-letter rules of Double Metaphone that need more than a line or two.
// Each takes the current position, appends to the keys and returns the next
// position, mirroring one case of the reference's main switch.

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
