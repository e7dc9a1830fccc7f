package sqldb_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

var _ patchwork.AreaAdminService = (*sqldb.AreaService)(nil)

// areaIDsOf returns the ids of the areas linked to owner in table, in
// order (the test worlds have a handful of areas).
func areaIDsOf(t *testing.T, db *sqldb.DB, table, col string, owner int64) []int64 {
	t.Helper()
	var out []int64
	last := sqldbtest.MustCount(t, db, `SELECT MAX(id) FROM areas`)
	for id := 1; id <= last; id++ {
		if sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM `+table+` WHERE `+col+` = $1 AND area_id = $2`, owner, id) > 0 {
			out = append(out, int64(id))
		}
	}
	return out
}

func wantField(t *testing.T, what string, err error, field, contains string) {
	t.Helper()
	fields := patchwork.ErrorFields(err)
	if fields == nil || !strings.Contains(fields[field], contains) {
		t.Errorf("%s: %v (%v), want %s: …%s…", what, err, fields, field, contains)
	}
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
		t.Errorf("%s: %v, want ENOTFOUND", what, err)
	}
}

// TestAreaHierarchyEdits: a system admin adds, renames and moves areas,
// and everything that would break the hierarchy is refused with a message
// for its field and changes nothing; an area admin adds and renames local
// areas of their own districts only, and meets every other area as
// missing. Every change is audited, and a rename re-indexes the phone
// book, which finds agents and agencies by their areas' names.
func TestAreaHierarchyEdits(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		south := w.MustElsewhere(t)
		areas := sqldb.NewAreaService(db)
		sys := sqldbtest.As(w.MustSystemAdmin(t, "Sid System", w.Council))
		north := sqldbtest.As(w.MustAreaAdmin(t, "Nadia North", w.Council, w.District))
		member := w.MustAgent(t, "Ash Ford", w.Council, w.LocalA)
		audits := func() int {
			return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action LIKE 'admin.area%'`)
		}
		snapshot := func() string {
			list, err := areas.FindAreas(sys)
			must(t, err)
			var b strings.Builder
			for _, a := range list {
				b.WriteString(a.Name + "/" + a.Kind + "/" + strconv.FormatInt(a.ParentID, 10) + ";")
			}
			return b.String()
		}

		// Refused, with the field and a reason, and nothing changed.
		before, auditsBefore := snapshot(), audits()
		for _, tc := range []struct {
			name, field, reason string
			run                 func() error
		}{
			{"an empty name", "name", "Enter the local area's name", func() error {
				return areas.CreateArea(sys, &patchwork.Area{Kind: patchwork.AreaLocal, Name: "  ", ParentID: w.District.ID})
			}},
			{"a local area's name again, in another case and spacing", "name", `already a local area called "Ashford"`, func() error {
				return areas.CreateArea(sys, &patchwork.Area{Kind: patchwork.AreaLocal, Name: " ASHFORD ", ParentID: south.District.ID})
			}},
			{"a district's name again in its network", "name", `already a district called "North district" in this network`, func() error {
				return areas.CreateArea(sys, &patchwork.Area{Kind: patchwork.AreaDistrict, Name: "north District", ParentID: w.Network.ID})
			}},
			{"a too long name", "name", "100 characters or fewer", func() error {
				return areas.UpdateArea(sys, w.LocalA.ID, patchwork.AreaUpdate{Name: strings.Repeat("a", 101)})
			}},
			{"a local area under a network", "parent_id", "Choose the district this local area belongs to", func() error {
				return areas.CreateArea(sys, &patchwork.Area{Kind: patchwork.AreaLocal, Name: "Nowhere", ParentID: w.Network.ID})
			}},
			{"a local area moved under a local area", "parent_id", "Choose the district", func() error {
				return areas.UpdateArea(sys, w.LocalA.ID, patchwork.AreaUpdate{Name: "Ashford", ParentID: w.LocalB.ID})
			}},
			{"a district moved under a district", "parent_id", "Choose the network", func() error {
				return areas.UpdateArea(sys, w.District.ID, patchwork.AreaUpdate{Name: "North district", ParentID: south.District.ID})
			}},
			{"a move to no area", "parent_id", "Choose the district", func() error {
				return areas.UpdateArea(sys, w.LocalA.ID, patchwork.AreaUpdate{Name: "Ashford", ParentID: 999999})
			}},
			{"a rename to another local area's name", "name", `"Bexley"`, func() error {
				return areas.UpdateArea(sys, w.LocalA.ID, patchwork.AreaUpdate{Name: "bexley"})
			}},
			{"an area admin moving a local area out of their districts", "parent_id", "Choose the district", func() error {
				return areas.UpdateArea(north, w.LocalA.ID, patchwork.AreaUpdate{Name: "Ashford", ParentID: south.District.ID})
			}},
			{"an area admin renaming their district", "name", "Only a system administrator", func() error {
				return areas.UpdateArea(north, w.District.ID, patchwork.AreaUpdate{Name: "Northern district"})
			}},
		} {
			wantField(t, tc.name, tc.run(), tc.field, tc.reason)
		}
		// Outside an area admin's districts, areas do not exist.
		for name, run := range map[string]func() error{
			"add a local area to another district": func() error {
				return areas.CreateArea(north, &patchwork.Area{Kind: patchwork.AreaLocal, Name: "Nowhere", ParentID: south.District.ID})
			},
			"add a district": func() error {
				return areas.CreateArea(north, &patchwork.Area{Kind: patchwork.AreaDistrict, Name: "East", ParentID: w.Network.ID})
			},
			"rename another district's local area": func() error {
				return areas.UpdateArea(north, south.Local.ID, patchwork.AreaUpdate{Name: "Elsewhere"})
			},
			"rename the network": func() error {
				return areas.UpdateArea(north, w.Network.ID, patchwork.AreaUpdate{Name: "Elsewhere"})
			},
			"open another district": func() error { _, err := areas.FindAdminArea(north, south.District.ID); return err },
			"open a missing area":   func() error { _, err := areas.FindAdminArea(north, 999999); return err },
			"an agent":              func() error { _, err := areas.FindAdminAreas(sqldbtest.As(member)); return err },
		} {
			wantNotFound(t, name, run())
		}
		if after := snapshot(); after != before || audits() != auditsBefore {
			t.Fatalf("refused edits changed the areas or wrote audit rows:\n%s\n%s", before, after)
		}

		// An area admin's view holds their districts and nothing else.
		mine, err := areas.FindAdminAreas(north)
		must(t, err)
		var names []string
		for _, a := range mine {
			names = append(names, a.Name)
		}
		if want := []string{"North district", "Ashford", "Bexley"}; !slices.Equal(names, want) {
			t.Errorf("area admin's areas %v, want %v", names, want)
		}

		// What each may do.
		dover := &patchwork.Area{Kind: patchwork.AreaLocal, Name: " Dover  Town ", ParentID: w.District.ID}
		must(t, areas.CreateArea(north, dover))
		if dover.Name != "Dover Town" {
			t.Errorf("name stored as %q", dover.Name)
		}
		east := &patchwork.Area{Kind: patchwork.AreaDistrict, Name: "North district", ParentID: 0}
		wantField(t, "a district without a network", areas.CreateArea(sys, east), "parent_id", "Choose the network")
		other := &patchwork.Area{Kind: patchwork.AreaNetwork, Name: "Other network"}
		must(t, areas.CreateArea(sys, other))
		east.ParentID = other.ID // a district's name is its network's to keep apart
		must(t, areas.CreateArea(sys, east))
		must(t, areas.UpdateArea(sys, dover.ID, patchwork.AreaUpdate{Name: "Dover", ParentID: south.District.ID}))
		got, err := areas.FindAdminArea(sys, dover.ID)
		must(t, err)
		if got.Area.Name != "Dover" || got.Parent == nil || got.Parent.ID != south.District.ID {
			t.Errorf("after the move: %+v under %+v", got.Area, got.Parent)
		}
		wantNotFound(t, "the area admin, once it left their district", func() error { _, err := areas.FindAdminArea(north, dover.ID); return err }())
		wantField(t, "a district moving into a network that has its name", areas.UpdateArea(sys, east.ID,
			patchwork.AreaUpdate{Name: "North district", ParentID: w.Network.ID}), "name", "already a district")

		// A rename re-indexes the phone book.
		svc := sqldb.NewSearchService(db)
		if res := search(t, svc, member, "Ashford", ""); len(res.Agents) == 0 {
			t.Fatal("the phone book does not find Ashford's agents before the rename")
		}
		must(t, areas.UpdateArea(north, w.LocalA.ID, patchwork.AreaUpdate{Name: "Kennington"}))
		res := search(t, svc, member, "Kennington", "")
		if !slices.ContainsFunc(res.Agents, func(a *patchwork.Agent) bool { return a.ID == member.ID }) ||
			!slices.ContainsFunc(res.Agencies, func(g *patchwork.Agency) bool { return g.ID == w.Council.ID }) {
			t.Errorf("after the rename, Kennington finds agents %d, agencies %d", len(res.Agents), len(res.Agencies))
		}
		page, err := areas.FindAdminArea(north, w.LocalA.ID)
		must(t, err)
		if page.Agents != 1 || len(page.Agencies) != 1 || page.Parent.ID != w.District.ID {
			t.Errorf("Kennington's page: %d agents, %d agencies", page.Agents, len(page.Agencies))
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditAreaUpdate); n != 2 {
			t.Errorf("%d area update audit rows, want 2 (Dover's move and rename in one, Ashford's rename; the refused ones none)", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditAreaCreate); n < 3 {
			t.Errorf("%d area create audit rows", n)
		}
		// Saving what is there already changes nothing and writes nothing.
		n := audits()
		must(t, areas.UpdateArea(sys, w.LocalB.ID, patchwork.AreaUpdate{Name: "Bexley", ParentID: w.District.ID}))
		if audits() != n {
			t.Error("an unchanged save wrote an audit row")
		}
	})
}

// TestMoveClientSearchFollows: a client moved to another district's local
// area is found there at once by local-first search, and no longer in
// the old district's local and district scopes; the areas its team gave
// its members move with it, while the areas they chose stay. An area
// admin can move a client only within their districts.
func TestMoveClientSearchFollows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		south := w.MustElsewhere(t)
		areas, svc := sqldb.NewAreaService(db), sqldb.NewSearchService(db)
		sys := sqldbtest.As(w.MustSystemAdmin(t, "Sid System", w.Council))
		northAdmin := sqldbtest.As(w.MustAreaAdmin(t, "Nadia North", w.Council, w.District))
		southAdmin := sqldbtest.As(w.MustAreaAdmin(t, "Sol South", south.Agency, south.District))
		creator := w.MustAgent(t, "Cal Creator", w.Council, w.LocalA)
		joiner := w.MustAgent(t, "Jo Joiner", w.Council, w.LocalB)
		southern := w.MustAgent(t, "Sue Southern", south.Agency, south.Local)
		cl := w.MustClient(t, creator, "Morwenna", "Trelawney", "2011-02-03")
		w.MustJoin(t, joiner, cl) // gives Jo Ashford, from this team
		found := func(a *patchwork.Agent, scope string) bool {
			t.Helper()
			for _, m := range search(t, svc, a, "Morwenna Trelawney", scope).Clients {
				if m.ID == cl.ID {
					return true
				}
			}
			return false
		}
		if found(southern, patchwork.ScopeLocal) || found(southern, patchwork.ScopeDistrict) || !found(southern, patchwork.ScopeNetwork) {
			t.Fatal("before the move, the southern agent should find the client only across the network")
		}
		if !found(joiner, patchwork.ScopeLocal) {
			t.Fatal("the joiner's team area should make the client local to them")
		}

		wantField(t, "north admin moving south", areas.MoveClient(northAdmin, cl.ID, south.Local.ID), "area_id", "Choose the local area")
		wantNotFound(t, "south admin moving a northern client", areas.MoveClient(southAdmin, cl.ID, south.Local.ID))
		_, err := areas.FindClientToMove(southAdmin, cl.ID)
		wantNotFound(t, "south admin looking at a northern client", err)
		wantField(t, "a district is no local area", areas.MoveClient(sys, cl.ID, south.District.ID), "area_id", "Choose the local area")
		wantNotFound(t, "a missing client", areas.MoveClient(sys, 999999, south.Local.ID))
		if got := areaIDsOf(t, db, "client_areas", "client_id", cl.ID); !slices.Equal(got, []int64{w.LocalA.ID}) {
			t.Fatalf("refused moves changed the client's areas: %v", got)
		}

		c, err := areas.FindClientToMove(sys, cl.ID)
		must(t, err)
		if c.Name != "Morwenna Trelawney" || len(c.Areas) != 1 || c.Areas[0].ID != w.LocalA.ID {
			t.Errorf("client to move: %+v", c)
		}
		must(t, areas.MoveClient(sys, cl.ID, south.Local.ID))
		if got := areaIDsOf(t, db, "client_areas", "client_id", cl.ID); !slices.Equal(got, []int64{south.Local.ID}) {
			t.Fatalf("client's areas after the move: %v", got)
		}
		if !found(southern, patchwork.ScopeLocal) {
			t.Error("after the move, the southern agent's local search does not find the client")
		}
		outsider := w.MustAgent(t, "Ola Outsider", w.Council, w.LocalB)
		if found(outsider, patchwork.ScopeDistrict) || !found(outsider, patchwork.ScopeNetwork) {
			t.Error("after the move, the old district still finds the client in its district scope")
		}
		// Jo's Ashford came from this team: it follows the client to
		// Croydon. Cal chose Ashford: it stays, and Croydon is added to it
		// as the team's, as for any member.
		if got := areaIDsOf(t, db, "agent_areas", "agent_id", joiner.ID); !slices.Equal(got, sortedIDs(w.LocalB.ID, south.Local.ID)) {
			t.Errorf("joiner's areas %v, want Bexley (chosen) and Croydon (from the team)", got)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agent_areas WHERE agent_id = $1 AND area_id = $2 AND from_client_id = $3`,
			joiner.ID, south.Local.ID, cl.ID); n != 1 {
			t.Error("the joiner's Croydon is not marked as from the client's team")
		}
		if got := areaIDsOf(t, db, "agent_areas", "agent_id", creator.ID); !slices.Equal(got, sortedIDs(w.LocalA.ID, south.Local.ID)) {
			t.Errorf("creator's areas %v, want Ashford and Croydon", got)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agent_areas WHERE agent_id = $1 AND area_id = $2 AND from_client_id IS NULL`,
			creator.ID, w.LocalA.ID); n != 1 {
			t.Error("the creator's chosen Ashford lost its origin")
		}
		if !found(joiner, patchwork.ScopeLocal) {
			t.Error("the joiner's local search lost the client")
		}
		if res := search(t, svc, southern, "Croydon", ""); !slices.ContainsFunc(res.Agents, func(a *patchwork.Agent) bool { return a.ID == joiner.ID }) {
			t.Error("the phone book does not find the joiner by their new area")
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND client_id = $2`,
			patchwork.AuditClientAreaMove, cl.ID); n != 1 {
			t.Errorf("%d move audit rows, want 1", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND client_id = $2`,
			patchwork.AuditClientAreaView, cl.ID); n != 1 {
			t.Errorf("%d view audit rows, want 1", n)
		}
		// Now the client is the south admin's, and no longer the north's.
		wantNotFound(t, "north admin after the move", areas.MoveClient(northAdmin, cl.ID, w.LocalA.ID))
		must(t, areas.MoveClient(southAdmin, cl.ID, south.Local.ID)) // already there: nothing to do
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditClientAreaMove); n != 1 {
			t.Errorf("a move to where the client is wrote an audit row (%d)", n)
		}
	})
}

// TestSetAgentAreas: an admin moves an agent to other local areas; an
// area admin sets only the areas in their districts, the others staying
// as they were; the phone book follows; bad choices are refused for the
// field and change nothing.
func TestSetAgentAreas(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		south := w.MustElsewhere(t)
		areas, svc := sqldb.NewAreaService(db), sqldb.NewSearchService(db)
		sys := sqldbtest.As(w.MustSystemAdmin(t, "Sid System", w.Council))
		northAdmin := sqldbtest.As(w.MustAreaAdmin(t, "Nadia North", w.Council, w.District))
		southAdmin := sqldbtest.As(w.MustAreaAdmin(t, "Sol South", south.Agency, south.District))
		both := w.MustAgent(t, "Bo Both", w.Council, w.LocalA, south.Local)

		wantField(t, "no area", areas.SetAgentAreas(northAdmin, both.ID, nil), "areas", "at least one local area")
		wantField(t, "another district's area", areas.SetAgentAreas(northAdmin, both.ID, []int64{south.Local.ID}), "areas", "at least one")
		wantField(t, "a district", areas.SetAgentAreas(sys, both.ID, []int64{w.District.ID}), "areas", "at least one")
		wantNotFound(t, "an agent outside reach", areas.SetAgentAreas(northAdmin, w.MustAgent(t, "Sam Southern", south.Agency, south.Local).ID, []int64{w.LocalA.ID}))
		wantNotFound(t, "a missing agent", areas.SetAgentAreas(sys, 999999, []int64{w.LocalA.ID}))
		if got := areaIDsOf(t, db, "agent_areas", "agent_id", both.ID); !slices.Equal(got, sortedIDs(w.LocalA.ID, south.Local.ID)) {
			t.Fatalf("refused changes changed the agent's areas: %v", got)
		}

		// The north admin moves Bo from Ashford to Bexley; Croydon, outside
		// their reach, stays.
		must(t, areas.SetAgentAreas(northAdmin, both.ID, []int64{w.LocalB.ID}))
		if got := areaIDsOf(t, db, "agent_areas", "agent_id", both.ID); !slices.Equal(got, sortedIDs(w.LocalB.ID, south.Local.ID)) {
			t.Errorf("agent's areas %v, want Bexley and Croydon", got)
		}
		if res := search(t, svc, both, "Bexley", ""); !slices.ContainsFunc(res.Agents, func(a *patchwork.Agent) bool { return a.ID == both.ID }) {
			t.Error("the phone book does not find the agent in Bexley")
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM agent_words WHERE agent_id = $1 AND word IN ('bexley', 'croydon')`, both.ID); n != 2 {
			t.Errorf("the agent's phone-book words hold %d of their areas, want 2", n)
		}

		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditAgentAreas); n != 1 {
			t.Errorf("%d audit rows, want 1", n)
		}
		// Saving the areas an agent has changes nothing and writes nothing.
		must(t, areas.SetAgentAreas(southAdmin, both.ID, []int64{south.Local.ID}))
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditAgentAreas); n != 1 {
			t.Errorf("an unchanged save wrote an audit row (%d)", n)
		}
	})
}

func sortedIDs(ids ...int64) []int64 { return slices.Sorted(slices.Values(ids)) }
