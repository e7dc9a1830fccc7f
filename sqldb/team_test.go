package sqldb_test

import (
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func strp(s string) *string { return &s }

// teamOf returns the client's team as viewer sees it on the client's page.
func teamOf(t *testing.T, db *sqldb.DB, viewer *patchwork.Agent, clientID int64) []*patchwork.TeamMember {
	t.Helper()
	p, err := sqldb.NewClientService(db).FindClientProfile(sqldbtest.As(viewer), clientID)
	if err != nil {
		t.Fatal(err)
	}
	return p.Team
}

func leadOf(team []*patchwork.TeamMember) []int64 {
	var out []int64
	for _, m := range team {
		if m.Membership.IsLead {
			out = append(out, m.Agent.ID)
		}
	}
	return out
}

// TestLeadProfessionalHandshake: a proposal waits for the proposed agent's
// answer; accepting makes them the one lead, shown first; declining leaves
// the lead as it was; each step is on the trail and told to the team; only
// the proposed agent may answer, and only members may propose members.
func TestLeadProfessionalHandshake(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		ann := w.MustAgent(t, "Ann First", w.Council, w.LocalA)
		bob := w.MustAgent(t, "Bob Second", w.Council, w.LocalA)
		cat := w.MustAgent(t, "Cat Third", w.Council, w.LocalA)
		out := w.MustAgent(t, "Olu Outside", w.Council, w.LocalA)
		cl := w.MustClient(t, ann, "Lee", "Dunn", "01/01/2012")
		w.MustJoin(t, bob, cl)
		w.MustJoin(t, cat, cl)
		svc := sqldb.NewTeamService(db)
		leadNotes := func(a *patchwork.Agent) int {
			return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM notifications WHERE agent_id = $1 AND kind = $2`,
				a.ID, patchwork.ActivityLeadChanged)
		}

		mustCode(t, svc.ProposeLead(sqldbtest.As(out), cl.ID, out.ID), patchwork.ENOTFOUND)
		mustCode(t, svc.ProposeLead(sqldbtest.As(ann), cl.ID, out.ID), patchwork.EINVALID)
		if err := svc.ProposeLead(sqldbtest.As(ann), cl.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		if got := leadOf(teamOf(t, db, ann, cl.ID)); len(got) != 0 {
			t.Fatalf("a lead before the answer: %v", got)
		}
		p, err := sqldb.NewClientService(db).FindClientProfile(sqldbtest.As(cat), cl.ID)
		if err != nil || p.LeadProposal == nil || p.LeadProposal.AgentID != bob.ID || p.LeadProposal.ProposedByName != "Ann First" {
			t.Fatalf("the pending proposal: %+v %v", p.LeadProposal, err)
		}
		if leadNotes(bob) != 1 || leadNotes(cat) != 1 || leadNotes(ann) != 0 {
			t.Fatalf("proposal told bob %d, cat %d, ann %d times", leadNotes(bob), leadNotes(cat), leadNotes(ann))
		}
		// Only the proposed agent answers.
		mustCode(t, svc.AnswerLead(sqldbtest.As(cat), cl.ID, true), patchwork.ENOTFOUND)
		mustCode(t, svc.AnswerLead(sqldbtest.As(out), cl.ID, true), patchwork.ENOTFOUND)
		if err := svc.AnswerLead(sqldbtest.As(bob), cl.ID, true); err != nil {
			t.Fatal(err)
		}
		team := teamOf(t, db, ann, cl.ID)
		if got := leadOf(team); len(got) != 1 || got[0] != bob.ID || team[0].Agent.ID != bob.ID {
			t.Fatalf("after accepting: leads %v, first %s", got, team[0].Agent.Name)
		}
		mustCode(t, svc.AnswerLead(sqldbtest.As(bob), cl.ID, true), patchwork.ENOTFOUND) // answered already

		// Cat declines: Bob stays lead.
		if err := svc.ProposeLead(sqldbtest.As(bob), cl.ID, cat.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.AnswerLead(sqldbtest.As(cat), cl.ID, false); err != nil {
			t.Fatal(err)
		}
		if got := leadOf(teamOf(t, db, ann, cl.ID)); len(got) != 1 || got[0] != bob.ID {
			t.Fatalf("after declining: leads %v", got)
		}
		// Ann proposes herself: no answer needed, and one lead at a time.
		if err := svc.ProposeLead(sqldbtest.As(ann), cl.ID, ann.ID); err != nil {
			t.Fatal(err)
		}
		if got := leadOf(teamOf(t, db, cat, cl.ID)); len(got) != 1 || got[0] != ann.ID {
			t.Fatalf("after self-proposal: leads %v", got)
		}
		for detail, want := range map[string]int{patchwork.LeadProposed: 2, patchwork.LeadAccepted: 2, patchwork.LeadDeclined: 1} {
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND kind = $2 AND detail = $3`,
				cl.ID, patchwork.ActivityLeadChanged, detail); n != want {
				t.Errorf("%d %q activities, want %d", n, detail, want)
			}
		}
		// A lead who leaves is no longer lead.
		if err := sqldb.NewClientService(db).LeaveTeam(sqldbtest.As(ann), cl.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		if got := leadOf(teamOf(t, db, cat, cl.ID)); len(got) != 0 {
			t.Fatalf("a former member is lead: %v", got)
		}
	})
}

// TestContactDatesAndReview: a member's own dates, read as typed, show on
// the team; bad dates change nothing; memberships not confirmed or updated
// for the review period are listed for review, and after twice as long show
// as possibly out of date, until confirmed.
func TestContactDatesAndReview(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock := sqldbtest.NewClock(db)
		db.ReviewDays = 30
		w := sqldbtest.MustWorld(t, db)
		me := w.MustAgent(t, "Mo Member", w.Council, w.LocalA)
		mate := w.MustAgent(t, "Mat Mate", w.Council, w.LocalA)
		out := w.MustAgent(t, "Oz Out", w.Council, w.LocalA)
		cl := w.MustClient(t, me, "Rae", "Holt", "01/01/2012")
		w.MustJoin(t, mate, cl)
		svc := sqldb.NewTeamService(db)

		mustCode(t, svc.UpdateContact(sqldbtest.As(out), cl.ID, patchwork.ContactUpdate{LastContactOn: strp("20/11/2026")}),
			patchwork.ENOTFOUND)
		mustCode(t, svc.UpdateContact(sqldbtest.As(me), cl.ID, patchwork.ContactUpdate{LastContactOn: strp("30/11/2026")}),
			patchwork.EINVALID) // after today (22 November)
		mustCode(t, svc.UpdateContact(sqldbtest.As(me), cl.ID, patchwork.ContactUpdate{NextContactOn: strp("31/11/2026")}),
			patchwork.EINVALID)
		if err := svc.UpdateContact(sqldbtest.As(me), cl.ID, patchwork.ContactUpdate{LastContactOn: strp("19 Nov 2026"),
			NextContactOn: strp("24/11/2026"), NextContactTime: strp("2pm"), NextContactKind: strp(patchwork.ContactVisit)}); err != nil {
			t.Fatal(err)
		}
		m := teamOf(t, db, mate, cl.ID)[0].Membership
		if m.LastContactOn != "2026-11-19" || m.NextContactOn != "2026-11-24" || m.NextContactTime != "14:00" || m.NextContactKind != "visit" {
			t.Fatalf("stored %+v", m)
		}
		// Only the next date sent: the last is kept.
		if err := svc.UpdateContact(sqldbtest.As(me), cl.ID, patchwork.ContactUpdate{NextContactOn: strp("")}); err != nil {
			t.Fatal(err)
		}
		m = teamOf(t, db, mate, cl.ID)[0].Membership
		if m.LastContactOn != "2026-11-19" || m.NextContactOn != "" || m.NextContactTime != "" || m.NextContactKind != "" {
			t.Fatalf("after clearing the next date: %+v", m)
		}
		if p, err := svc.FindMyPlannedContacts(sqldbtest.As(mate)); err != nil || len(p) != 0 {
			t.Fatalf("another member's planned contacts: %v %v", p, err)
		}

		// 31 days on: the mate (never confirmed) is due, the member who
		// updated 31 days ago too; neither is out of date yet.
		clock.Add(31 * 24 * time.Hour)
		for _, a := range []*patchwork.Agent{me, mate} {
			if r, err := svc.FindMyReviews(sqldbtest.As(a)); err != nil || len(r) != 1 || r[0].ClientID != cl.ID {
				t.Fatalf("%s's reviews: %v %v", a.Name, r, err)
			}
		}
		if err := svc.ConfirmMembership(sqldbtest.As(me), cl.ID); err != nil {
			t.Fatal(err)
		}
		if r, err := svc.FindMyReviews(sqldbtest.As(me)); err != nil || len(r) != 0 {
			t.Fatalf("reviews after confirming: %v %v", r, err)
		}
		clock.Add(30 * 24 * time.Hour) // 61 days since the mate joined
		for _, m := range teamOf(t, db, me, cl.ID) {
			if want := m.Agent.ID == mate.ID; m.Membership.MayBeOutOfDate != want {
				t.Errorf("%s may be out of date: %v, want %v", m.Agent.Name, m.Membership.MayBeOutOfDate, want)
			}
		}
		mustCode(t, svc.ConfirmMembership(sqldbtest.As(out), cl.ID), patchwork.ENOTFOUND)
	})
}
