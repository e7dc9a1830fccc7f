package sqldb_test

import (
	"fmt"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestStatsSuppressionOnSmallNumbers builds statistics from constructed
// small numbers: seven clients in one local area in January, two more in
// the other in February. The two read "<5" and the first area's February
// figure is withheld with them, so the district's 9 gives neither away;
// a withheld figure never leaves the store; and two overlapping ranges
// publish the same fixed calendar-month cells, never a sum over a range,
// so comparing them (the differencing attack) reveals nothing.
func TestStatsSuppressionOnSmallNumbers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		admin := mustAdminAgent(t, w)
		a := w.MustAgent(t, "Ann Agent", w.Council, w.LocalA)
		b := w.MustAgent(t, "Ben Agent", w.Sensitive, w.LocalB)
		clock.Set(time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC))
		var first *patchwork.Client
		for i := 0; i < 7; i++ {
			cl := w.MustCreateClient(t, a, &patchwork.Client{FirstName: "Stat", LastName: fmt.Sprintf("January%c", 'a'+i),
				DateOfBirth: "01/01/2010", AreaIDs: []int64{w.LocalA.ID}})
			if first == nil {
				first = cl
			}
		}
		clock.Set(time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC))
		for i := 0; i < 2; i++ {
			w.MustCreateClient(t, b, &patchwork.Client{FirstName: "Stat", LastName: fmt.Sprintf("February%c", 'a'+i),
				DateOfBirth: "01/01/2010", AreaIDs: []int64{w.LocalB.ID}})
		}
		w.MustJoin(t, b, first) // a team with two agencies from February
		clock.Set(time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC))
		if err := db.RebuildStats(sqldbtest.System()); err != nil {
			t.Fatal(err)
		}
		svc := sqldb.NewStatsService(db)
		district, err := svc.FindStats(sqldbtest.As(admin), patchwork.StatsQuery{AreaID: w.District.ID, From: "2026-01", To: "2026-03"})
		if err != nil {
			t.Fatal(err)
		}
		type want struct {
			area       int64
			month      string
			measure    string
			value      int64
			suppressed bool
		}
		for _, c := range []want{
			{w.LocalA.ID, "2026-01", patchwork.StatClients, 7, false},
			{w.LocalB.ID, "2026-01", patchwork.StatClients, 0, false},
			{w.District.ID, "2026-01", patchwork.StatClients, 7, false},
			{w.LocalB.ID, "2026-02", patchwork.StatClients, 0, true}, // 2
			{w.LocalA.ID, "2026-02", patchwork.StatClients, 0, true}, // 7, withheld as the complement
			{w.District.ID, "2026-02", patchwork.StatClients, 9, false},
			{w.LocalA.ID, "2026-01", patchwork.StatJoins, 7, false},
			{w.District.ID, "2026-02", patchwork.StatJoins, 0, true}, // 3 joins
			{w.LocalA.ID, "2026-02", patchwork.StatMultiAgency, 0, true},
			{w.LocalA.ID, "2026-01", patchwork.StatMultiAgency, 0, false},
		} {
			got := district.Cell(c.area, c.month, c.measure)
			if got.Value != c.value || got.Suppressed != c.suppressed {
				t.Errorf("%d %s %s: %d (withheld %v), want %d (withheld %v)", c.area, c.month, c.measure,
					got.Value, got.Suppressed, c.value, c.suppressed)
			}
		}
		// The network is the district's sum, withheld alike.
		network, err := svc.FindStats(sqldbtest.As(admin), patchwork.StatsQuery{From: "2026-02", To: "2026-03"})
		if err != nil {
			t.Fatal(err)
		}
		if network.Area.ID != w.Network.ID || len(network.Months) != 2 {
			t.Fatalf("network report: %+v", network)
		}
		for _, month := range network.Months {
			for _, m := range patchwork.StatMeasures {
				for _, id := range []int64{w.District.ID} {
					if network.Cell(id, month, m.Value) != district.Cell(id, month, m.Value) {
						t.Errorf("%s %s of area %d: %+v in one range, %+v in the other", month, m.Value, id,
							network.Cell(id, month, m.Value), district.Cell(id, month, m.Value))
					}
				}
			}
		}
		for area, months := range district.Cells {
			for month, cells := range months {
				if month < "2026-01" || month > "2026-03" {
					t.Errorf("area %d: a cell for %s outside the range", area, month)
				}
				for _, c := range cells {
					if c.Suppressed && (c.Value != 0 || c.N != 0) {
						t.Errorf("a withheld cell carries its figure: %+v", c)
					}
				}
			}
		}
		if _, err := svc.FindStats(sqldbtest.As(admin), patchwork.StatsQuery{From: "2026-13", To: "2026-01"}); patchwork.ErrorFields(err)["from"] == "" {
			t.Errorf("bad month: %v", err)
		}
		if _, err := svc.FindStats(sqldbtest.As(a), patchwork.StatsQuery{}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("statistics for an agent: %v", err)
		}
	})
}
