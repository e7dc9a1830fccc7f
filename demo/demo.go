// Package demo seeds a believable demo network: areas, agencies across
// sectors (one of them sensitive), agents agent1…agent37@patchwork.test and
// admin@patchwork.test (password "demo", accepted only in demo mode), and
// about 300 clients with teams of 1–8 agents from 1–6 agencies.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"patchwork"
	"patchwork/sqldb"
)

// DemoDomain is the email domain of the demo's agents, which every demo
// agency takes sign-ups from.
const DemoDomain = "patchwork.test"

// Size controls how much is seeded.
type Size struct {
	Clients int
	Agents  int
}

// DefaultSize is the demo network of the README.
var DefaultSize = Size{Clients: 300, Agents: 37}

// Seeded reports whether db already holds data (any agent).
func Seeded(ctx context.Context, db *sqldb.DB) (bool, error) {
	n, err := db.CountAgents(ctx)
	return n > 0, err
}

var districts = []struct {
	name   string
	locals []string
}{
	{"North district", []string{"Ashby", "Brampton", "Carlow"}},
	{"Central district", []string{"Dunmore", "Eastwick", "Fairfield"}},
	{"South district", []string{"Greystone", "Halton", "Ivybridge"}},
}

type agencySeed struct {
	name, sector, domain string
	sensitive            bool
	label, route         string
	district             int // -1 for network-wide
}

var agencySeeds = []agencySeed{
	{"North Children's Services", "Children's social care", "north-cs.test", false, "", "", 0},
	{"Central Children's Services", "Children's social care", "central-cs.test", false, "", "", 1},
	{"South Children's Services", "Children's social care", "south-cs.test", false, "", "", 2},
	{"Demoshire Adult Social Care", "Adult social care", "dasc.test", false, "", "", -1},
	{"Ashby Primary School", "Education", "ashby-primary.test", false, "", "", 0},
	{"Brampton Academy", "Education", "brampton-academy.test", false, "", "", 0},
	{"Dunmore High School", "Education", "dunmore-high.test", false, "", "", 1},
	{"Fairfield Primary School", "Education", "fairfield-primary.test", false, "", "", 1},
	{"Greystone College", "Education", "greystone.test", false, "", "", 2},
	{"Halton Infant School", "Education", "halton-infants.test", false, "", "", 2},
	{"Demoshire School Nursing", "Health", "school-nursing.test", false, "", "", -1},
	{"North Health Visiting Team", "Health", "north-hv.test", false, "", "", 0},
	{"Eastwick GP Surgery", "Health", "eastwick-gp.test", false, "", "", 1},
	{"Demoshire Mental Health Trust", "Health", "dmht.test", false, "", "", -1},
	{"Ivybridge Community Midwives", "Health", "ivy-midwives.test", false, "", "", 2},
	{"Demoshire Police Safeguarding Unit", "Police", "police.test", false, "", "", -1},
	{"North Neighbourhood Policing", "Police", "north-police.test", false, "", "", 0},
	{"Demoshire Housing", "Housing", "housing.test", false, "", "", -1},
	{"Carlow Housing Association", "Housing", "carlow-ha.test", false, "", "", 0},
	{"Southside Homes", "Housing", "southside-homes.test", false, "", "", 2},
	{"Demoshire Youth Service", "Youth services", "youth.test", false, "", "", -1},
	{"Youth Offending Team", "Youth services", "yot.test", false, "", "", -1},
	{"Central Youth Club", "Youth services", "central-youth.test", false, "", "", 1},
	{"Family Support Network", "Charity", "family-support.test", false, "", "", -1},
	{"Young Carers Project", "Charity", "young-carers.test", false, "", "", -1},
	{"Safe Harbour Domestic Abuse Service", "Charity", "safe-harbour.test", true, "Support service",
		"Call 0800 000 0101 and ask for the duty worker", -1},
	{"Clearwater Drug and Alcohol Service", "Health", "clearwater.test", true, "Health service",
		"Call 0800 000 0202 (9am to 5pm, weekdays)", -1},
	{"Food Bank Partnership", "Charity", "foodbank.test", false, "", "", -1},
	{"Demoshire Education Welfare", "Education", "edwelfare.test", false, "", "", -1},
	{"Barnardine Family Centre", "Charity", "barnardine.test", false, "", "", 1},
}

// sensitiveRoutes are the sensitive agencies' chosen contact routes, by
// domain: a generic mailbox away from the agency's own domain and a generic
// phone line, shown to outsiders in place of the staff's own.
var sensitiveRoutes = map[string][2]string{
	"safe-harbour.test": {"duty@support-line.test", "0800 000 0101"},
	"clearwater.test":   {"referrals@health-line.test", "0800 000 0202"},
}

var roles = map[string][]string{
	"Children's social care": {"Social worker", "Senior social worker", "Family support worker", "Team manager"},
	"Adult social care":      {"Social worker", "Care coordinator"},
	"Education":              {"Designated safeguarding lead", "Head of year", "Class teacher", "Pastoral lead", "Education welfare officer"},
	"Health":                 {"School nurse", "Health visitor", "GP", "Community psychiatric nurse", "Midwife", "Recovery worker"},
	"Police":                 {"Detective constable", "Police community support officer", "Sergeant"},
	"Housing":                {"Housing officer", "Tenancy support officer"},
	"Youth services":         {"Youth worker", "Case manager"},
	"Charity":                {"Support worker", "Outreach worker", "Project worker", "Independent domestic violence advisor"},
}

var firstNames = []string{"Jamie", "Olivia", "Noah", "Amelia", "Leo", "Isla", "Oliver", "Ava", "Arthur", "Mia", "Muhammad",
	"Ivy", "Harry", "Freya", "Oscar", "Lily", "George", "Grace", "Theo", "Sophia", "Jack", "Poppy", "Charlie", "Evie",
	"Alfie", "Ella", "Jacob", "Rosie", "Freddie", "Isabella", "Aisha", "Kacper", "Zainab", "Tyler", "Chloe", "Kayden",
	"Shannon", "Reece", "Jade", "Liam", "Catherine", "William", "Alexandra", "Margaret", "Daniel", "Jessica", "Kian", "Sienna"}

var lastNames = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
	"Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke", "Jackson", "Wood",
	"Hughes", "Harris", "Edwards", "Khan", "Ahmed", "Murphy", "O'Brien", "McDonald", "Kowalski", "Nowak", "Okafor",
	"Mensah", "Ali", "Hussain", "Begum", "Campbell", "Stewart", "Smyth", "Kelly", "Lewis", "Price", "Young", "Baker"}

var agentFirst = []string{"Sarah", "David", "Emma", "James", "Rachel", "Tom", "Priya", "Michael", "Helen", "Chris", "Fatima",
	"Mark", "Laura", "Ben", "Sophie", "Andrew", "Kate", "Paul", "Nadia", "Gareth", "Claire", "Steve", "Anna", "Rob"}
var agentLast = []string{"Mitchell", "Carter", "Fisher", "Harper", "Lawson", "Bennett", "Shah", "Reid", "Doyle", "Foster",
	"Grant", "Hayes", "Irving", "Jenkins", "Kaur", "Lloyd", "Moss", "Nash", "Owen", "Pearce"}

// Seed fills an empty database with the demo network and marks it as a demo
// database (the only kind that accepts the demo password).
func Seed(ctx context.Context, db *sqldb.DB, size Size) error {
	// Setup runs as the system (areas, agencies, agents); clients are then
	// added as the agents who work with them.
	ctx = patchwork.NewSystemContext(ctx)
	rng := rand.New(rand.NewPCG(2026, 11))
	if err := db.SetSetting(ctx, "demo", "true"); err != nil {
		return err
	}
	areas := sqldb.NewAreaService(db)
	network := &patchwork.Area{Kind: patchwork.AreaNetwork, Name: "Demoshire"}
	if err := areas.CreateArea(ctx, network); err != nil {
		return err
	}
	var locals [][]*patchwork.Area // by district
	for _, d := range districts {
		da := &patchwork.Area{Kind: patchwork.AreaDistrict, Name: d.name, ParentID: network.ID}
		if err := areas.CreateArea(ctx, da); err != nil {
			return err
		}
		var ls []*patchwork.Area
		for _, l := range d.locals {
			la := &patchwork.Area{Kind: patchwork.AreaLocal, Name: l, ParentID: da.ID}
			if err := areas.CreateArea(ctx, la); err != nil {
				return err
			}
			ls = append(ls, la)
		}
		locals = append(locals, ls)
	}
	agencySvc := sqldb.NewAgencyService(db)
	var agencies []*patchwork.Agency
	for i, s := range agencySeeds {
		g := &patchwork.Agency{Name: s.name, Sector: s.sector, EmailDomain: s.domain, Sensitive: s.sensitive,
			GenericLabel: s.label, ContactRoute: s.route, Phone: fmt.Sprintf("01632 %06d", 960000+i*37),
			Email: "enquiries@" + s.domain, Address: fmt.Sprintf("%d Market Street", 3+i)}
		if s.district >= 0 {
			g.Areas = locals[s.district]
		}
		if r, ok := sensitiveRoutes[s.domain]; ok {
			g.GenericEmail, g.GenericPhone = r[0], r[1]
		}
		if err := agencySvc.CreateAgency(ctx, g); err != nil {
			return err
		}
		// Every demo agency takes sign-ups from the demo's own domain, so
		// someone.new@patchwork.test can sign up and choose one.
		if err := agencySvc.AddAgencyDomain(ctx, g.ID, DemoDomain); err != nil {
			return err
		}
		agencies = append(agencies, g)
	}
	agents, err := seedAgents(ctx, db, rng, size.Agents, agencies, locals)
	if err != nil {
		return err
	}
	return seedClients(ctx, db, rng, size.Clients, agents)
}

// demoAgent is an agent with the district they mostly work in.
type demoAgent struct {
	*patchwork.Agent
	district int
}

func seedAgents(ctx context.Context, db *sqldb.DB, rng *rand.Rand, n int, agencies []*patchwork.Agency, locals [][]*patchwork.Area) ([]demoAgent, error) {
	svc := sqldb.NewAgentService(db)
	svc.DemoMode = true
	var out []demoAgent
	for i := 1; i <= n; i++ {
		g := agencies[(i-1)%len(agencies)]
		seed := agencySeeds[(i-1)%len(agencies)]
		d := seed.district
		if d < 0 {
			d = rng.IntN(len(locals))
		}
		rs := roles[g.Sector]
		name := agentFirst[(i*7)%len(agentFirst)] + " " + agentLast[(i*3)%len(agentLast)]
		a := &patchwork.Agent{
			Email: fmt.Sprintf("agent%d@patchwork.test", i), Name: name, Role: rs[rng.IntN(len(rs))],
			AgencyID: g.ID, Mobile: fmt.Sprintf("07700 900%03d", i), Landline: fmt.Sprintf("01632 960%03d", 100+i),
			ContactEmail:     fmt.Sprintf("%s@%s", lowerDots(name), g.EmailDomain),
			PreferredContact: patchwork.ContactMethods[i%3], WorkingHours: []string{"Mon–Fri, 9am to 5pm", "Mon–Wed", "Tue–Thu, 8am to 4pm", ""}[i%4],
			Areas: []*patchwork.Area{locals[d][i%3]},
		}
		if i%5 == 0 {
			a.Areas = append(a.Areas, locals[d][(i+1)%3])
		}
		if seed.sensitive {
			a.SensitiveRole, a.GenericRole = true, "Support worker"
		}
		if err := svc.CreateAgent(ctx, a, sqldb.DemoPassword); err != nil {
			return nil, err
		}
		a.Agency = g
		out = append(out, demoAgent{a, d})
	}
	admin := &patchwork.Agent{Email: "admin@patchwork.test", Name: "Alex Admin", Role: "Patchwork administrator",
		AgencyID: agencies[3].ID, Admin: true, PreferredContact: patchwork.ContactEmail}
	return out, svc.CreateAgent(ctx, admin, sqldb.DemoPassword)
}

func lowerDots(name string) string {
	b := []byte(name)
	for i, c := range b {
		switch {
		case c == ' ':
			b[i] = '.'
		case c >= 'A' && c <= 'Z':
			b[i] = c + 32
		}
	}
	return string(b)
}

func seedClients(ctx context.Context, db *sqldb.DB, rng *rand.Rand, n int, agents []demoAgent) error {
	svc := sqldb.NewClientService(db)
	// Seeding is no agent's doing: its joins must not use up the demo
	// agents' join limit for the first hour.
	svc.JoinLimit = 0
	// Practitioners work mostly where they are based: a team is drawn from
	// the agents of the client's local area, now and then from elsewhere in
	// the district, and rarely from another district. Joining adds the
	// client's area to the agent (marked as added by that team), so local,
	// district and network searches stay different, as they are for real.
	byArea := map[int64][]demoAgent{}
	byDistrict := map[int][]demoAgent{}
	for _, a := range agents {
		for _, r := range a.Areas {
			byArea[r.ID] = append(byArea[r.ID], a)
		}
		byDistrict[a.district] = append(byDistrict[a.district], a)
	}
	for i := 0; i < n; i++ {
		creator := agents[rng.IntN(len(agents))]
		// agent1 gets a full dashboard so the demo shows well from the start.
		if i%8 == 0 {
			creator = agents[0]
		}
		d := creator.district
		// The client lives in one of the creator's own local areas.
		area := creator.Areas[i%len(creator.Areas)]
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		year := 2005 + rng.IntN(20)
		if i%6 == 0 {
			year = 1960 + rng.IntN(40) // some adults
		}
		c := &patchwork.Client{
			FirstName: first, LastName: last,
			DateOfBirth: fmt.Sprintf("%04d-%02d-%02d", year, 1+rng.IntN(12), 1+rng.IntN(28)),
			Address:     fmt.Sprintf("%d %s Road, %s", 1+rng.IntN(120), lastNames[rng.IntN(len(lastNames))], area.Name),
			Postcode:    fmt.Sprintf("DM%d %d%c%c", 1+d, 1+rng.IntN(9), 'A'+rune(rng.IntN(26)), 'A'+rune(rng.IntN(26))),
			Phone:       fmt.Sprintf("07700 9%05d", rng.IntN(100000)),
			AreaIDs:     []int64{area.ID},
		}
		if i%7 == 0 {
			c.Aliases = []string{first + " " + lastNames[rng.IntN(len(lastNames))]}
		}
		if i%11 == 0 {
			c.Aliases = append(c.Aliases, nickname(first)+" "+last)
		}
		if err := svc.CreateClient(patchwork.NewContextWithCaller(ctx, creator.Agent), c); err != nil {
			return fmt.Errorf("demo: client %d: %w", i, err)
		}
		size := 1 + rng.IntN(8)
		agencySeen := map[int64]bool{creator.AgencyID: true}
		for tries := 0; tries < 40 && size > 1; tries++ {
			pool := byArea[area.ID]
			switch r := rng.IntN(100); {
			case r >= 98:
				pool = agents
			case r >= 93:
				pool = byDistrict[d]
			}
			a := pool[rng.IntN(len(pool))]
			if agencySeen[a.AgencyID] && len(agencySeen) < 6 && rng.IntN(3) > 0 {
				continue
			}
			if len(agencySeen) >= 6 && !agencySeen[a.AgencyID] {
				continue
			}
			ticket, err := db.IssueJoinTicket(ctx, a.ID, c.ID)
			if err != nil {
				return err
			}
			err = svc.JoinTeam(patchwork.NewContextWithCaller(ctx, a.Agent), c.ID, patchwork.JoinRequest{Ticket: ticket, Declaration: true,
				Basis: []string{patchwork.BasisConsent, patchwork.BasisSafeguarding, patchwork.BasisStatutoryDuty}[rng.IntN(3)]})
			if patchwork.ErrorCode(err) == patchwork.ECONFLICT {
				continue
			} else if err != nil {
				return err
			}
			agencySeen[a.AgencyID] = true
			size--
		}
	}
	return nil
}

func nickname(first string) string {
	nick := map[string]string{"Catherine": "Kate", "William": "Bill", "Alexandra": "Sasha", "Margaret": "Maggie",
		"Daniel": "Danny", "Jessica": "Jess", "Oliver": "Ollie", "Isabella": "Bella", "Jacob": "Jake", "Charlie": "Charles"}
	if n, ok := nick[first]; ok {
		return n
	}
	return first[:min(3, len(first))]
}
