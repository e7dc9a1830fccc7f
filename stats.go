package patchwork

import (
	"context"
	"sort"
	"time"
)

// Statistics measures: each is counted per local area and calendar month;
// a district's and a network's figures are the sums of their local areas'.
const (
	StatActiveAgents   = "active_agents"   // agents signed in within the 30 days to the month's end
	StatAgencies       = "agencies"        // agencies with a local area, at the month's end
	StatClients        = "clients"         // clients on Patchwork at the month's end (erased ones no longer)
	StatMultiAgency    = "multi_agency"    // clients whose team had two or more agencies at the month's end
	StatJoins          = "joins"           // team joins in the month
	StatLeaves         = "leaves"          // team leaves in the month
	StatAttentions     = "attentions"      // attentions raised in the month
	StatAcknowledged   = "acknowledged"    // attentions first acknowledged in the month
	StatMedianFirstAck = "median_ack_mins" // median minutes from raising to the first acknowledgement, of those raised in the month
)

// StatMeasures lists the measures with their labels, in display order.
var StatMeasures = []Option{
	{StatActiveAgents, "Active agents"},
	{StatAgencies, "Agencies"},
	{StatClients, "Clients"},
	{StatMultiAgency, "Teams with 2 or more agencies"},
	{StatJoins, "Joins"},
	{StatLeaves, "Leaves"},
	{StatAttentions, "Attentions raised"},
	{StatAcknowledged, "Attentions acknowledged"},
	{StatMedianFirstAck, "Median time to first acknowledgement"},
}

// SmallestShown is the smallest count statistics show: 1 to 4 read "<5".
const SmallestShown = 5

// StatCell is one published figure: one measure of one area in one
// calendar month. Value is meaningful only when Suppressed is false; for
// the median, N is how many attentions it is the median of.
type StatCell struct {
	AreaID     int64
	Month      string // YYYY-MM
	Measure    string
	Value      int64
	N          int64
	Suppressed bool
}

// StatNode is one area in the tree suppression works on.
type StatNode struct {
	ID       int64
	Children []int64
}

// Suppress decides which counts are withheld, for one measure in one
// month across the whole area tree (values: the figure of each area, a
// parent's the sum of its children's). Every count from 1 to
// SmallestShown-1 is withheld (primary suppression). Then, since a parent
// is the sum of its children, any such sum with exactly one withheld
// figure would give it away: another figure of that sum is withheld too,
// the smallest non-zero one, among the children first (secondary
// suppression), until no sum has exactly one withheld figure. The result
// depends only on the month's figures, so every page and export shows the
// same cells withheld, whatever range or area they ask for.
func Suppress(tree []StatNode, values map[int64]int64) map[int64]bool {
	hidden := map[int64]bool{}
	for id, v := range values {
		if v > 0 && v < SmallestShown {
			hidden[id] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, n := range tree {
			if len(n.Children) == 0 {
				continue
			}
			unknown := 0
			if hidden[n.ID] {
				unknown++
			}
			for _, c := range n.Children {
				if hidden[c] {
					unknown++
				}
			}
			if unknown != 1 {
				continue
			}
			// The complement: the smallest non-zero shown child, else the
			// parent itself.
			kids := append([]int64(nil), n.Children...)
			sort.Slice(kids, func(i, j int) bool {
				if values[kids[i]] != values[kids[j]] {
					return values[kids[i]] < values[kids[j]]
				}
				return kids[i] < kids[j]
			})
			pick := int64(0)
			for _, c := range kids {
				if !hidden[c] && values[c] > 0 {
					pick = c
					break
				}
			}
			if pick == 0 && !hidden[n.ID] {
				pick = n.ID
			}
			if pick != 0 {
				hidden[pick] = true
				changed = true
			}
		}
	}
	return hidden
}

// StatsQuery selects the statistics of one area over a range of whole
// calendar months.
type StatsQuery struct {
	AreaID   int64 // 0: the network
	From, To string
}

// StatsReport is what the statistics page shows: the area's figures month
// by month, and its sub-areas' figures for the same months.
type StatsReport struct {
	Area     *Area
	Parent   *Area // nil for a network
	Children []*Area
	Months   []string
	// Cells maps area id, then month, then measure to the published cell.
	Cells   map[int64]map[string]map[string]StatCell
	BuiltAt time.Time // when the figures were last computed; zero if never
}

// Cell returns the cell of area, month and measure.
func (r *StatsReport) Cell(area int64, month, measure string) StatCell {
	return r.Cells[area][month][measure]
}

// StatsService serves the de-identified network statistics to admins
// (ENOTFOUND to anyone else).
type StatsService interface {
	// FindStats returns the published cells of q.AreaID and its children
	// for each month from q.From to q.To (YYYY-MM). EINVALID with per-field
	// messages for a bad area or month.
	FindStats(ctx context.Context, q StatsQuery) (*StatsReport, error)
}
