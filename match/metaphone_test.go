package match

import (
	"encoding/csv"
	"os"
	"testing"
)

// TestDoubleMetaphoneTable pins the special cases of the reference algorithm.
// Every ASCII expectation was produced by PostgreSQL 15's dmetaphone() and
// dmetaphone_alt(); the Ç and Ñ rows come from a LATIN1 database, where the
// reference sees those letters as the single bytes it tests for.
func TestDoubleMetaphoneTable(t *testing.T) {
	tests := []struct {
		word, primary, alternate string
	}{
		{"Gnome", "NM", "NM"},
		{"Knight", "NT", "NT"},
		{"Knowles", "NLS", "NLS"},
		{"Pneumann", "NMN", "NMN"},
		{"Wright", "RT", "RT"},
		{"Psaltis", "SLTS", "SLTS"},
		{"Xavier", "SF", "SFR"},
		{"Ximenez", "SMNS", "SMNS"},
		{"Church", "XRX", "XRK"},
		{"Charles", "XRLS", "XRLS"},
		{"Christopher", "KRST", "KRST"},
		{"Chianti", "KNT", "KNT"},
		{"Chemistry", "KMST", "KMST"},
		{"Chorus", "KRS", "KRS"},
		{"Michael", "MKL", "MXL"},
		{"Orchestra", "ARKS", "ARKS"},
		{"Architect", "ARKT", "ARKT"},
		{"Wachtler", "AKTL", "FKTL"},
		{"Bacchus", "PKS", "PKS"},
		{"Bellocchio", "PLX", "PLX"},
		{"Bertucci", "PRTX", "PRTX"},
		{"Focaccia", "FKX", "FKX"},
		{"Accident", "AKST", "AKST"},
		{"Succeed", "SKST", "SKST"},
		{"McClellan", "MKLL", "MKLL"},
		{"Czerny", "SRN", "XRN"},
		{"Caesar", "SSR", "SSR"},
		{"Bach", "PK", "PK"},
		{"Bacher", "PKR", "PKR"},
		{"Macher", "MKR", "MKR"},
		{"Schmidt", "XMT", "SMT"},
		{"Schneider", "XNTR", "SNTR"},
		{"School", "SKL", "SKL"},
		{"Schenker", "XNKR", "SKNK"},
		{"Schermerhorn", "XRMR", "SKRM"},
		{"Schlesinger", "XLSN", "SLSN"},
		{"Schwarz", "XRS", "XFRT"},
		{"Hugh", "H", "H"},
		{"Bough", "P", "P"},
		{"Broughton", "PRTN", "PRTN"},
		{"Laugh", "LF", "LF"},
		{"McLaughlin", "MKLF", "MKLF"},
		{"Tough", "TF", "TF"},
		{"Ghislane", "JLN", "JLN"},
		{"Ghent", "KNT", "KNT"},
		{"Edge", "AJ", "AJ"},
		{"Edgar", "ATKR", "ATKR"},
		{"McHugh", "MK", "MK"},
		{"MacGregor", "MKRK", "MKRK"},
		{"Mac Gregor", "MKRK", "MKRK"},
		{"McDonald", "MKTN", "MKTN"},
		{"MacDonald", "MKTN", "MKTN"},
		{"Nation", "NXN", "NXN"},
		{"Station", "STXN", "STXN"},
		{"Thomas", "TMS", "TMS"},
		{"Thames", "TMS", "TMS"},
		{"Smith", "SM0", "XMT"},
		{"Catherine", "K0RN", "KTRN"},
		{"Kathryn", "K0RN", "KTRN"},
		{"Thompson", "TMPS", "TMPS"},
		{"Matthew", "M0", "MTF"},
		{"Wasserman", "ASRM", "FSRM"},
		{"Whitaker", "ATKR", "ATKR"},
		{"Arnow", "ARN", "ARNF"},
		{"Kowalski", "KLSK", "KLSK"},
		{"Filipowicz", "FLPT", "FLPF"},
		{"Horowitz", "HRTS", "HRFX"},
		{"Jose", "HS", "HS"},
		{"San Jacinto", "SNHS", "SNHS"},
		{"Bajador", "PJTR", "PHTR"},
		{"Yankelovich", "ANKL", "ANKL"},
		{"Jankelowicz", "JNKL", "ANKL"},
		{"Cabrillo", "KPRL", "KPR"},
		{"Gallegos", "KLKS", "KKS"},
		{"Campbell", "KMPL", "KMPL"},
		{"Dumb", "TM", "TM"},
		{"Plumber", "PLMR", "PLMR"},
		{"Rogier", "RJ", "RJR"},
		{"Hochmeier", "HKMR", "HKMR"},
		{"Resnais", "RSN", "RSNS"},
		{"Artois", "ART", "ARTS"},
		{"Island", "ALNT", "ALNT"},
		{"Carlisle", "KRLL", "KRLL"},
		{"Sugar", "XKR", "SKR"},
		{"Breaux", "PR", "PR"},
		{"Zhao", "J", "J"},
		{"Pizza", "PS", "PTS"},
		{"Agnew", "AKN", "AKNF"},
		{"Cagney", "KKN", "KKN"},
		{"Tagliaro", "TKLR", "TLR"},
		{"Biaggi", "PJ", "PK"},
		{"Gerber", "KRPR", "JRPR"},
		{"Danger", "TNJR", "TNKR"},
		{"Jaeger", "JJR", "AKR"},
		{"Philips", "FLPS", "FLPS"},
		{"Phillips", "FLPS", "FLPS"},
		{"Allan", "ALN", "ALN"},
		{"Williams", "ALMS", "FLMS"},
		{"Wiliams", "ALMS", "FLMS"},
		{"Smyth", "SM0", "XMT"},
		{"Schmitt", "XMT", "SMT"},
		{"OBrien", "APRN", "APRN"},
		{"Aoife", "AF", "AF"},
		{"Yvonne", "AFN", "AFN"},
		{"Hannah", "HN", "HN"},
		{"Mohammed", "MHMT", "MHMT"},
		{"Muhammad", "MHMT", "MHMT"},
		{"Nguyen", "NKN", "NKN"},
		{"Zachary", "SKR", "SKR"},
		{"Zbigniew", "SPKN", "SPKN"},
		{"Szabo", "SP", "XP"},
		{"Djokovic", "TJKF", "TJKF"},
		{"Tchaikovsky", "XKFS", "XKFS"},
		{"Dougherty", "TRT", "TRT"},
		{"Doherty", "THRT", "THRT"},
		{"Rhys", "RS", "RS"},
		{"Reece", "RS", "RS"},
		{"Sean", "SN", "SN"},
		{"Shaun", "XN", "XN"},
		{"Shawn", "XN", "XN"},
		{"Stephen", "STFN", "STFN"},
		{"Steven", "STFN", "STFN"},
		{"Kaur", "KR", "KR"},
		{"Singh", "SNK", "SNK"},
		{"Leigh", "L", "L"},
		{"Lee", "L", "L"},
		{"Jon", "JN", "AN"},
		{"John", "JN", "AN"},
		{"Ian", "AN", "AN"},
		// C-cedilla and N-tilde (LATIN1 reference).
		{"FRANÇOISE", "FRNS", "FRNS"},
		{"GARÇON", "KRSN", "KRSN"},
		{"ÇA", "S", "S"},
		{"PEÑA", "PN", "PN"},
		{"MUÑOZ", "MNS", "MNS"},
		{"IBAÑEZ", "APNS", "APNS"},
		// Lower case and empty input.
		{"smith", "SM0", "XMT"},
		{"peña", "PN", "PN"},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			p, a := DoubleMetaphone(tt.word)
			if p != tt.primary || a != tt.alternate {
				t.Errorf("DoubleMetaphone(%q) = %q, %q; want %q, %q", tt.word, p, a, tt.primary, tt.alternate)
			}
		})
	}
}

// TestDoubleMetaphonePostgres replays outputs recorded from PostgreSQL's
// fuzzystrmatch, so the Go keys and SQL keys stay interchangeable.
func TestDoubleMetaphonePostgres(t *testing.T) {
	for _, file := range []string{"testdata/dmetaphone_pg.csv", "testdata/dmetaphone_pg_fuzz.csv"} {
		t.Run(file, func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r := csv.NewReader(f)
			r.Comment = '#'
			r.FieldsPerRecord = 3
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < 1000 {
				t.Fatalf("only %d rows in %s", len(rows), file)
			}
			bad := 0
			for _, row := range rows {
				p, a := DoubleMetaphone(row[0])
				if p != row[1] || a != row[2] {
					bad++
					if bad <= 20 {
						t.Errorf("DoubleMetaphone(%q) = %q, %q; PostgreSQL gives %q, %q", row[0], p, a, row[1], row[2])
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d rows differ from PostgreSQL", bad, len(rows))
			}
		})
	}
}

func TestDoubleMetaphoneKeyLength(t *testing.T) {
	for _, w := range []string{"Christopherson", "Schwarzenegger", "Wolfeschlegelsteinhausenbergerdorff", "a", "Ng"} {
		p, a := DoubleMetaphone(w)
		if len(p) > 4 || len(a) > 4 {
			t.Errorf("DoubleMetaphone(%q) = %q, %q; keys longer than 4", w, p, a)
		}
	}
}
