package demo

import (
	"math"
	"math/rand/v2"
	"strings"
)

// Real common names head the distributions; syllable-built names make the
// long tail of rare names a state's register really has.
var commonSurnames = []string{"Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Wilson", "Evans", "Thomas", "Johnson",
	"Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris",
	"Lewis", "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill", "Scott", "Cooper", "Morris", "Ward", "Moore", "King",
	"Watson", "Baker", "Harrison", "Morgan", "Patel", "Young", "Allen", "Mitchell", "James", "Anderson", "Phillips", "Lee",
	"Bell", "Parker", "Davis", "Nguyen", "Singh", "Khan", "Kaur", "Ali", "Murphy", "Kelly", "O'Brien", "O'Connor", "Ryan",
	"MacDonald", "McDonald", "Campbell", "Stewart", "Robertson", "Murray", "Fraser", "MacLeod", "McKenzie", "Smyth", "Smythe",
	"Thomson", "Reid", "Kowalski", "Nowak", "Schmidt", "Müller", "García", "Martínez", "Rossi", "Silva", "Costa", "Chen",
	"Wang", "Li", "Zhang", "Tran", "Le", "Pham", "Okafor", "Okonkwo", "Adeyemi", "Mensah", "Hussain", "Ahmed", "Begum",
	"Smith-Jones", "Lloyd-Webber", "Fitzgerald", "Gallagher", "Doherty", "Byrne", "Walsh", "Quinn", "Nolan", "Fox", "Hart"}

var commonGiven = []string{"Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace",
	"Freya", "Emily", "Ella", "Poppy", "Charlotte", "Evie", "Florence", "Willow", "Sienna", "Catherine", "Katherine",
	"Kathryn", "Caitlin", "Elizabeth", "Margaret", "Sarah", "Sara", "Jessica", "Rebecca", "Hannah", "Chloe", "Zoë", "Zoe",
	"Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie", "Henry", "Jack", "Charlie",
	"Thomas", "William", "James", "John", "Jon", "Jonathan", "Michael", "Daniel", "David", "Joseph", "Samuel", "Alexander",
	"Robert", "Richard", "Christopher", "Matthew", "Andrew", "Stephen", "Steven", "Philip", "Phillip", "Peter", "Paul",
	"Seán", "Siobhan", "Niamh", "Aoife", "Ciarán", "Mohammed", "Mohammad", "Fatima", "Aisha", "Priya", "Wei", "Mei",
	"Jamie", "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Riley", "Kai", "Jayden", "Tyler", "Liam", "Ethan", "Lucas"}

var syllables = []string{"ab", "ad", "al", "an", "ar", "ba", "be", "bo", "bri", "ca", "cor", "da", "del", "dor", "el", "en",
	"fa", "fen", "ga", "gil", "ha", "hol", "in", "is", "ja", "ka", "kel", "la", "len", "lo", "ma", "mer", "mi", "mo", "na",
	"nel", "no", "or", "pa", "per", "qui", "ra", "ren", "ro", "sa", "sel", "so", "ta", "ter", "tho", "ul", "va", "ven", "wa",
	"wick", "win", "ya", "za", "zel", "ton", "ley", "by", "ham", "ford", "ston", "wood", "well", "more", "field", "bury"}

// nameDist draws names with Zipf-like frequencies: the head from a real
// list, a long tail of built names.
type nameDist struct {
	names []string
	cum   []float64
}

func newNameDist(rng *rand.Rand, head []string, tail int, minSyl int) *nameDist {
	d := &nameDist{}
	seen := map[string]bool{}
	for _, n := range head {
		if !seen[n] {
			seen[n] = true
			d.names = append(d.names, n)
		}
	}
	for len(d.names) < len(head)+tail {
		var b strings.Builder
		for range minSyl + rng.IntN(2) {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		n := b.String()
		n = strings.ToUpper(n[:1]) + n[1:]
		if !seen[n] {
			seen[n] = true
			d.names = append(d.names, n)
		}
	}
	total := 0.0
	for i := range d.names {
		total += 1 / math.Pow(float64(i+1), 0.9)
		d.cum = append(d.cum, total)
	}
	for i := range d.cum {
		d.cum[i] /= total
	}
	return d
}

func (d *nameDist) draw(rng *rand.Rand) string {
	x := rng.Float64()
	lo, hi := 0, len(d.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if d.cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return d.names[lo]
}

// nicknames maps given names to an everyday short form used as an alias.
var nicknames = map[string]string{"Catherine": "Kate", "Katherine": "Kathy", "Elizabeth": "Liz", "Margaret": "Maggie",
	"William": "Bill", "Robert": "Bob", "Richard": "Dick", "Jonathan": "Jon", "Michael": "Mike", "Daniel": "Danny",
	"Alexander": "Alex", "Christopher": "Chris", "Matthew": "Matt", "Andrew": "Andy", "Rebecca": "Becky",
	"Jessica": "Jess", "Samuel": "Sam", "Thomas": "Tom", "James": "Jim", "Joseph": "Joe", "Isabella": "Bella", "Oliver": "Ollie"}
