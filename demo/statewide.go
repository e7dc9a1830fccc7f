package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"patchwork"
	"patchwork/match"
	"patchwork/password"
	"patchwork/sqldb"
)

// Statewide sizes a statewide data set for load tests and the search
// evaluation (`patchwork demo --clients 1000000 --agents 100000 --agencies
// 5000`).
type Statewide struct {
	Clients, Agents, Agencies int
}

const (
	statewideDistricts = 12
	localsPerDistrict  = 8
)

// bulkTables are the tables LoadStatewide fills in bulk.
var bulkTables = []string{"agencies", "agency_areas", "agents", "agent_areas", "clients", "client_names", "client_areas",
	"memberships", "client_keys", "client_key_freq"}

// client is one generated client; aliases are full names.
type client struct {
	first, last, dob string
	aliases          []string
	area             int64
	addr             address
}

// foldCache remembers match.Fold of the few distinct names drawn.
type foldCache map[string]string

func (f foldCache) of(s string) string {
	v, ok := f[s]
	if !ok {
		v = match.Fold(s)
		f[s] = v
	}
	return v
}

var statewideSectors = []string{"Children's social care", "Health", "Education", "Police", "Housing", "Charity", "Youth justice"}

// LoadStatewide fills an empty database with a statewide network: areas,
// agencies, agents (all with the demo password), clients with realistic name
// frequencies (Zipf-like surnames and given names, a long tail of rare ones,
// name-and-birthday twins, aliases and nicknames), their search keys and
// teams. It writes through sqldb.BulkInsert, so it audits nothing.
func LoadStatewide(ctx context.Context, db *sqldb.DB, size Statewide, progress io.Writer) error {
	ctx = patchwork.NewSystemContext(ctx) // creates areas before any admin exists
	start := time.Now()
	step := func(what string, n int64) {
		fmt.Fprintf(progress, "%-14s %9d rows  %6.1fs\n", what, n, time.Since(start).Seconds())
	}
	rng := rand.New(rand.NewPCG(2026, 4))
	if err := db.SetSetting(ctx, "demo", "true"); err != nil {
		return err
	}
	areas := sqldb.NewAreaService(db)
	network := &patchwork.Area{Kind: patchwork.AreaNetwork, Name: "Statewide network"}
	if err := areas.CreateArea(ctx, network); err != nil {
		return err
	}
	var locals []int64
	for d := range statewideDistricts {
		da := &patchwork.Area{Kind: patchwork.AreaDistrict, Name: fmt.Sprintf("District %d", d+1), ParentID: network.ID}
		if err := areas.CreateArea(ctx, da); err != nil {
			return err
		}
		for l := range localsPerDistrict {
			la := &patchwork.Area{Kind: patchwork.AreaLocal, Name: fmt.Sprintf("Council %d-%d", d+1, l+1), ParentID: da.ID}
			if err := areas.CreateArea(ctx, la); err != nil {
				return err
			}
			locals = append(locals, la.ID)
		}
	}
	now := time.Now().UnixMicro()
	surnames := newNameDist(rng, commonSurnames, max(2000, size.Clients/8), 2)
	given := newNameDist(rng, commonGiven, max(500, size.Clients/40), 2)

	// Secondary indexes are built once at the end, not row by row.
	var n int64
	restoreIndexes, err := db.DeferIndexes(ctx, bulkTables...)
	if err != nil {
		return err
	}
	defer func() {
		if restoreIndexes != nil {
			restoreIndexes(context.WithoutCancel(ctx))
		}
	}()

	// Agencies, each in one local area.
	agencyArea := make([]int64, size.Agencies+1)
	i := 0
	n, err = db.BulkInsert(ctx, "agencies", []string{"id", "name", "sector", "phone", "email", "email_domain", "name_norm", "created_at"},
		func() ([]any, bool) {
			if i++; i > size.Agencies {
				return nil, false
			}
			agencyArea[i] = locals[rng.IntN(len(locals))]
			name := fmt.Sprintf("%s %s %d", surnames.draw(rng), statewideSectors[i%len(statewideSectors)], i)
			dom := fmt.Sprintf("agency%d.test", i)
			return []any{i, name, statewideSectors[i%len(statewideSectors)], fmt.Sprintf("01632 %06d", i), "enquiries@" + dom, dom,
				match.Fold(name), now}, true
		})
	if err != nil {
		return err
	}
	i = 0
	if _, err := db.BulkInsert(ctx, "agency_areas", []string{"agency_id", "area_id"}, func() ([]any, bool) {
		if i++; i > size.Agencies {
			return nil, false
		}
		return []any{i, agencyArea[i]}, true
	}); err != nil {
		return err
	}
	step("agencies", n)

	// Agents: every agent works in their agency's area.
	hash, err := password.Hash(ctx, sqldb.DemoPassword)
	if err != nil {
		return err
	}
	agentArea := make([]int64, size.Agents+1)
	byArea := map[int64][]int64{}
	i = 0
	n, err = db.BulkInsert(ctx, "agents", []string{"id", "email", "password_hash", "name", "name_norm", "role", "agency_id",
		"mobile", "preferred_contact", "active", "created_at"}, func() ([]any, bool) {
		if i++; i > size.Agents {
			return nil, false
		}
		g := 1 + rng.IntN(size.Agencies)
		agentArea[i] = agencyArea[g]
		byArea[agentArea[i]] = append(byArea[agentArea[i]], int64(i))
		name := given.draw(rng) + " " + surnames.draw(rng)
		return []any{i, fmt.Sprintf("agent%d@patchwork.test", i), hash, name, match.Fold(name), "Key worker", g,
			fmt.Sprintf("07700 %06d", i%1000000), patchwork.ContactMobile, 1, now}, true
	})
	if err != nil {
		return err
	}
	i = 0
	if _, err := db.BulkInsert(ctx, "agent_areas", []string{"agent_id", "area_id"}, func() ([]any, bool) {
		if i++; i > size.Agents {
			return nil, false
		}
		return []any{i, agentArea[i]}, true
	}); err != nil {
		return err
	}
	step("agents", n)

	// Clients. About 1 in 200 has a twin: same surname and birthday.
	cs := make([]client, size.Clients+1)
	// Addresses come from a generator of their own, so the names, dates
	// and teams are those of data sets loaded before addresses were added.
	addrRng := rand.New(rand.NewPCG(2026, 5))
	for id := 1; id <= size.Clients; id++ {
		c := client{first: given.draw(rng), last: surnames.draw(rng), area: locals[rng.IntN(len(locals))],
			dob: fmt.Sprintf("%04d-%02d-%02d", 1940+rng.IntN(85), 1+rng.IntN(12), 1+rng.IntN(28))}
		if id > 1 && rng.IntN(200) == 0 {
			prev := cs[id-1]
			c.last, c.dob, c.area = prev.last, prev.dob, prev.area
		}
		c.addr = drawAddress(addrRng, slices.Index(locals, c.area))
		switch r := rng.IntN(100); {
		case r < 5: // a former surname
			c.aliases = []string{c.first + " " + surnames.draw(rng)}
		case r < 8:
			if nick, ok := nicknames[c.first]; ok {
				c.aliases = []string{nick + " " + c.last}
			}
		}
		cs[id] = c
	}
	// The search index is built in memory while the other tables load.
	keysDone := make(chan *keyIndex, 1)
	go func() { keysDone <- buildKeyIndex(cs) }()
	fold := foldCache{}
	id := 0
	n, err = db.BulkInsert(ctx, "clients", []string{"id", "first_name", "last_name", "date_of_birth", "address", "postcode", "phone",
		"created_by", "created_at", "updated_at", "household_key"}, func() ([]any, bool) {
		if id++; id > size.Clients {
			return nil, false
		}
		c := cs[id]
		creator := creatorIn(rng, byArea, c.area, size.Agents)
		return []any{id, c.first, c.last, c.dob, c.addr.line, c.addr.postcode, "", creator, now, now,
			sqldb.HouseholdKey(c.addr.line, c.addr.postcode)}, true
	})
	if err != nil {
		return err
	}
	step("clients", n)
	id, alias := 0, -1
	if _, err := db.BulkInsert(ctx, "client_names", []string{"client_id", "is_alias", "display", "given_norm", "family_norm"},
		func() ([]any, bool) {
			// Each client's primary name, then its aliases.
			if alias < 0 || alias >= len(cs[id].aliases) {
				if id++; id > size.Clients {
					return nil, false
				}
				c := cs[id]
				alias = 0
				return []any{id, 0, c.first + " " + c.last, fold.of(c.first), fold.of(c.last)}, true
			}
			a := cs[id].aliases[alias]
			alias++
			g, f := match.SplitAlias(a)
			return []any{id, 1, a, fold.of(g), fold.of(f)}, true
		}); err != nil {
		return err
	}
	id = 0
	if _, err := db.BulkInsert(ctx, "client_areas", []string{"client_id", "area_id"}, func() ([]any, bool) {
		if id++; id > size.Clients {
			return nil, false
		}
		return []any{id, cs[id].area}, true
	}); err != nil {
		return err
	}
	// Teams of one to three agents from the client's area.
	id = 0
	var pending [][]any
	n, err = db.BulkInsert(ctx, "memberships", []string{"client_id", "agent_id", "joined_at", "how_joined"}, func() ([]any, bool) {
		for len(pending) == 0 {
			if id++; id > size.Clients {
				return nil, false
			}
			var team [3]int64
			for t := range 1 + rng.IntN(3) {
				a := creatorIn(rng, byArea, cs[id].area, size.Agents)
				if !slices.Contains(team[:t], a) {
					pending = append(pending, []any{id, a, now, patchwork.JoinedDirectly})
				}
				team[t] = a
			}
		}
		row := pending[0]
		pending = pending[1:]
		return row, true
	})
	if err != nil {
		return err
	}
	step("memberships", n)

	// The search index, with its key counts, in primary-key order.
	ix := <-keysDone
	n, err = db.BulkInsert(ctx, "client_keys", []string{"key", "kind", "client_id"}, ix.clientKeyRows())
	if err != nil {
		return err
	}
	step("client_keys", n)
	if _, err := db.BulkInsert(ctx, "client_key_freq", []string{"key", "kind", "n"}, ix.freqRows()); err != nil {
		return err
	}
	restore := restoreIndexes
	restoreIndexes = nil
	if err := restore(ctx); err != nil {
		return err
	}
	step("indexes", 0)
	if err := db.ReindexDirectory(ctx); err != nil {
		return err
	}
	step("directory", 0)
	if err := db.FinishBulk(ctx, "agencies", "agents", "clients"); err != nil {
		return err
	}
	step("done", int64(size.Clients))
	return nil
}

// creatorIn picks an agent working in area, or any agent if none does.
func creatorIn(rng *rand.Rand, byArea map[int64][]int64, area int64, agents int) int64 {
	if as := byArea[area]; len(as) > 0 {
		return as[rng.IntN(len(as))]
	}
	return int64(1 + rng.IntN(agents))
}
