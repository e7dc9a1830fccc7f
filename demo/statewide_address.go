package demo

import (
	"fmt"
	"math/rand/v2"
)

// Addresses of the statewide data set: streets belong to a local area,
// households of a few people share an address, and a street's postcode
// covers a stretch of about fifty house numbers, so the duplicate check
// meets addresses and postcodes shared as often as in a real register.

var streetNames = []string{"Acacia", "Albert", "Alexandra", "Ash", "Beech", "Birch", "Bridge", "Broad", "Castle",
	"Cedar", "Chapel", "Charles", "Church", "Clarence", "College", "Crown", "Elm", "Fairfield", "Field", "Garden",
	"George", "Green", "Grove", "Hawthorn", "Highfield", "Hill", "Holly", "Kings", "Lime", "Manor", "Maple", "Market",
	"Meadow", "Mill", "New", "North", "Oak", "Orchard", "Park", "Queens", "Railway", "Rectory", "Riverside", "Rose",
	"School", "South", "Springfield", "Station", "Victoria", "West", "Willow", "Windsor", "York"}

var streetKinds = []string{"Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent"}

// streetsPerArea is how many streets each local area has.
const streetsPerArea = 150

// address is a generated client's address and postcode.
type address struct{ line, postcode string }

// drawAddress draws an address in the local area of index area (0-based):
// one of its streets, a house number, and the postcode of that stretch of
// the street.
func drawAddress(rng *rand.Rand, area int) address {
	street := rng.IntN(streetsPerArea)
	num := 1 + rng.IntN(120)
	s := area*streetsPerArea + street
	name := streetNames[s%len(streetNames)] + " " + streetKinds[(s/len(streetNames))%len(streetKinds)]
	// Outward code per area, inward code per street and stretch of fifty.
	in := (s*7 + num/50) % (9 * 26 * 26)
	return address{
		line:     fmt.Sprintf("%d %s", num, name),
		postcode: fmt.Sprintf("SW%d %d%c%c", 1+area, 1+in/(26*26), 'A'+rune(in/26%26), 'A'+rune(in%26)),
	}
}
