package sqldb_test

import (
	"errors"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func mustCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *patchwork.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func relatedOf(t *testing.T, db *sqldb.DB, viewer *patchwork.Agent, clientID int64) []*patchwork.RelatedClient {
	t.Helper()
	c, err := sqldb.NewCircleService(db).FindCircle(sqldbtest.As(viewer), clientID)
	if err != nil {
		t.Fatal(err)
	}
	return c.Related
}

// TestCircleLinksReadBothWays links a parent and a child: each client shows
// the other with the reciprocal wording, each gets an activity row, and the
// other members of both teams are told, as their preferences say.
func TestCircleLinksReadBothWays(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		me := w.MustAgent(t, "Mia Both", w.Council, w.LocalA)
		childTeam := w.MustAgent(t, "Cai Child", w.Council, w.LocalA)
		parentTeam := w.MustAgent(t, "Pat Parent", w.Council, w.LocalA)
		quiet := w.MustAgent(t, "Quin Never", w.Council, w.LocalA)
		setPrefs(t, db, quiet, patchwork.NotifyNever)
		child := w.MustClient(t, me, "Kit", "Lane", "01/02/2015")
		parent := w.MustClient(t, me, "Jo", "Lane", "03/04/1985")
		w.MustJoin(t, childTeam, child)
		w.MustJoin(t, quiet, child)
		w.MustJoin(t, parentTeam, parent)
		before := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM notifications`)

		svc := sqldb.NewCircleService(db)
		if err := svc.AddToCircle(sqldbtest.As(me), child.ID, patchwork.CircleRequest{RelatedClientID: parent.ID,
			Relationship: patchwork.RelParent}); err != nil {
			t.Fatal(err)
		}
		fromChild := relatedOf(t, db, me, child.ID)
		fromParent := relatedOf(t, db, me, parent.ID)
		if len(fromChild) != 1 || fromChild[0].ID != parent.ID || fromChild[0].Relationship != patchwork.RelParent {
			t.Fatalf("the child's circle: %+v", fromChild)
		}
		if len(fromParent) != 1 || fromParent[0].ID != child.ID || fromParent[0].Relationship != patchwork.RelChild {
			t.Fatalf("the parent's circle: %+v", fromParent)
		}
		for _, c := range []*patchwork.Client{child, parent} {
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND kind = $2`,
				c.ID, patchwork.ActivityCircleChanged); n != 1 {
				t.Errorf("client %d has %d circle activities, want 1", c.ID, n)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM notifications`) - before; n != 3 {
			t.Errorf("%d notifications, want 3 (the child's two others, the parent's one)", n)
		}
		for _, a := range []*patchwork.Agent{childTeam, parentTeam} {
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM notifications WHERE agent_id = $1 AND kind = $2 AND delivery = $3`,
				a.ID, patchwork.ActivityCircleChanged, patchwork.NotifyWeekly); n != 1 {
				t.Errorf("%s has %d weekly circle notifications, want 1", a.Name, n)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM notifications WHERE agent_id = $1 AND delivery = 'never' AND handled_at IS NOT NULL
			AND kind = $2`, quiet.ID, patchwork.ActivityCircleChanged); n != 1 {
			t.Errorf("the agent who chose never has %d handled circle notifications, want 1", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM notifications WHERE agent_id = $1 AND kind = $2`, me.ID, patchwork.ActivityCircleChanged); n != 0 {
			t.Errorf("the agent who linked them was told %d times", n)
		}

		// Linking again either way round is a conflict; linking a client
		// to itself is refused.
		mustCode(t, svc.AddToCircle(sqldbtest.As(me), parent.ID, patchwork.CircleRequest{RelatedClientID: child.ID,
			Relationship: patchwork.RelChild}), patchwork.ECONFLICT)
		mustCode(t, svc.AddToCircle(sqldbtest.As(me), parent.ID, patchwork.CircleRequest{RelatedClientID: parent.ID,
			Relationship: patchwork.RelSibling}), patchwork.EINVALID)
		mustCode(t, svc.AddToCircle(sqldbtest.As(me), parent.ID, patchwork.CircleRequest{RelatedClientID: child.ID,
			Relationship: patchwork.RelOther}), patchwork.EINVALID)

		// A member of only one team may remove the link; it goes from both.
		if err := svc.RemoveFromCircle(sqldbtest.As(parentTeam), parent.ID, child.ID); err != nil {
			t.Fatal(err)
		}
		if got := relatedOf(t, db, me, child.ID); len(got) != 0 {
			t.Fatalf("the link is still on the child: %+v", got)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE kind = $1 AND detail = 'removed:child'`,
			patchwork.ActivityCircleChanged); n != 1 {
			t.Errorf("%d 'removed a child' activities, want 1 (on the parent)", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE kind = $1 AND detail = 'removed:parent'`,
			patchwork.ActivityCircleChanged); n != 1 {
			t.Errorf("%d 'removed a parent' activities, want 1 (on the child)", n)
		}
		mustCode(t, svc.RemoveFromCircle(sqldbtest.As(parentTeam), parent.ID, child.ID), patchwork.ENOTFOUND)
	})
}

// TestCircleAccess: only an agent on both teams may link two clients; a
// related client whose team the viewer is not on shows its name, age,
// relationship, team size and agencies — a sensitive agency only under its
// generic label — with a join ticket, and never its team's agents.
func TestCircleAccess(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		both := w.MustAgent(t, "Bea Both", w.Council, w.LocalA)
		onlyA := w.MustAgent(t, "Al OnlyA", w.Council, w.LocalA)
		hidden := w.MustAgent(t, "Hana Hidden", w.Sensitive, w.LocalA)
		stranger := w.MustAgent(t, "Stan Stranger", w.Council, w.LocalA)
		a := w.MustClient(t, both, "Ann", "Ames", "01/01/2012")
		b := w.MustClient(t, both, "Ben", "Ames", "01/01/2010")
		w.MustJoin(t, onlyA, a)
		w.MustJoin(t, hidden, b)
		svc := sqldb.NewCircleService(db)

		// Not on b's team: b does not exist, whatever else is sent.
		for _, req := range []patchwork.CircleRequest{{RelatedClientID: b.ID, Relationship: patchwork.RelSibling},
			{RelatedClientID: b.ID + 1000, Relationship: patchwork.RelSibling}} {
			mustCode(t, svc.AddToCircle(sqldbtest.As(onlyA), a.ID, req), patchwork.ENOTFOUND)
		}
		// Not on a's team: ENOTFOUND before the form is even checked.
		mustCode(t, svc.AddToCircle(sqldbtest.As(stranger), a.ID, patchwork.CircleRequest{}), patchwork.ENOTFOUND)
		if _, err := svc.FindCircle(sqldbtest.As(stranger), a.ID); err == nil {
			t.Fatal("a non-member read the circle")
		}
		if _, err := svc.FindLinkableClients(sqldbtest.As(stranger), a.ID, ""); err == nil {
			t.Fatal("a non-member listed clients to link")
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM circle_links`); n != 0 {
			t.Fatalf("%d links made by agents not on both teams", n)
		}

		if err := svc.AddToCircle(sqldbtest.As(both), a.ID, patchwork.CircleRequest{RelatedClientID: b.ID,
			Relationship: patchwork.RelSibling}); err != nil {
			t.Fatal(err)
		}
		got := relatedOf(t, db, onlyA, a.ID)
		if len(got) != 1 {
			t.Fatalf("circle: %+v", got)
		}
		r := got[0]
		if r.Name != "Ben Ames" || r.TeamSize != 2 || r.IsMember || r.JoinTicket == "" || r.Agents != nil || r.Label() != "Sibling" {
			t.Fatalf("a related client on another team: %+v", r)
		}
		var names []string
		for _, g := range r.Agencies {
			names = append(names, g.Name)
			if g.Name == w.Sensitive.Name || (g.Sensitive && (g.ID != 0 || g.Phone != "" || g.Email != "")) {
				t.Fatalf("a sensitive agency is shown as %+v", g)
			}
		}
		if len(names) != 2 || names[0] != w.Council.Name || names[1] != w.Sensitive.GenericLabel {
			t.Fatalf("agencies %q, want the council and the generic label", names)
		}
		// On both teams, the agents are shown too.
		if got := relatedOf(t, db, both, a.ID); len(got[0].Agents) != 2 || !got[0].IsMember || got[0].JoinTicket != "" {
			t.Fatalf("for a member of both: %+v", got[0])
		}
		// The join ticket is one the join page accepts for this agent only.
		if _, err := sqldb.NewClientService(db).FindJoinCard(sqldbtest.As(onlyA), b.ID, r.JoinTicket); err != nil {
			t.Fatalf("the circle's join ticket: %v", err)
		}
		if _, err := sqldb.NewClientService(db).FindJoinCard(sqldbtest.As(stranger), b.ID, r.JoinTicket); err == nil {
			t.Fatal("another agent used the circle's join ticket")
		}
	})
}

// TestHouseholdHints offers the caller's own clients at the same address
// (spelt differently) who are not linked yet, and never another team's.
func TestHouseholdHints(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		me := w.MustAgent(t, "Meg Mine", w.Council, w.LocalA)
		other := w.MustAgent(t, "Otto Other", w.Council, w.LocalA)
		add := func(by *patchwork.Agent, first, addr, pc string) *patchwork.Client {
			return w.MustCreateClient(t, by, &patchwork.Client{FirstName: first, LastName: "Hall", DateOfBirth: "01/01/2010",
				Address: addr, Postcode: pc})
		}
		home := add(me, "Hope", "12 Rose Street, Ashford", "AB1 2CD")
		same := add(me, "Sam", "12 rose street ashford", "ab12cd")
		elsewhere := add(me, "Ezra", "14 Rose Street, Ashford", "AB1 2CD")
		theirs := add(other, "Theo", "12 Rose Street, Ashford", "AB1 2CD")
		_, _ = elsewhere, theirs
		c, err := sqldb.NewCircleService(db).FindCircle(sqldbtest.As(me), home.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Hints) != 1 || c.Hints[0].ID != same.ID {
			t.Fatalf("hints %+v, want Sam alone", c.Hints)
		}
		if err := sqldb.NewCircleService(db).AddToCircle(sqldbtest.As(me), home.ID, patchwork.CircleRequest{RelatedClientID: same.ID,
			Relationship: patchwork.RelHousehold}); err != nil {
			t.Fatal(err)
		}
		if c, err = sqldb.NewCircleService(db).FindCircle(sqldbtest.As(me), home.ID); err != nil || len(c.Hints) != 0 {
			t.Fatalf("hints once linked: %+v %v", c, err)
		}
	})
}

// TestCircleMergeAndErasure: re-pointing a merged client's links keeps
// each relationship, drops the link between the two records and a
// duplicate; erasing removes every link and tells the other clients' teams.
func TestCircleMergeAndErasure(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		me := w.MustAgent(t, "Max Merge", w.Council, w.LocalA)
		mate := w.MustAgent(t, "Mo Mate", w.Council, w.LocalA)
		keep := w.MustClient(t, me, "Kim", "Dale", "01/01/2010")
		dup := w.MustClient(t, me, "Kym", "Dale", "01/01/2010")
		mum := w.MustClient(t, me, "Mae", "Dale", "01/01/1980")
		sib := w.MustClient(t, me, "Sid", "Dale", "01/01/2012")
		w.MustJoin(t, mate, mum)
		svc := sqldb.NewCircleService(db)
		link := func(c, r *patchwork.Client, rel string) {
			t.Helper()
			if err := svc.AddToCircle(sqldbtest.As(me), c.ID, patchwork.CircleRequest{RelatedClientID: r.ID, Relationship: rel}); err != nil {
				t.Fatal(err)
			}
		}
		link(dup, mum, patchwork.RelParent)
		link(dup, keep, patchwork.RelSibling)
		link(keep, sib, patchwork.RelSibling)
		link(dup, sib, patchwork.RelSibling)
		if err := db.ReassignCircleLinksForTest(sqldbtest.System(), dup.ID, keep.ID); err != nil {
			t.Fatal(err)
		}
		got := map[int64]string{}
		for _, r := range relatedOf(t, db, me, keep.ID) {
			got[r.ID] = r.Relationship
		}
		if len(got) != 2 || got[mum.ID] != patchwork.RelParent || got[sib.ID] != patchwork.RelSibling {
			t.Fatalf("the kept client's circle: %v", got)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM circle_links WHERE client_a = $1 OR client_b = $1`, dup.ID); n != 0 {
			t.Fatalf("%d links still name the merged record", n)
		}
		if r := relatedOf(t, db, me, mum.ID); len(r) != 1 || r[0].ID != keep.ID || r[0].Relationship != patchwork.RelChild {
			t.Fatalf("the mother's circle: %+v", r)
		}

		before := sqldbtest.CountNotifications(t, db, mate.ID)
		if err := db.DeleteCircleLinksForTest(sqldbtest.System(), me.ID, keep.ID); err != nil {
			t.Fatal(err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM circle_links`); n != 0 {
			t.Fatalf("%d links left after erasure", n)
		}
		if n := sqldbtest.CountNotifications(t, db, mate.ID) - before; n != 1 {
			t.Fatalf("the mother's team was told %d times, want once", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND detail = 'removed:child'`, mum.ID); n != 1 {
			t.Fatalf("the mother's trail has %d 'removed a child' rows", n)
		}
	})
}
