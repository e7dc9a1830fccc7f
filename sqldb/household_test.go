package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestHouseholdKeyNormalises: one address written with any case, spacing
// and punctuation has one key; another house number or postcode another;
// no address, no key.
func TestHouseholdKeyNormalises(t *testing.T) {
	want := sqldb.HouseholdKey("12 Rose Street, Ashford", "AB1 2CD")
	for _, a := range [][2]string{
		{"12 rose street ashford", "ab12cd"},
		{"  12   ROSE STREET;; Ashford. ", " AB1  2CD "},
		{"12-Rose-Street/Ashford", "ab1 2cd"},
		{"12\tRose\nStreet,Ashford", "A.B.1 2-C-D"},
	} {
		if got := sqldb.HouseholdKey(a[0], a[1]); got != want {
			t.Errorf("HouseholdKey(%q, %q) = %q, want %q", a[0], a[1], got, want)
		}
	}
	for _, a := range [][2]string{{"14 Rose Street, Ashford", "AB1 2CD"}, {"12 Rose Street, Ashford", "AB1 2CE"}} {
		if got := sqldb.HouseholdKey(a[0], a[1]); got == want {
			t.Errorf("HouseholdKey(%q, %q) = %q, the key of another address", a[0], a[1], got)
		}
	}
	if got := sqldb.HouseholdKey(" ,. ", "AB1 2CD"); got != "" {
		t.Errorf("the key without an address is %q", got)
	}
	// Folding goes beyond ASCII, as the hints' comparison always did.
	if sqldb.HouseholdKey("3 ÉCOLE LANE", "") != sqldb.HouseholdKey("3 école lane", "") {
		t.Error("accented capitals are not folded")
	}
}

// householdWorld is an agent's clients at one address (spelt in different
// ways) and the key the database stores for each.
type householdWorld struct {
	*sqldbtest.World
	me, other *patchwork.Agent
	svc       *sqldb.CircleService
}

func newHouseholdWorld(t *testing.T, db *sqldb.DB) *householdWorld {
	w := &householdWorld{World: sqldbtest.MustWorld(t, db), svc: sqldb.NewCircleService(db)}
	w.me = w.MustAgent(t, "Meg Mine", w.Council, w.LocalA)
	w.other = w.MustAgent(t, "Otto Other", w.Council, w.LocalA)
	return w
}

func (w *householdWorld) add(t *testing.T, by *patchwork.Agent, first, addr, pc string) *patchwork.Client {
	t.Helper()
	return w.MustCreateClient(t, by, &patchwork.Client{FirstName: first, LastName: "Hall", DateOfBirth: "01/01/2010",
		Address: addr, Postcode: pc})
}

func (w *householdWorld) key(t *testing.T, id int64) string {
	t.Helper()
	var k string
	if err := w.DB.QueryRowForTest(`SELECT household_key FROM clients WHERE id = $1`, id).Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}

// hints returns the ids of client's household hints as the agent sees them.
func (w *householdWorld) hints(t *testing.T, as *patchwork.Agent, client int64) []int64 {
	t.Helper()
	c, err := w.svc.FindCircle(sqldbtest.As(as), client)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, h := range c.Hints {
		ids = append(ids, h.ID)
	}
	return ids
}

func (w *householdWorld) wantHints(t *testing.T, as *patchwork.Agent, client int64, want ...*patchwork.Client) {
	t.Helper()
	got := w.hints(t, as, client)
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i] == want[i].ID
	}
	if !ok {
		var ids []int64
		for _, c := range want {
			ids = append(ids, c.ID)
		}
		t.Fatalf("hints of %d for %s: %v, want %v", client, as.Name, got, ids)
	}
}

// TestHouseholdKeyFollowsTheAddress: every write of an address stores its
// key (whatever the spelling, the same one), an edit moves it, erasure
// clears it; a client at the address whose team the viewer is not on, has
// left, or that was merged away is never hinted, and a merge undone brings
// the hint back.
func TestHouseholdKeyFollowsTheAddress(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newHouseholdWorld(t, db)
		clients := sqldb.NewClientService(db)
		home := w.add(t, w.me, "Hope", "12 Rose Street, Ashford", "AB1 2CD")
		mover := w.add(t, w.me, "Mo", "3 Elm Road", "AB9 9ZZ")
		theirs := w.add(t, w.other, "Theo", "12 ROSE STREET ASHFORD", "ab12cd")
		key := w.key(t, home.ID)
		if key != sqldb.HouseholdKey(home.Address, home.Postcode) || w.key(t, theirs.ID) != key {
			t.Fatalf("stored keys %q and %q, want %q", key, w.key(t, theirs.ID), sqldb.HouseholdKey(home.Address, home.Postcode))
		}
		w.wantHints(t, w.me, home.ID)

		// An edit to the same address, spelt otherwise, moves the key there.
		upd := *mover
		upd.DateOfBirth, upd.Address, upd.Postcode = "01/01/2010", "12, rose   street - Ashford", "AB12 CD"
		if _, err := clients.UpdateClient(sqldbtest.As(w.me), mover.ID, &upd); err != nil {
			t.Fatal(err)
		}
		if got := w.key(t, mover.ID); got != key {
			t.Fatalf("key after the edit %q, want %q", got, key)
		}
		w.wantHints(t, w.me, home.ID, mover)
		w.wantHints(t, w.me, mover.ID, home)
		// The other agent is on neither of my clients' teams: nothing.
		w.wantHints(t, w.other, theirs.ID)

		// Once I join Theo's team, Theo is mine too; once I leave, not.
		w.MustJoin(t, w.me, theirs)
		w.wantHints(t, w.me, home.ID, mover, theirs)
		if err := clients.LeaveTeam(sqldbtest.As(w.me), theirs.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		w.wantHints(t, w.me, home.ID, mover)

		// Moving away takes the key along.
		upd.Address = "9 Oak Lane"
		if _, err := clients.UpdateClient(sqldbtest.As(w.me), mover.ID, &upd); err != nil {
			t.Fatal(err)
		}
		if got, want := w.key(t, mover.ID), sqldb.HouseholdKey("9 Oak Lane", "AB12 CD"); got != want {
			t.Fatalf("key after moving %q, want %q", got, want)
		}
		w.wantHints(t, w.me, home.ID)

		// A client merged into another is no one's client any more.
		twin := w.add(t, w.me, "Tam", "12 rose street, ASHFORD", "AB1 2CD")
		w.wantHints(t, w.me, home.ID, twin)
		admin := mustAdminAgent(t, w.World)
		merges := sqldb.NewMergeService(db)
		m, err := merges.MergeClients(sqldbtest.As(admin), mover.ID, twin.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.wantHints(t, w.me, home.ID)
		if err := merges.UndoMerge(sqldbtest.As(admin), m.ID); err != nil {
			t.Fatal(err)
		}
		w.wantHints(t, w.me, home.ID, twin)

		// Erasure clears the key.
		if err := sqldb.NewErasureService(db).EraseClient(sqldbtest.As(admin), twin.ID,
			patchwork.ErasureRequest{Reason: "The client asked to be removed", Confirm: true}); err != nil {
			t.Fatal(err)
		}
		if got := w.key(t, twin.ID); got != "" {
			t.Fatalf("an erased client's key is %q", got)
		}
		w.wantHints(t, w.me, home.ID)
	})
}

// TestHouseholdHintsLimited: an address many of the viewer's clients share
// offers householdHintLimit of them, in name order, skipping those already
// linked.
func TestHouseholdHintsLimited(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newHouseholdWorld(t, db)
		home := w.add(t, w.me, "Aaron", "1 Hostel Row", "AB1 1AA")
		var all []*patchwork.Client
		for i := range 22 {
			all = append(all, w.MustCreateClient(t, w.me, &patchwork.Client{FirstName: fmt.Sprintf("Resident%02d", i), LastName: "Hall",
				DateOfBirth: "01/01/2010", Address: "1 hostel row", Postcode: "ab11aa"}))
		}
		if err := w.svc.AddToCircle(sqldbtest.As(w.me), home.ID, patchwork.CircleRequest{RelatedClientID: all[0].ID,
			Relationship: patchwork.RelHousehold}); err != nil {
			t.Fatal(err)
		}
		w.wantHints(t, w.me, home.ID, all[1:21]...)
	})
}

// TestHouseholdKeyBackfill: an import keys its clients as a page does;
// the migration's step gives clients written before the column existed
// the key a write gives them now, and the hints are what they were.
func TestHouseholdKeyBackfill(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newHouseholdWorld(t, db)
		home := w.add(t, w.me, "Hope", "12 Rose Street, Ashford", "AB1 2CD")
		same := w.add(t, w.me, "Sam", "12 rose street ashford", "ab12cd")
		none := w.add(t, w.me, "Nia", "", "AB1 2CD")
		// An imported client is keyed as one created on a page.
		imported := &patchwork.Client{FirstName: "Ivy", LastName: "Hall", DateOfBirth: "2010-01-01",
			Address: "12 ROSE STREET,  ASHFORD", Postcode: "AB1 2CD", AreaIDs: []int64{w.LocalA.ID}}
		if _, _, err := db.ImportClients(sqldbtest.System(), []sqldb.ImportClient{{Row: 1, Key: "ivy", Client: imported,
			MemberIDs: []int64{w.me.ID}}}, nil); err != nil {
			t.Fatal(err)
		}
		if got := w.key(t, imported.ID); got != w.key(t, home.ID) {
			t.Fatalf("the imported client's key %q, want %q", got, w.key(t, home.ID))
		}
		w.wantHints(t, w.me, home.ID, imported, same)
		before := map[int64]string{}
		for _, c := range []*patchwork.Client{home, same, none, imported} {
			before[c.ID] = w.key(t, c.ID)
		}
		if _, err := db.ExecForTest(`UPDATE clients SET household_key = ''`); err != nil {
			t.Fatal(err)
		}
		w.wantHints(t, w.me, home.ID)
		if err := db.BackfillHouseholdKeysForTest(context.Background()); err != nil {
			t.Fatal(err)
		}
		for id, k := range before {
			if got := w.key(t, id); got != k {
				t.Errorf("client %d: backfilled key %q, written %q", id, got, k)
			}
		}
		w.wantHints(t, w.me, home.ID, imported, same)
	})
}

// TestHouseholdHintPlan: on a caseload of a thousand clients among five
// thousand, in households of two, with the planner's statistics taken, the
// hint query finds the client's household through clients_household and
// checks each client found against the viewer's membership by client, on
// both databases: it never reads the viewer's caseload nor scans clients.
func TestHouseholdHintPlan(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newHouseholdWorld(t, db)
		const n, first = 5000, 1000
		id := first
		if _, err := db.BulkInsert(ctx, "clients", []string{"id", "first_name", "last_name", "date_of_birth", "address", "postcode",
			"phone", "created_at", "updated_at", "household_key"}, func() ([]any, bool) {
			if id++; id > first+n {
				return nil, false
			}
			addr := fmt.Sprintf("%d Long Road", id/2)
			return []any{id, "Bulk", "Hall", "2010-01-01", addr, "AB1 2CD", "", 1, 1, sqldb.HouseholdKey(addr, "AB1 2CD")}, true
		}); err != nil {
			t.Fatal(err)
		}
		id = first
		if _, err := db.BulkInsert(ctx, "memberships", []string{"client_id", "agent_id", "joined_at", "how_joined"}, func() ([]any, bool) {
			if id++; id > first+n {
				return nil, false
			}
			agent := w.other.ID
			if id%5 == 0 {
				agent = w.me.ID
			}
			return []any{id, agent, 1, patchwork.JoinedDirectly}, true
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishBulk(ctx, "clients"); err != nil {
			t.Fatal(err)
		}
		plan, err := db.ExplainForTest(sqldb.HouseholdHintsSQL+" LIMIT 20", int64(first+10), w.me.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Memberships by client (memberships_current or memberships_client):
		// SQLite's "(client_id=? AND agent_id=?)", PostgreSQL's
		// "Index Cond: ((client_id = c.id) AND …)" or "(client_id = c.id)".
		if !strings.Contains(plan, "clients_household") ||
			!(strings.Contains(plan, "client_id=?") || strings.Contains(plan, "(client_id = c.id)")) {
			t.Errorf("the plan does not probe clients_household, then the memberships of each client found:\n%s", plan)
		}
		for _, line := range strings.Split(plan, "\n") {
			l := strings.TrimSpace(line)
			// SQLite's "SCAN c", PostgreSQL's "Seq Scan on clients c".
			if strings.Contains(l, "Seq Scan") || strings.HasPrefix(l, "SCAN ") || strings.Contains(l, "memberships_agent") {
				t.Errorf("the plan scans a table or the viewer's caseload:\n%s", plan)
			}
		}
	})
}

// BenchmarkHouseholdKeyBackfill times the migration's backfill of
// 100,000 clients, a tenth of a statewide database.
func BenchmarkHouseholdKeyBackfill(b *testing.B) {
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			ctx := context.Background()
			db := sqldbtest.MustOpen(b, d)
			const n = 100_000
			id := 0
			if _, err := db.BulkInsert(ctx, "clients", []string{"id", "first_name", "last_name", "date_of_birth", "address", "postcode",
				"phone", "created_at", "updated_at"}, func() ([]any, bool) {
				if id++; id > n {
					return nil, false
				}
				return []any{id, "Bulk", "Hall", "2010-01-01", fmt.Sprintf("%d Long Road, Ashford", id/2), "AB1 2CD", "", 1, 1}, true
			}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := db.BackfillHouseholdKeysForTest(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHouseholdKey is the key's cost a client, which the demo loader
// pays a million times.
func BenchmarkHouseholdKey(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sqldb.HouseholdKey("117 Springfield Crescent", "SW4 3KQ")
	}
}
