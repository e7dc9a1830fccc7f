package sqldbtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"patchwork"
	"patchwork/sqldb"
)

// Password is the password of every agent MustAgent creates.
const Password = "correct horse battery"

var seq atomic.Int64

// World is a small network for tests: one network, one district with two
// local areas and two agencies, one of them sensitive.
type World struct {
	DB        *sqldb.DB
	Network   *patchwork.Area
	District  *patchwork.Area
	LocalA    *patchwork.Area
	LocalB    *patchwork.Area
	Council   *patchwork.Agency
	Sensitive *patchwork.Agency
}

// MustWorld builds a World in db.
func MustWorld(tb testing.TB, db *sqldb.DB) *World {
	tb.Helper()
	ctx := System()
	areas := sqldb.NewAreaService(db)
	// A second World in one database gets area names of its own: local
	// area names are unique in a deployment.
	var worlds int
	must(tb, db.QueryRowForTest(`SELECT COUNT(*) FROM areas WHERE kind = 'network'`).Scan(&worlds))
	suffix := ""
	if worlds > 0 {
		suffix = fmt.Sprintf(" %d", worlds+1)
	}
	w := &World{DB: db,
		Network:  &patchwork.Area{Kind: patchwork.AreaNetwork, Name: "Test network" + suffix},
		District: &patchwork.Area{Kind: patchwork.AreaDistrict, Name: "North district" + suffix},
		LocalA:   &patchwork.Area{Kind: patchwork.AreaLocal, Name: "Ashford" + suffix},
		LocalB:   &patchwork.Area{Kind: patchwork.AreaLocal, Name: "Bexley" + suffix},
	}
	must(tb, areas.CreateArea(ctx, w.Network))
	w.District.ParentID = w.Network.ID
	must(tb, areas.CreateArea(ctx, w.District))
	w.LocalA.ParentID, w.LocalB.ParentID = w.District.ID, w.District.ID
	must(tb, areas.CreateArea(ctx, w.LocalA))
	must(tb, areas.CreateArea(ctx, w.LocalB))
	agencies := sqldb.NewAgencyService(db)
	w.Council = &patchwork.Agency{Name: "Ashford Children's Services", Sector: "Children's social care", Phone: "01234 000000",
		Email: "duty@ashford.test", EmailDomain: "ashford.test", Areas: []*patchwork.Area{w.LocalA}}
	w.Sensitive = &patchwork.Agency{Name: "Safe Haven Domestic Abuse Service", Sector: "Charity", Sensitive: true,
		GenericLabel: "Support service", ContactRoute: "Call 0800 000 111 and ask for the duty worker", EmailDomain: "safehaven.test",
		GenericEmail: "duty@support-line.test", GenericPhone: "0800 000 111"}
	must(tb, agencies.CreateAgency(ctx, w.Council))
	must(tb, agencies.CreateAgency(ctx, w.Sensitive))
	return w
}

// MustAgent creates an active agent of agency in the given local areas,
// with password Password.
func (w *World) MustAgent(tb testing.TB, name string, agency *patchwork.Agency, areas ...*patchwork.Area) *patchwork.Agent {
	tb.Helper()
	n := seq.Add(1)
	a := &patchwork.Agent{Email: fmt.Sprintf("agent%d@%s", n, agency.EmailDomain), Name: name, Role: "Social worker",
		AgencyID: agency.ID, Mobile: "07700 900" + fmt.Sprintf("%03d", n%1000), PreferredContact: patchwork.ContactMobile, Areas: areas}
	must(tb, sqldb.NewAgentService(w.DB).CreateAgent(System(), a, Password))
	a.Agency = agency
	return a
}

// MustClient creates a client with creator as its first team member.
func (w *World) MustClient(tb testing.TB, creator *patchwork.Agent, first, last, dob string, aliases ...string) *patchwork.Client {
	tb.Helper()
	return w.MustCreateClient(tb, creator, &patchwork.Client{FirstName: first, LastName: last, DateOfBirth: dob,
		Aliases: aliases, Address: "1 Test Street", Postcode: "AB1 2CD", Phone: "01234 567890"})
}

// MustCreateClient creates c (DateOfBirth as typed) with creator as its
// first team member.
func (w *World) MustCreateClient(tb testing.TB, creator *patchwork.Agent, c *patchwork.Client) *patchwork.Client {
	tb.Helper()
	must(tb, sqldb.NewClientService(w.DB).CreateClient(As(creator), c))
	return c
}

// MustJoin puts agent on the client's team, as a join from a search
// result would. The join does not count towards the agent's join limit.
func (w *World) MustJoin(tb testing.TB, agent *patchwork.Agent, c *patchwork.Client) {
	tb.Helper()
	svc := sqldb.NewClientService(w.DB)
	svc.JoinLimit = 0
	must(tb, svc.JoinTeam(As(agent), c.ID,
		patchwork.JoinRequest{Ticket: MustTicket(tb, w.DB, agent, c.ID), Declaration: true, Basis: patchwork.BasisConsent}))
}

// MustTicket returns a join ticket for agent and clientID, as a search
// result shown to agent would carry.
func MustTicket(tb testing.TB, db *sqldb.DB, agent *patchwork.Agent, clientID int64) string {
	tb.Helper()
	t, err := db.IssueJoinTicket(context.Background(), agent.ID, clientID)
	must(tb, err)
	return t
}

// As returns a context whose caller is a.
func As(a *patchwork.Agent) context.Context {
	return patchwork.NewContextWithCaller(context.Background(), a)
}

// System returns a context whose caller is the system, as the CLI and the
// demo loader run: for setting up what a test needs (areas, agencies,
// agents) without an admin.
func System() context.Context {
	return patchwork.NewSystemContext(context.Background())
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// CountNotifications returns how many notifications agentID has.
func CountNotifications(tb testing.TB, db *sqldb.DB, agentID int64) int {
	tb.Helper()
	var n int
	if err := db.QueryRowForTest(`SELECT COUNT(*) FROM notifications WHERE agent_id = $1`, agentID).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}
