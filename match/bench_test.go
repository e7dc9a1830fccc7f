package match

import "testing"

var (
	benchKeys  []NameKey
	benchScore float64
	benchP     string
)

func BenchmarkClientKeys(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchKeys = ClientKeys("Catherine Mary", "Smith-Jones")
	}
}

func BenchmarkQueryKeys(b *testing.B) {
	names := ParseQuery("kate smyth 1/2/1980", testNow).Names
	b.ReportAllocs()
	for b.Loop() {
		benchKeys = QueryKeys(names)
	}
}

func BenchmarkScore(b *testing.B) {
	q := ParseQuery("Kate Smyth 1/2/1980", testNow)
	c := Candidate{Given: "Catherine", Family: "Smith", DOB: "1980-02-01", Aliases: []Alias{{"Catherine", "Jones"}}}
	b.ReportAllocs()
	for b.Loop() {
		benchScore, _ = Score(q, c)
	}
}

func BenchmarkDoubleMetaphone(b *testing.B) {
	words := []string{"Smith", "Catherine", "Schwarzenegger", "MacDonald", "Nguyen", "Wojciechowski"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		benchP, _ = DoubleMetaphone(words[i%len(words)])
	}
}

func BenchmarkParseQuery(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = ParseQuery("Kate O'Brien 1 Feb 1980 SW1A 1AA", testNow)
	}
}
