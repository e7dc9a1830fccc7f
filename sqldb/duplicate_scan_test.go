package sqldb_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// dupPopulation is a population for the duplicates queue: people crowded
// into few dates of birth (so blocks hold dozens), and copies of some of
// them as a second agency would have typed them — a typo, a nickname, day
// and month swapped, first and last names swapped, a maiden name kept as
// an alias, another address — beside twins (same surname and date of
// birth), namesakes born the same day more often than the duplicate
// check's cap, and clients in another district.
func dupPopulation(n int, seed uint64, areas []int64) []sqldb.ImportClient {
	rng := rand.New(rand.NewPCG(seed, 7))
	firsts := []string{"William", "Catherine", "Robert", "Elizabeth", "Margaret", "James", "Oliver", "Amelia", "Mohammed",
		"Siobhan", "Chloe", "Daniel", "Grace", "Thomas", "Aisha", "Liam", "Zofia", "Nathan", "Priya", "Connor"}
	nick := map[string]string{"William": "Bill", "Catherine": "Kate", "Robert": "Bob", "Elizabeth": "Liz", "Margaret": "Peggy",
		"James": "Jim", "Daniel": "Dan", "Thomas": "Tom"}
	lasts := []string{"Smith", "Okafor", "Nguyen", "O'Brien", "MacDonald", "Kowalski", "Patel", "Jones", "Fitzgerald",
		"Harrington", "Abernethy", "Merriweather", "Lindqvist", "Oyelaran", "Brown", "Taylor", "Wojcik", "Castellano"}
	// Twelve dates in two years, most with a day of 12 or less, so that
	// a swapped day and month finds another date of the list.
	dates := []string{"1984-03-05", "1984-05-03", "1984-07-11", "1984-11-07", "1984-02-02", "1984-09-23",
		"2001-01-12", "2001-12-01", "2001-06-04", "2001-04-06", "2001-08-30", "2001-10-10"}
	streets := []string{"High Street", "Station Road", "Mill Lane", "Church Close", "Park Avenue"}
	typo := func(s string) string {
		r := []rune(s)
		switch i := 1 + rng.IntN(len(r)-2); rng.IntN(3) {
		case 0: // a letter dropped
			return string(append(r[:i:i], r[i+1:]...))
		case 1: // two letters swapped
			r[i], r[i+1] = r[i+1], r[i]
			return string(r)
		default: // a letter doubled
			return string(r[:i+1]) + string(r[i:])
		}
	}
	swapDM := func(d string) string { return d[:5] + d[8:] + "-" + d[5:7] }
	var out []sqldb.ImportClient
	add := func(c patchwork.Client) {
		c.AreaIDs = []int64{areas[rng.IntN(len(areas))]}
		out = append(out, sqldb.ImportClient{Row: len(out) + 1, Key: fmt.Sprintf("dup-%d", len(out)), Client: &c})
	}
	place := func() (string, string) {
		return fmt.Sprintf("%d %s", 1+rng.IntN(60), streets[rng.IntN(len(streets))]), fmt.Sprintf("AB%d %dCD", 1+rng.IntN(9), rng.IntN(10))
	}
	// Eight namesakes born the same day at the same address: each is a
	// likely match of the seven others, more than the check shows.
	for range 8 {
		add(patchwork.Client{FirstName: "Harriet", LastName: "Quennell", DateOfBirth: "1984-03-05", Address: "9 Mill Lane", Postcode: "AB1 1CD"})
	}
	for len(out) < n {
		first, last, dob := firsts[rng.IntN(len(firsts))], lasts[rng.IntN(len(lasts))], dates[rng.IntN(len(dates))]
		addr, pc := place()
		base := patchwork.Client{FirstName: first, LastName: last, DateOfBirth: dob, Address: addr, Postcode: pc}
		if rng.IntN(8) == 0 {
			base.Aliases = []string{first + " " + lasts[rng.IntN(len(lasts))]}
		}
		add(base)
		switch rng.IntN(10) {
		case 0: // a typo in the surname, elsewhere
			c := base
			c.LastName, c.Aliases = typo(last), nil
			c.Address, c.Postcode = place()
			add(c)
		case 1: // a nickname, or a typo in the first name
			c := base
			if nk, ok := nick[first]; ok {
				c.FirstName = nk
			} else {
				c.FirstName = typo(first)
			}
			add(c)
		case 2: // day and month swapped
			c := base
			c.DateOfBirth = swapDM(dob)
			add(c)
		case 3: // first and last names swapped
			c := base
			c.FirstName, c.LastName = last, first
			add(c)
		case 4: // married: a new surname, the old one kept as an alias
			c := base
			c.LastName = lasts[rng.IntN(len(lasts))]
			c.Aliases = []string{first + " " + last}
			add(c)
		case 5: // a twin
			c := base
			c.FirstName, c.Aliases = firsts[rng.IntN(len(firsts))], nil
			add(c)
		case 6: // a typo and day and month swapped
			c := base
			c.LastName, c.DateOfBirth = typo(last), swapDM(dob)
			add(c)
		}
	}
	return out
}

// TestScanDuplicatesAsMatchDoes holds the block scan of the duplicates
// queue to the duplicate check asked about each client in turn: on a
// population crowded into few dates of birth, with typos, nicknames,
// swapped days and months, swapped names, aliases, twins and namesakes
// beyond the check's cap, a merged client and a district out of reach,
// the scan queues exactly the pairs, with the same reasons, for an area
// admin and then for the whole network.
func TestScanDuplicatesAsMatchDoes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		south := w.MustElsewhere(t)
		sys := w.MustSystemAdmin(t, "Sam Sysadmin", w.Council)
		admin := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		rows := dupPopulation(2000, 17, []int64{w.LocalA.ID, w.LocalB.ID, south.Local.ID})
		if _, _, err := db.ImportClients(sqldbtest.System(), rows, nil); err != nil {
			t.Fatal(err)
		}
		svc := sqldb.NewMergeService(db)
		// The second of the eight namesakes is merged into the first.
		if _, err := svc.MergeClients(sqldbtest.As(sys), rows[0].Client.ID, rows[1].Client.ID); err != nil {
			t.Fatal(err)
		}

		for _, step := range []struct {
			who string
			as  *patchwork.Agent
		}{{"area admin", admin}, {"system admin", sys}} {
			ctx := sqldbtest.As(step.as)
			start := time.Now()
			want, err := svc.PairsPerClient(ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: one check per client: %d pairs in %s", step.who, len(want), time.Since(start))
			before, err := db.QueuedPairs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			start = time.Now()
			n, err := svc.ScanDuplicates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: block scan: %d pairs added in %s", step.who, n, time.Since(start))
			got, err := db.QueuedPairs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// The reference adds to an empty queue; what an earlier scan
			// queued stays as it was.
			wantAll := slices.Clone(before)
			for _, p := range want {
				if !slices.ContainsFunc(before, func(q sqldb.QueuedPair) bool { return q.A == p.A && q.B == p.B }) {
					wantAll = append(wantAll, p)
				}
			}
			slices.SortFunc(wantAll, func(x, y sqldb.QueuedPair) int {
				if x.A != y.A {
					return int(x.A - y.A)
				}
				return int(x.B - y.B)
			})
			if n != len(wantAll)-len(before) {
				t.Errorf("%s: the scan added %d pairs, want %d", step.who, n, len(wantAll)-len(before))
			}
			if !slices.Equal(got, wantAll) {
				diffPairs(t, step.who, got, wantAll)
			}
			if step.as == admin {
				inSouth := map[int64]bool{}
				for _, r := range rows {
					inSouth[r.Client.ID] = r.Client.AreaIDs[0] == south.Local.ID
				}
				if i := slices.IndexFunc(got, func(p sqldb.QueuedPair) bool { return inSouth[p.A] || inSouth[p.B] }); i >= 0 || len(got) == 0 {
					t.Errorf("the area admin's scan queued %d pairs, one with a client of another district: %v", len(got), i >= 0)
				}
			}
		}

		// The population tried what it was made for.
		all, _ := db.QueuedPairs(sqldbtest.System())
		for _, reason := range []string{"date of birth with day and month swapped", "nickname of", "first and last names swapped",
			"matched alias", "matches another name you entered", "surname spelt similarly"} {
			if !slices.ContainsFunc(all, func(p sqldb.QueuedPair) bool { return strings.Contains(p.Reasons, reason) }) {
				t.Errorf("no queued pair for %q among %d", reason, len(all))
			}
		}
		namesakes := map[int64]bool{}
		for _, r := range rows[:8] {
			namesakes[r.Client.ID] = true
		}
		among := 0
		for _, p := range all {
			if namesakes[p.A] && namesakes[p.B] {
				among++
			}
		}
		// Seven live namesakes: each is shown the first five by id, itself
		// among them when it is one, so the last two never meet.
		if among != 20 {
			t.Errorf("%d pairs among the seven live namesakes, want 20 (the check's cap of %d)", among, patchwork.MaxDuplicateMatches)
		}
		t.Logf("%d clients, %d pairs queued", len(rows), len(all))
	})
}

func diffPairs(t *testing.T, who string, got, want []sqldb.QueuedPair) {
	t.Helper()
	key := func(p sqldb.QueuedPair) string { return fmt.Sprintf("%d-%d", p.A, p.B) }
	g, w := map[string]string{}, map[string]string{}
	for _, p := range got {
		g[key(p)] = p.Reasons
	}
	for _, p := range want {
		w[key(p)] = p.Reasons
	}
	shown := 0
	for k, r := range w {
		if gr, ok := g[k]; !ok || gr != r {
			if shown++; shown <= 10 {
				t.Errorf("%s: pair %s: got %q (queued %v), want %q", who, k, gr, ok, r)
			}
		}
	}
	for k, r := range g {
		if _, ok := w[k]; !ok {
			if shown++; shown <= 20 {
				t.Errorf("%s: pair %s queued (%q), not found by the check", who, k, r)
			}
		}
	}
	t.Errorf("%s: %d pairs queued, %d wanted, %d differences", who, len(got), len(want), shown)
}
