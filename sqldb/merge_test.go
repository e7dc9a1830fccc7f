package sqldb_test

import (
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// mergeWorld is two records of one person (A kept, B merged into it) with
// a member on each team, one on both, an attention and a circle link on
// B, and B in another local area than A.
type mergeWorld struct {
	*sqldbtest.World
	onA, onB, onBoth, outsider *patchwork.Agent
	a, b, sibling              *patchwork.Client
	attention, invitation      int64
}

func newMergeWorld(t *testing.T, db *sqldb.DB) *mergeWorld {
	t.Helper()
	w := &mergeWorld{World: sqldbtest.MustWorld(t, db)}
	w.onA = w.MustAgent(t, "Ali OnA", w.Council, w.LocalA)
	w.onB = w.MustAgent(t, "Bea OnB", w.Council, w.LocalB)
	w.onBoth = w.MustAgent(t, "Cy Onboth", w.Council, w.LocalA)
	w.outsider = w.MustAgent(t, "Out Sider", w.Council, w.LocalA)
	w.a = w.MustCreateClient(t, w.onA, &patchwork.Client{FirstName: "Jordan", LastName: "Merriweather", DateOfBirth: "04/05/2011",
		AreaIDs: []int64{w.LocalA.ID}})
	w.b = w.MustCreateClient(t, w.onB, &patchwork.Client{FirstName: "Jordan", LastName: "Merriwether", DateOfBirth: "04/05/2011",
		AreaIDs: []int64{w.LocalB.ID}})
	w.sibling = w.MustCreateClient(t, w.onB, &patchwork.Client{FirstName: "Sky", LastName: "Merriwether", DateOfBirth: "01/01/2014",
		AreaIDs: []int64{w.LocalB.ID}})
	w.MustJoin(t, w.onBoth, w.a)
	w.MustJoin(t, w.onBoth, w.b)
	att, err := sqldb.NewAttentionService(db).RaiseAttention(sqldbtest.As(w.onB), w.b.ID,
		patchwork.AttentionInput{Category: "concern", Message: "x"})
	if err != nil {
		t.Fatal(err)
	}
	w.attention = att.ID
	inv, err := sqldb.NewInvitationService(db, []byte("test secret")).CreateInvitation(sqldbtest.As(w.onB), w.b.ID,
		patchwork.InvitationRequest{AgentID: w.outsider.ID})
	if err != nil {
		t.Fatal(err)
	}
	w.invitation = inv.ID
	if err := sqldb.NewCircleService(db).AddToCircle(sqldbtest.As(w.onB), w.b.ID,
		patchwork.CircleRequest{RelatedClientID: w.sibling.ID, Relationship: patchwork.RelSibling}); err != nil {
		t.Fatal(err)
	}
	return w
}

// team returns how many current memberships each of the world's agents
// has on client, and under 0 the team's size.
func (w *mergeWorld) team(t *testing.T, client int64) map[int64]int {
	t.Helper()
	out := map[int64]int{}
	for _, a := range []*patchwork.Agent{w.onA, w.onB, w.onBoth, w.outsider} {
		if n := sqldbtest.MustCount(t, w.DB, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND agent_id = $2 AND left_at IS NULL`,
			client, a.ID); n > 0 {
			out[a.ID] = n
		}
	}
	out[0] = sqldbtest.MustCount(t, w.DB, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND left_at IS NULL`, client)
	return out
}

// TestMergeAndUndo: merging B into A unites the teams (a member of both
// stays once), attentions, activity, circle and areas; B's address leads
// A's members to A and nobody else; search no longer finds B; both teams
// are told. Undoing puts both records and teams back as they were, once.
func TestMergeAndUndo(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newMergeWorld(t, db)
		admin := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		svc := sqldb.NewMergeService(db)
		ctx := sqldbtest.As(admin)
		notified := map[int64]int{}
		for _, a := range []*patchwork.Agent{w.onA, w.onB, w.onBoth} {
			notified[a.ID] = sqldbtest.CountNotifications(t, db, a.ID)
		}
		activityOnB := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1`, w.b.ID)

		m, err := svc.MergeClients(ctx, w.a.ID, w.b.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := w.team(t, w.a.ID)
		if got[0] != 3 || got[w.onA.ID] != 1 || got[w.onB.ID] != 1 || got[w.onBoth.ID] != 1 {
			t.Fatalf("A's team after the merge = %v, want onA, onB and onBoth once each", got)
		}
		if n := w.team(t, w.b.ID)[0]; n != 0 {
			t.Fatalf("B still has %d members", n)
		}
		for what, q := range map[string]string{
			"attention":    `SELECT COUNT(*) FROM attentions WHERE client_id = $1 AND id = $2`,
			"invitation":   `SELECT COUNT(*) FROM invitations WHERE client_id = $1 AND id = $2 AND status = 'pending'`,
			"circle":       `SELECT COUNT(*) FROM circle_links WHERE (client_a = $1 AND client_b = $2) OR (client_a = $2 AND client_b = $1)`,
			"area":         `SELECT COUNT(*) FROM client_areas WHERE client_id = $1 AND area_id = $2`,
			"merge row":    `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND kind = '` + patchwork.ActivityClientMerged + `' AND agent_id = $2`,
			"B's activity": `SELECT CASE WHEN COUNT(*) >= $2 THEN 1 ELSE 0 END FROM activities WHERE client_id = $1`,
		} {
			arg := map[string]int64{"attention": w.attention, "invitation": w.invitation, "circle": w.sibling.ID, "area": w.LocalB.ID, "merge row": admin.ID,
				"B's activity": int64(activityOnB + 2)}[what]
			if n := sqldbtest.MustCount(t, db, q, w.a.ID, arg); n < 1 {
				t.Errorf("after the merge, A lacks B's %s", what)
			}
		}
		for _, a := range []*patchwork.Agent{w.onA, w.onB, w.onBoth} {
			if n := sqldbtest.CountNotifications(t, db, a.ID); n != notified[a.ID]+1 {
				t.Errorf("%s was told %d times, want once", a.Name, n-notified[a.ID])
			}
		}
		clients := sqldb.NewClientService(db)
		if to, err := clients.FindMergedClient(sqldbtest.As(w.onB), w.b.ID); err != nil || to != w.a.ID {
			t.Errorf("B's former member is led to %d, %v; want A", to, err)
		}
		for _, id := range []int64{w.b.ID, w.a.ID, 999999} {
			if _, err := clients.FindMergedClient(sqldbtest.As(w.outsider), id); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("a non-member asking where %d went: %v, want ENOTFOUND", id, err)
			}
		}
		res, err := sqldb.NewSearchService(db).Search(sqldbtest.As(w.outsider), patchwork.SearchQuery{Text: "Jordan Merriwether 4/5/2011"})
		if err != nil {
			t.Fatal(err)
		}
		foundA := false
		for _, r := range res.Clients {
			if r.ID == w.b.ID {
				t.Error("search still finds the merged record")
			}
			foundA = foundA || r.ID == w.a.ID
		}
		if !foundA {
			t.Error("search does not find the kept record")
		}
		if _, err := svc.MergeClients(ctx, w.sibling.ID, w.b.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("merging an already merged client: %v, want ENOTFOUND", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND client_id IN ($2, $3)`,
			patchwork.AuditClientMerge, w.a.ID, w.b.ID); n != 2 {
			t.Errorf("merge audit rows = %d, want one on each client", n)
		}

		if err := svc.UndoMerge(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.team(t, w.a.ID); got[0] != 2 || got[w.onA.ID] != 1 || got[w.onBoth.ID] != 1 {
			t.Errorf("A's team after the undo = %v, want onA and onBoth", got)
		}
		if got := w.team(t, w.b.ID); got[0] != 2 || got[w.onB.ID] != 1 || got[w.onBoth.ID] != 1 {
			t.Errorf("B's team after the undo = %v, want onB and onBoth", got)
		}
		for what, q := range map[string]string{
			"attention":  `SELECT COUNT(*) FROM attentions WHERE client_id = $1 AND id = $2`,
			"invitation": `SELECT COUNT(*) FROM invitations WHERE client_id = $1 AND id = $2 AND status = 'pending'`,
			"circle":     `SELECT COUNT(*) FROM circle_links WHERE (client_a = $1 AND client_b = $2) OR (client_a = $2 AND client_b = $1)`,
		} {
			arg := map[string]int64{"attention": w.attention, "invitation": w.invitation, "circle": w.sibling.ID}[what]
			if n := sqldbtest.MustCount(t, db, q, w.b.ID, arg); n != 1 {
				t.Errorf("after the undo, B lacks its %s", what)
			}
			if n := sqldbtest.MustCount(t, db, q, w.a.ID, arg); n != 0 {
				t.Errorf("after the undo, A still has B's %s", what)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM client_areas WHERE client_id = $1`, w.a.ID); n != 1 {
			t.Errorf("A has %d areas after the undo, want its own one", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND kind <> $2`,
			w.b.ID, patchwork.ActivityMergeUndone); n != activityOnB {
			t.Errorf("B's activity after the undo = %d rows, want its %d", n, activityOnB)
		}
		if _, err := clients.FindMergedClient(sqldbtest.As(w.onB), w.b.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("B still leads to A after the undo: %v", err)
		}
		if _, err := clients.FindClientProfile(sqldbtest.As(w.onB), w.b.ID); err != nil {
			t.Errorf("B's member cannot open B after the undo: %v", err)
		}
		if err := svc.UndoMerge(ctx, m.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Errorf("undoing twice: %v, want ECONFLICT", err)
		}
	})
}

// TestMergeReachAndWindow: another district's admin and an agent meet a
// merge as a missing client and change nothing; the same client twice or
// no client is a message by the field; an undo after 30 days is refused.
func TestMergeReachAndWindow(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock := sqldbtest.NewClock(db)
		w := newMergeWorld(t, db)
		south := w.MustElsewhere(t)
		southAdmin := w.MustAreaAdmin(t, "Sol Southadmin", south.Agency, south.District)
		sys := w.MustSystemAdmin(t, "Sid System", w.Council)
		svc := sqldb.NewMergeService(db)
		for who, ctx := range map[string]*patchwork.Agent{"other district's admin": southAdmin, "agent": w.onA} {
			for _, pair := range [][2]int64{{w.a.ID, w.b.ID}, {w.a.ID, 999999}} {
				if _, err := svc.MergeClients(sqldbtest.As(ctx), pair[0], pair[1]); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
					t.Errorf("%s merging %v: %v, want ENOTFOUND", who, pair, err)
				}
				if _, _, err := svc.FindClientsToMerge(sqldbtest.As(ctx), pair[0], pair[1]); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
					t.Errorf("%s viewing %v: %v, want ENOTFOUND", who, pair, err)
				}
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM client_merges`); n != 0 {
			t.Fatal("a refused merge was written")
		}
		if _, err := svc.MergeClients(sqldbtest.As(sys), w.a.ID, w.a.ID); patchwork.ErrorFields(err)["merge_id"] == "" {
			t.Errorf("merging a client with itself: %v, want a message for merge_id", err)
		}
		if _, err := svc.MergeClients(sqldbtest.System(), w.a.ID, w.b.ID); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Errorf("a merge by the system caller: %v, want EUNAUTHORIZED", err)
		}
		m, err := svc.MergeClients(sqldbtest.As(sys), w.a.ID, w.b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.UndoMerge(sqldbtest.As(southAdmin), m.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("another district's admin undoing: %v, want ENOTFOUND", err)
		}
		clock.Add(patchwork.MergeUndoWindow + time.Minute)
		list, _, err := svc.FindMerges(sqldbtest.As(sys), 1)
		if err != nil || len(list) != 1 || list[0].CanUndo {
			t.Fatalf("merges after 30 days: %+v, %v; want one that can no longer be undone", list, err)
		}
		if err := svc.UndoMerge(sqldbtest.As(sys), m.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Errorf("an undo after 30 days: %v, want ECONFLICT", err)
		}
	})
}

// TestDuplicatesQueue: a scan finds the likely pair with its reasons, once;
// a dismissed pair stays dismissed; another district's admin sees none of
// it.
func TestDuplicatesQueue(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newMergeWorld(t, db)
		south := w.MustElsewhere(t)
		southAdmin := w.MustAreaAdmin(t, "Sol Southadmin", south.Agency, south.District)
		admin := w.MustAreaAdmin(t, "Nadia Northadmin", w.Council, w.District)
		svc := sqldb.NewMergeService(db)
		ctx := sqldbtest.As(admin)
		n, err := svc.ScanDuplicates(ctx)
		if err != nil || n != 1 {
			t.Fatalf("scan added %d pairs, %v; want the one pair", n, err)
		}
		if n, err := svc.ScanDuplicates(ctx); err != nil || n != 0 {
			t.Fatalf("a second scan added %d, %v; want none", n, err)
		}
		pairs, total, err := svc.FindDuplicatePairs(ctx, 1)
		if err != nil || total != 1 || len(pairs) != 1 {
			t.Fatalf("queue: %d pairs (total %d), %v", len(pairs), total, err)
		}
		p := pairs[0]
		if p.A.ID != w.a.ID || p.B.ID != w.b.ID || len(p.Reasons) == 0 {
			t.Fatalf("pair %d–%d with reasons %v; want A and B with reasons", p.A.ID, p.B.ID, p.Reasons)
		}
		if _, total, err := svc.FindDuplicatePairs(sqldbtest.As(southAdmin), 1); err != nil || total != 0 {
			t.Errorf("another district's admin sees %d pairs, %v", total, err)
		}
		if err := svc.DismissDuplicatePair(sqldbtest.As(southAdmin), p.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("another district's admin dismissing: %v, want ENOTFOUND", err)
		}
		if err := svc.DismissDuplicatePair(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.ScanDuplicates(ctx); err != nil || n != 0 {
			t.Errorf("a scan after the dismissal added %d, %v; want none", n, err)
		}
		if _, total, _ := svc.FindDuplicatePairs(ctx, 1); total != 0 {
			t.Errorf("the dismissed pair is still queued")
		}
	})
}
