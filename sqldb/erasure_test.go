package sqldb_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// The erased client's identifiers, each distinctive enough that finding
// it anywhere can only mean a copy survived.
const (
	erasedFirst      = "Quennell"
	erasedLast       = "Vardamorrow"
	erasedAlias      = "Kit Brackenridge"
	erasedDOB        = "1987-03-14"
	erasedAddress    = "17 Larkspur Mews"
	erasedOldAddress = "23 Ormsby Crescent"
	erasedPostcode   = "TW9 4QX"
	erasedPhone      = "07700 918273"
	erasedAttention  = "Mother rang about the Larkspur flat"
	erasedNote       = "Moved to the Ormsby hostel"
)

// erasedNeedles is every form in which the client's data was stored: as
// typed, folded for the name indexes, and a surname's deletion key (the
// surname with its first letter dropped), which spells most of it.
var erasedNeedles = []string{erasedFirst, erasedLast, "Brackenridge", erasedDOB, "Larkspur", "Ormsby", "918273",
	erasedPostcode, "quennell", "vardamorrow", "brackenridge", "ardamorrow", "uennell"}

// mustAdminAgent creates an active admin.
func mustAdminAgent(t *testing.T, w *sqldbtest.World) *patchwork.Agent {
	t.Helper()
	a := &patchwork.Agent{Email: "dpo@ashford.test", Name: "Dora Protection", Role: "Data protection officer", AgencyID: w.Council.ID, Admin: true}
	if err := sqldb.NewAgentService(w.DB).CreateAgent(sqldbtest.System(), a, sqldbtest.Password); err != nil {
		t.Fatal(err)
	}
	return a
}

// mustErasableClient creates the client with every identifier set, edits
// its address (so an old value was freed once), has a second agent find
// and join it, raises, acknowledges and resolves an attention naming the
// client, and has the second agent leave with a note.
func mustErasableClient(t *testing.T, w *sqldbtest.World, member, other *patchwork.Agent) *patchwork.Client {
	t.Helper()
	ctx := context.Background()
	clients := sqldb.NewClientService(w.DB)
	cl := w.MustCreateClient(t, member, &patchwork.Client{FirstName: erasedFirst, LastName: erasedLast, DateOfBirth: "14/03/1987",
		Aliases: []string{erasedAlias}, Address: erasedOldAddress, Postcode: erasedPostcode, Phone: erasedPhone})
	upd := *cl
	upd.DateOfBirth, upd.Address = "14/03/1987", erasedAddress
	if _, err := clients.UpdateClient(sqldbtest.As(member), cl.ID, &upd); err != nil {
		t.Fatal(err)
	}
	res, err := sqldb.NewSearchService(w.DB).Search(sqldbtest.As(other), patchwork.SearchQuery{Text: erasedFirst + " " + erasedLast, Scope: patchwork.ScopeNetwork})
	if err != nil || len(res.Clients) != 1 {
		t.Fatalf("search before erasure: %+v, %v", res, err)
	}
	w.MustJoin(t, other, cl)
	att := sqldb.NewAttentionService(w.DB)
	a, err := att.RaiseAttention(sqldbtest.As(member), cl.ID, patchwork.AttentionInput{Category: patchwork.AttentionCategories[0].Value, Message: erasedAttention})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := att.AcknowledgeAttention(sqldbtest.As(other), a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := att.ResolveAttention(sqldbtest.As(member), a.ID, erasedNote); err != nil {
		t.Fatal(err)
	}
	if err := clients.LeaveTeam(sqldbtest.As(other), cl.ID, patchwork.LeaveRequest{Reason: "other", Note: erasedNote}); err != nil {
		t.Fatal(err)
	}
	w.MustJoin(t, other, cl) // back on the team, to be told of the erasure
	sibling := w.MustClient(t, member, "Sib", "Linked", "01/01/2010")
	if err := sqldb.NewCircleService(w.DB).AddToCircle(sqldbtest.As(member), cl.ID, patchwork.CircleRequest{RelatedClientID: sibling.ID,
		Relationship: patchwork.RelOther, Note: "Larkspur lodger"}); err != nil {
		t.Fatal(err)
	}
	if _, err := clients.FindClientProfile(sqldbtest.As(member), cl.ID); err != nil {
		t.Fatal(err)
	}
	_ = ctx
	return cl
}

// TestEraseClientLeavesNoTrace: after an admin erases a client, no page,
// search or email can show them, the team has ended and was told, the
// audit keeps the erasure and still verifies, and no copy of the client's
// identifiers is left anywhere: on SQLite in any byte of the database file
// or its write-ahead log once the server has stopped, on PostgreSQL in any
// text column of any table.
func TestEraseClientLeavesNoTrace(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mina Member", w.Council, w.LocalA)
		other := w.MustAgent(t, "Otto Other", w.Council, w.LocalA)
		admin := mustAdminAgent(t, w)
		cl := mustErasableClient(t, w, member, other)
		erasure := sqldb.NewErasureService(db)
		asAdmin := sqldbtest.As(admin)

		card, err := erasure.FindClientForErasure(asAdmin, cl.ID)
		if err != nil || card.Client.LastName != erasedLast || card.TeamSize != 2 {
			t.Fatalf("erasure card: %+v, %v", card, err)
		}
		// Bad requests change nothing.
		audits := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events`)
		for _, bad := range []struct {
			req   patchwork.ErasureRequest
			field string
		}{
			{patchwork.ErasureRequest{Confirm: true}, "reason"},
			{patchwork.ErasureRequest{Reason: "Vardamorrow asked to be removed", Confirm: true}, "reason"},
			{patchwork.ErasureRequest{Reason: "born 14/03/1987, asked", Confirm: true}, "reason"},
			{patchwork.ErasureRequest{Reason: "asked at " + erasedAddress, Confirm: true}, "reason"},
			{patchwork.ErasureRequest{Reason: "The client asked to be removed"}, "confirm"},
		} {
			err := erasure.EraseClient(asAdmin, cl.ID, bad.req)
			if patchwork.ErrorFields(err)[bad.field] == "" {
				t.Fatalf("erase with %+v: %v, want a message for %s", bad.req, err, bad.field)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events`); n != audits {
			t.Fatalf("refused erasures wrote %d audit rows", n-audits)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM clients WHERE last_name = $1`, erasedLast); n != 1 {
			t.Fatalf("a refused erasure changed the client")
		}

		start := time.Now()
		if err := erasure.EraseClient(asAdmin, cl.ID, patchwork.ErasureRequest{Reason: "The client asked to be removed", Confirm: true}); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("erasure took %v", d)
		}

		// Nobody can reach the client any more.
		if _, err := sqldb.NewClientService(db).FindClientProfile(sqldbtest.As(member), cl.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("a former member's view after erasure: %v", err)
		}
		for _, q := range []string{erasedFirst + " " + erasedLast, "Kit Brackenridge", erasedLast + " 14/03/1987"} {
			res, err := sqldb.NewSearchService(db).Search(sqldbtest.As(other), patchwork.SearchQuery{Text: q, Scope: patchwork.ScopeNetwork})
			if err != nil || len(res.Clients) != 0 {
				t.Errorf("search %q after erasure: %+v, %v", q, res, err)
			}
		}
		mine, err := sqldb.NewClientService(db).FindMyClients(sqldbtest.As(member))
		if err != nil || len(mine) != 1 || mine[0].ID == cl.ID {
			t.Errorf("dashboard after erasure: %+v, %v; want the linked client alone", mine, err)
		}
		if _, err := erasure.FindClientForErasure(asAdmin, cl.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("erasure page of an erased client: %v", err)
		}
		if err := erasure.EraseClient(asAdmin, cl.ID, patchwork.ErasureRequest{Reason: "again", Confirm: true}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("erasing twice: %v", err)
		}

		// The team ended and each member is told, by email, without data.
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND left_at IS NULL`, cl.ID); n != 0 {
			t.Errorf("%d memberships still current", n)
		}
		for _, a := range []*patchwork.Agent{member, other} {
			var job int64
			if err := db.QueryRowForTest(`SELECT n.job_id FROM notifications n JOIN activities t ON t.id = n.activity_id
				WHERE n.agent_id = $1 AND t.kind = $2`, a.ID, patchwork.ActivityClientRemoved).Scan(&job); err != nil {
				t.Fatalf("%s was not told of the erasure: %v", a.Name, err)
			}
			email, err := db.LoadNotificationEmail(ctx, job)
			if err != nil || len(email.Items) != 1 || email.Items[0].Kind != patchwork.ActivityClientRemoved {
				t.Fatalf("%s's email: %+v, %v", a.Name, email, err)
			}
		}

		// The audit keeps that it happened, by whom and why, and verifies.
		var actor int64
		var detail string
		if err := db.QueryRowForTest(`SELECT actor_id, detail FROM audit_events WHERE action = $1 AND client_id = $2`,
			patchwork.AuditClientErase, cl.ID).Scan(&actor, &detail); err != nil || actor != admin.ID || detail != "reason=The client asked to be removed" {
			t.Fatalf("erasure audit row: actor %d, %q, %v", actor, detail, err)
		}
		if n, err := sqldb.NewAuditService(db).VerifyAudit(sqldbtest.System()); err != nil {
			t.Fatalf("audit verify after erasure (%d rows): %v", n, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM circle_links`); n != 0 {
			t.Errorf("%d circle links left", n)
		}
		// The de-identified rows stay for the statistics.
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM client_areas WHERE client_id = $1`, cl.ID); n != 1 {
			t.Errorf("client's area rows: %d", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM attentions WHERE client_id = $1`, cl.ID); n != 1 {
			t.Errorf("attentions: %d", n)
		}

		if n := textColumnsHolding(t, db, erasedNeedles); n != "" {
			t.Errorf("after erasure, %s", n)
		}
		if db.Dialect.Name == "sqlite" {
			path := sqldbtest.DSN(t, db)
			// While running, the erasure already emptied the log; once the
			// server stops, nothing is in either file.
			scanFiles(t, "while running", path, path+"-wal")
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			scanFiles(t, "after stopping", path, path+"-wal")
		} else if err := db.VacuumAfterErasure(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// scanFiles fails t if any erased identifier is in any byte of the files
// (a missing file holds nothing).
func scanFiles(t *testing.T, when string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		for _, n := range erasedNeedles {
			if i := bytes.Index(bytes.ToLower(b), bytes.ToLower([]byte(n))); i >= 0 {
				t.Errorf("%s: %s holds %q at byte %d of %d", when, p, n, i, len(b))
			}
		}
	}
}

// textColumnsHolding searches every text column of every table for each
// needle, case-insensitively, and names the first place it is found.
func textColumnsHolding(t *testing.T, db *sqldb.DB, needles []string) string {
	t.Helper()
	type col struct{ table, name string }
	var cols []col
	if db.Dialect.Name == "postgres" {
		_, wr := db.SQL()
		rows, err := wr.Query(`SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'json', 'jsonb')`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c col
			if err := rows.Scan(&c.table, &c.name); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, c)
		}
		rows.Close()
	} else {
		tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
		for _, tb := range tables {
			for _, c := range queryStrings(t, db, `SELECT name FROM pragma_table_info('`+tb+`') WHERE type = 'TEXT' OR type = 'BLOB'`) {
				cols = append(cols, col{tb, c})
			}
		}
	}
	if len(cols) < 20 {
		t.Fatalf("found only %d text columns", len(cols))
	}
	for _, c := range cols {
		for _, n := range needles {
			q := fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE LOWER(CAST(%s AS TEXT)) LIKE $1`, c.table, c.name)
			if k := sqldbtest.MustCount(t, db, q, "%"+strings.ToLower(n)+"%"); k > 0 {
				return fmt.Sprintf("%s.%s holds %q in %d rows", c.table, c.name, n, k)
			}
		}
	}
	return ""
}

func queryStrings(t *testing.T, db *sqldb.DB, q string) []string {
	t.Helper()
	_, wr := db.SQL()
	rows, err := wr.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// BenchmarkEraseClient measures one erasure of a client with a team of
// five, an attention and a few hundred audit rows, among the other
// clients of earlier iterations (docs/performance.md).
func BenchmarkEraseClient(b *testing.B) {
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			db := sqldbtest.MustOpen(b, d)
			w := sqldbtest.MustWorld(b, db)
			var team []*patchwork.Agent
			for i := 0; i < 5; i++ {
				team = append(team, w.MustAgent(b, fmt.Sprintf("Bench Agent%c", 'a'+i), w.Council, w.LocalA))
			}
			admin := &patchwork.Agent{Email: "dpo@ashford.test", Name: "Dora Protection", AgencyID: w.Council.ID, Admin: true}
			if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
				b.Fatal(err)
			}
			erasure := sqldb.NewErasureService(db)
			clients := sqldb.NewClientService(db)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				cl := w.MustCreateClient(b, team[0], &patchwork.Client{FirstName: "Bench", LastName: fmt.Sprintf("Erasure%d", i),
					DateOfBirth: "01/02/2003", Aliases: []string{"Benny Other"}, Address: "1 Bench Road", Postcode: "AB1 2CD", Phone: "01234 567890"})
				for _, a := range team[1:] {
					w.MustJoin(b, a, cl)
				}
				if _, err := sqldb.NewAttentionService(db).RaiseAttention(sqldbtest.As(team[0]), cl.ID,
					patchwork.AttentionInput{Category: patchwork.AttentionCategories[0].Value, Message: "A message"}); err != nil {
					b.Fatal(err)
				}
				for j := 0; j < 300; j++ {
					if _, err := clients.FindClientProfile(sqldbtest.As(team[j%5]), cl.ID); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if err := erasure.EraseClient(sqldbtest.As(admin), cl.ID, patchwork.ErasureRequest{Reason: "asked", Confirm: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
