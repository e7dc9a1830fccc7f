package match

import (
	"fmt"
	"testing"
	"time"
)

func TestScratchPrint(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"Kate Smyth 1/2/1980", "smith catherine 1980-02-01", "Bill Smiht 01.02.1980", "catherine smith", "smith", "jane smith 1/2/1980", "catherine jones 2/1/1980", "K Smith Feb 1980", "Cathy Smith-Jones SW1A 1AA", "kate 1 feb 1980"} {
		q := ParseQuery(s, now)
		for _, c := range []Candidate{{Given: "Catherine", Family: "Smith", DOB: "1980-02-01"}, {Given: "William", Family: "Smith", DOB: "1980-02-01"}, {Given: "Catherine", Family: "Jones", DOB: "1980-02-01", Aliases: []Alias{{"Catherine", "Smith"}}}} {
			sc, rs := Score(q, c)
			fmt.Printf("%-30q %+v | %s %s: %.3f %s [%s]\n", s, q, c.Given, c.Family, sc, Level(sc), Reasons(rs))
		}
	}
	fmt.Println(ClientKeys("Catherine", "Smith-Jones"))
	fmt.Println(len(ClientKeys("Catherine", "Smith-Jones")), len(ClientKeys("John", "Smith")))
	fmt.Println(QueryKeys([]string{"kate", "smyth"}))
}
