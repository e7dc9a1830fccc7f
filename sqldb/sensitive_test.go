package sqldb_test

import (
	"fmt"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// sensitiveTeam is a client's team with a member of the world's sensitive
// agency (Safe Haven, domain safehaven.test) whose own contacts are all set.
type sensitiveTeam struct {
	w                         *sqldbtest.World
	db                        *sqldb.DB
	staff, colleague          *patchwork.Agent // of the sensitive agency
	member, outsider, admin   *patchwork.Agent // of the council
	client                    *patchwork.Client
	staffMobile, staffLandlne string
}

func newSensitiveTeam(t *testing.T, db *sqldb.DB) *sensitiveTeam {
	t.Helper()
	w := sqldbtest.MustWorld(t, db)
	st := &sensitiveTeam{w: w, db: db}
	st.staff = w.MustAgent(t, "Sandy Shelter", w.Sensitive, w.LocalA)
	st.colleague = w.MustAgent(t, "Cass Colleague", w.Sensitive, w.LocalA)
	st.member = w.MustAgent(t, "Mo Member", w.Council, w.LocalA)
	st.outsider = w.MustAgent(t, "Oz Outsider", w.Council, w.LocalA)
	st.admin = &patchwork.Agent{Email: "ada@ashford.test", Name: "Ada Admin", AgencyID: w.Council.ID, Admin: true}
	if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), st.admin, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	st.admin.Active = true
	st.staffMobile, st.staffLandlne = st.staff.Mobile, "01632 960999"
	if _, err := db.ExecForTest(`UPDATE agents SET contact_email = $1, landline = $2, preferred_contact = 'mobile' WHERE id = $3`,
		"sandy.shelter@safehaven.test", st.staffLandlne, st.staff.ID); err != nil {
		t.Fatal(err)
	}
	st.client = w.MustClient(t, st.member, "Robin", "Ashdown", "2010-06-07")
	w.MustJoin(t, st.staff, st.client)
	return st
}

// leaks returns what of the sensitive agency's staff's own contacts a shows.
func (st *sensitiveTeam) leaks(a *patchwork.Agent) []string {
	var out []string
	all := fmt.Sprintf("%+v %+v", *a, *a.Agency)
	for _, s := range []string{"safehaven.test", st.staffMobile, st.staffLandlne, "Safe Haven"} {
		if strings.Contains(all, s) {
			out = append(out, s)
		}
	}
	return out
}

// masked fails t unless a shows none of the staff's own contacts and the
// agency's chosen route instead.
func (st *sensitiveTeam) masked(t *testing.T, where string, a *patchwork.Agent) {
	t.Helper()
	if l := st.leaks(a); len(l) > 0 {
		t.Errorf("%s: an outsider sees %v of %+v", where, l, *a)
	}
	if a.ReachEmail() != "duty@support-line.test" || a.Landline != "0800 000 111" || a.Mobile != "" ||
		a.PreferredContact != patchwork.ContactLandline {
		t.Errorf("%s: an outsider sees %q, %q, %q (prefers %q), want the generic mailbox and phone", where,
			a.ReachEmail(), a.Mobile, a.Landline, a.PreferredContact)
	}
}

// real fails t unless a shows the staff's own contacts.
func (st *sensitiveTeam) real(t *testing.T, where string, a *patchwork.Agent) {
	t.Helper()
	if a.ContactEmail != "sandy.shelter@safehaven.test" || a.Mobile != st.staffMobile || a.Landline != st.staffLandlne {
		t.Errorf("%s: %q, %q, %q, want the agent's own contacts", where, a.ContactEmail, a.Mobile, a.Landline)
	}
}

func (st *sensitiveTeam) teamView(t *testing.T, viewer *patchwork.Agent) *patchwork.Agent {
	t.Helper()
	p, err := sqldb.NewClientService(st.db).FindClientProfile(sqldbtest.As(viewer), st.client.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range p.Team {
		if m.Agent.ID == st.staff.ID {
			return m.Agent
		}
	}
	t.Fatal("the sensitive agency's agent is not on the team")
	return nil
}

func (st *sensitiveTeam) pageView(t *testing.T, viewer *patchwork.Agent) *patchwork.Agent {
	t.Helper()
	a, err := sqldb.NewAgentService(st.db).FindAgentByID(sqldbtest.As(viewer), st.staff.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (st *sensitiveTeam) searchView(t *testing.T, viewer *patchwork.Agent) *patchwork.Agent {
	t.Helper()
	res, err := sqldb.NewSearchService(st.db).Search(sqldbtest.As(viewer),
		patchwork.SearchQuery{Text: "Sandy Shelter", Scope: patchwork.ScopeNetwork})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Agents {
		if a.ID == st.staff.ID {
			return a
		}
	}
	t.Fatalf("the phone book does not find the agent: %+v", res.Agents)
	return nil
}

// TestSensitiveAgencyStaffMasked: outside a sensitive agency its staff are
// seen with the agency's generic mailbox and phone — on the client's team,
// on their phone-book page and in search — never with an address at the
// agency's domain or a direct line; the agent, their colleagues and admins
// see their own contacts.
func TestSensitiveAgencyStaffMasked(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		st := newSensitiveTeam(t, db)
		st.masked(t, "team, as a team member", st.teamView(t, st.member))
		st.masked(t, "agent page, as a team member", st.pageView(t, st.member))
		st.masked(t, "agent page, as an outsider", st.pageView(t, st.outsider))
		st.masked(t, "search, as a team member", st.searchView(t, st.member))
		st.masked(t, "search, as an outsider", st.searchView(t, st.outsider))
		g, err := sqldb.NewAgencyService(db).FindAgencyByID(sqldbtest.As(st.outsider), st.w.Sensitive.ID)
		if err != nil {
			t.Fatal(err)
		}
		if g.Name != "Support service" || g.Email != "duty@support-line.test" || g.Phone != "0800 000 111" || g.EmailDomain != "" {
			t.Errorf("agency page, as an outsider: %+v", *g)
		}
		for who, viewer := range map[string]*patchwork.Agent{"the agent": st.staff, "a colleague": st.colleague, "an admin": st.admin} {
			st.real(t, "agent page, as "+who, st.pageView(t, viewer))
			st.real(t, "search, as "+who, st.searchView(t, viewer))
		}
		if _, err := db.ExecForTest(`UPDATE agents SET preferred_contact = 'email' WHERE id = $1`, st.staff.ID); err != nil {
			t.Fatal(err)
		}
		if a := st.pageView(t, st.outsider); a.PreferredContact != patchwork.ContactEmail || a.ReachEmail() != "duty@support-line.test" {
			t.Errorf("preferring email, an outsider is offered %q at %q", a.PreferredContact, a.ReachEmail())
		}
	})
}

// TestSensitiveAgencyPublishesToTeams: an agency that chooses to publish its
// staff's direct contacts shows them to the agents who share a client's
// team with them — and still to nobody else outside it.
func TestSensitiveAgencyPublishesToTeams(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		st := newSensitiveTeam(t, db)
		if _, err := db.ExecForTest(`UPDATE agencies SET publish_direct = 1 WHERE id = $1`, st.w.Sensitive.ID); err != nil {
			t.Fatal(err)
		}
		st.real(t, "team, as a team member", st.teamView(t, st.member))
		st.real(t, "agent page, as a team member", st.pageView(t, st.member))
		st.masked(t, "agent page, as an outsider", st.pageView(t, st.outsider))
		st.masked(t, "search, as an outsider", st.searchView(t, st.outsider))
		if a := st.teamView(t, st.member); a.Agency.Name != "Support service" {
			t.Errorf("publishing contacts showed the agency's name %q", a.Agency.Name)
		}
		// Once the member has left the team, they are an outsider again.
		if err := sqldb.NewClientService(db).LeaveTeam(sqldbtest.As(st.member), st.client.ID,
			patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		st.masked(t, "agent page, as a former team member", st.pageView(t, st.member))
	})
}

// TestGenericMailboxAtOwnDomainNeverShown: a generic mailbox at the
// agency's own domain, stored before that was refused, is not shown.
func TestGenericMailboxAtOwnDomainNeverShown(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		st := newSensitiveTeam(t, db)
		if _, err := db.ExecForTest(`UPDATE agencies SET generic_email = 'duty@SafeHaven.test' WHERE id = $1`, st.w.Sensitive.ID); err != nil {
			t.Fatal(err)
		}
		a := st.teamView(t, st.member)
		if a.ReachEmail() != "" || strings.Contains(strings.ToLower(fmt.Sprintf("%+v %+v", *a, *a.Agency)), "safehaven") {
			t.Errorf("an outsider sees %+v %+v", *a, *a.Agency)
		}
	})
}
