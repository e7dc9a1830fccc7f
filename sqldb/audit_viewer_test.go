package sqldb_test

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

var shownList = regexp.MustCompile(`shown=([0-9,]*)`)

// concerning reads every audit row and returns, in id order, the ids of
// those about client id: its own rows and the searches whose detail lists
// it as shown. It parses the detail itself, apart from the store's code.
func concerning(t *testing.T, db *sqldb.DB, id int64) []int64 {
	t.Helper()
	_, wr := db.SQL()
	rows, err := wr.Query(`SELECT id, COALESCE(client_id, 0), detail FROM audit_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var row, client int64
		var detail string
		if err := rows.Scan(&row, &client, &detail); err != nil {
			t.Fatal(err)
		}
		shown := false
		if m := shownList.FindStringSubmatch(detail); m != nil {
			shown = slices.Contains(strings.Split(m[1], ","), strconv.FormatInt(id, 10))
		}
		if client == id || shown {
			out = append(out, row)
		}
	}
	return out
}

// TestAccessReportListsExactlyTheClientsRows: a subject-access report
// lists every audit row about the client — views, joins, leaves,
// attentions, the searches and duplicate checks that showed them, admin
// reads, itself — and no other, even when the index of shown clients is
// tampered with; and it holds what Patchwork keeps about the person.
func TestAccessReportListsExactlyTheClientsRows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mina Member", w.Council, w.LocalA)
		other := w.MustAgent(t, "Otto Other", w.Council, w.LocalA)
		admin := mustAdminAgent(t, w)
		target := w.MustCreateClient(t, member, &patchwork.Client{FirstName: "Tamsin", LastName: "Reportwell", DateOfBirth: "02/03/2012",
			Address: "4 Report Row", Phone: "01234 555666"})
		bystander := w.MustClient(t, member, "Barnaby", "Elsewhere", "05/06/2011")
		clients := sqldb.NewClientService(db)
		search := sqldb.NewSearchService(db)
		if _, err := clients.FindClientProfile(sqldbtest.As(member), target.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := clients.FindClientProfile(sqldbtest.As(member), bystander.ID); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"Tamsin Reportwell", "Barnaby Elsewhere"} {
			res, err := search.Search(sqldbtest.As(other), patchwork.SearchQuery{Text: q, Scope: patchwork.ScopeNetwork})
			if err != nil || len(res.Clients) != 1 {
				t.Fatalf("search %q: %+v, %v", q, res, err)
			}
		}
		if _, err := clients.FindPossibleDuplicates(sqldbtest.As(other), &patchwork.Client{FirstName: "Tamsin", LastName: "Reportwell",
			DateOfBirth: "02/03/2012"}); err != nil {
			t.Fatal(err)
		}
		w.MustJoin(t, other, target)
		if _, err := sqldb.NewAttentionService(db).RaiseAttention(sqldbtest.As(other), target.ID,
			patchwork.AttentionInput{Category: patchwork.AttentionCategories[0].Value, Message: "School moved"}); err != nil {
			t.Fatal(err)
		}
		if err := clients.LeaveTeam(sqldbtest.As(other), target.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		viewer := sqldb.NewAuditViewerService(db)
		if _, _, err := viewer.FindAudit(sqldbtest.As(admin), patchwork.AuditFilter{ClientID: target.ID}); err != nil {
			t.Fatal(err)
		}
		// A forged index entry: a search that did not show the client.
		var otherSearch int64
		if err := db.QueryRowForTest(`SELECT MAX(id) FROM audit_events WHERE action = $1 AND detail LIKE $2`,
			patchwork.AuditClientSearch, "%shown="+strconv.FormatInt(bystander.ID, 10)).Scan(&otherSearch); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecForTest(`INSERT INTO audit_shown (client_id, audit_id) VALUES ($1, $2)`, target.ID, otherSearch); err != nil {
			t.Fatal(err)
		}

		r, err := viewer.AccessReport(sqldbtest.As(admin), target.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		actions := map[string]int{}
		for _, e := range r.Events {
			got = append(got, e.ID)
			actions[e.Action]++
		}
		want := concerning(t, db, target.ID)
		if !slices.Equal(got, want) {
			t.Fatalf("report rows %v, want %v", got, want)
		}
		for action, n := range map[string]int{patchwork.AuditClientCreate: 1, patchwork.AuditClientView: 1, patchwork.AuditClientSearch: 2,
			patchwork.AuditTeamJoin: 1, patchwork.AuditAttentionRaise: 1, patchwork.AuditTeamLeave: 1, patchwork.AuditLogView: 1,
			patchwork.AuditAccessReport: 1} {
			if actions[action] != n {
				t.Errorf("%s: %d rows in the report, want %d (%v)", action, actions[action], n, actions)
			}
		}
		if slices.Contains(got, otherSearch) {
			t.Error("the report lists a search that did not show the client")
		}
		if r.Client.LastName != "Reportwell" || r.Client.Address != "4 Report Row" {
			t.Errorf("report's client: %+v", r.Client)
		}
		if len(r.Memberships) != 2 || r.Memberships[1].AgentName != "Otto Other" || r.Memberships[1].Basis != patchwork.BasisConsent ||
			r.Memberships[1].LeftAt.IsZero() || r.Memberships[1].LeaveReason != "case_closed" {
			t.Errorf("report's memberships: %+v", r.Memberships)
		}
		if len(r.Attentions) != 1 || r.Attentions[0].Message != "School moved" || r.Attentions[0].RaisedBy != "Otto Other" {
			t.Errorf("report's attentions: %+v", r.Attentions)
		}
		if _, err := viewer.AccessReport(sqldbtest.As(admin), target.ID+1000); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("report of a missing client: %v", err)
		}
		if _, err := viewer.AccessReport(sqldbtest.As(member), target.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("report for a member: %v", err)
		}
	})
}

// TestFindAuditFilters: each filter of the audit viewer selects exactly
// its rows, newest first, and pages follow on without gaps or repeats.
func TestFindAuditFilters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mina Member", w.Council, w.LocalA)
		health := w.MustAgent(t, "Hal Health", w.Sensitive, w.LocalA)
		admin := mustAdminAgent(t, w)
		day1 := clock.Now()
		a := w.MustClient(t, member, "Ava", "Filterby", "01/01/2012")
		clock.Add(48 * time.Hour)
		day3 := clock.Now()
		b := w.MustClient(t, health, "Bea", "Filterby", "01/01/2013")
		viewer := sqldb.NewAuditViewerService(db)
		find := func(f patchwork.AuditFilter) []*patchwork.AuditEntry {
			t.Helper()
			got, _, err := viewer.FindAudit(sqldbtest.As(admin), f)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		only := func(name string, got []*patchwork.AuditEntry, ok func(*patchwork.AuditEntry) bool, atLeast int) {
			t.Helper()
			if len(got) < atLeast {
				t.Fatalf("%s: %d rows, want at least %d", name, len(got), atLeast)
			}
			for i, e := range got {
				if !ok(e) {
					t.Errorf("%s: row %+v does not belong", name, e)
				}
				if i > 0 && got[i-1].ID <= e.ID {
					t.Errorf("%s: not newest first", name)
				}
			}
		}
		only("actor", find(patchwork.AuditFilter{ActorID: health.ID}), func(e *patchwork.AuditEntry) bool { return e.ActorID == health.ID }, 1)
		only("action", find(patchwork.AuditFilter{Action: patchwork.AuditClientCreate}),
			func(e *patchwork.AuditEntry) bool { return e.Action == patchwork.AuditClientCreate }, 2)
		only("client", find(patchwork.AuditFilter{ClientID: a.ID}), func(e *patchwork.AuditEntry) bool { return e.ClientID == a.ID }, 1)
		only("agency", find(patchwork.AuditFilter{AgencyID: w.Sensitive.ID}), func(e *patchwork.AuditEntry) bool { return e.ActorID == health.ID }, 1)
		dayOnly := func(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC) }
		only("day 3", find(patchwork.AuditFilter{From: dayOnly(day3), To: dayOnly(day3)}),
			func(e *patchwork.AuditEntry) bool { return !e.At.Before(dayOnly(day3)) }, 2)
		only("day 1", find(patchwork.AuditFilter{From: dayOnly(day1), To: dayOnly(day1), Action: patchwork.AuditClientCreate}),
			func(e *patchwork.AuditEntry) bool { return e.ClientID == a.ID }, 1)
		if got := find(patchwork.AuditFilter{ClientID: b.ID, ActorID: member.ID}); len(got) != 0 {
			t.Errorf("two filters together: %+v", got)
		}
		// Paging: two at a time gives what one long page gives.
		all := find(patchwork.AuditFilter{Limit: 1000})
		var paged []int64
		f := patchwork.AuditFilter{Limit: 2}
		for {
			got, more, err := viewer.FindAudit(sqldbtest.As(admin), f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range got {
				paged = append(paged, e.ID)
			}
			if !more {
				break
			}
			f.Before = got[len(got)-1].ID
		}
		var want []int64
		for _, e := range all {
			want = append(want, e.ID)
		}
		// The first page's own audit row came after the long page.
		if len(paged) != len(want)+1 || !slices.Equal(paged[1:], want) {
			t.Errorf("paged %v, want %v after the newest", paged, want)
		}
		var exported int
		if err := viewer.ExportAudit(sqldbtest.As(admin), patchwork.AuditFilter{Action: patchwork.AuditClientCreate},
			func(*patchwork.AuditEntry) error { exported++; return nil }); err != nil || exported != 2 {
			t.Errorf("export: %d rows, %v", exported, err)
		}
		if _, _, err := viewer.FindAudit(sqldbtest.As(member), patchwork.AuditFilter{}); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("FindAudit for an agent: %v", err)
		}
		_ = context.Background()
	})
}

// BenchmarkAccessReport measures the access report of a client with
// 10,000 audit rows among 10,000 rows about other clients
// (docs/performance.md).
func BenchmarkAccessReport(b *testing.B) {
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			db := sqldbtest.MustOpen(b, d)
			w := sqldbtest.MustWorld(b, db)
			member := w.MustAgent(b, "Mina Member", w.Council, w.LocalA)
			admin := &patchwork.Agent{Email: "dpo@ashford.test", Name: "Dora Protection", AgencyID: w.Council.ID, Admin: true}
			if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
				b.Fatal(err)
			}
			cl := w.MustClient(b, member, "Bench", "Reported", "01/02/2003")
			other := w.MustClient(b, member, "Bench", "Otherwise", "01/02/2004")
			ctx := sqldbtest.As(member)
			var wg sync.WaitGroup
			for g := 0; g < 16; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					for i := g; i < 20000; i += 16 {
						id := cl.ID
						if i%2 == 1 {
							id = other.ID
						}
						if err := db.AuditRead(ctx, patchwork.AuditClientView, id, ""); err != nil {
							b.Error(err)
							return
						}
					}
				}(g)
			}
			wg.Wait()
			viewer := sqldb.NewAuditViewerService(db)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := viewer.AccessReport(sqldbtest.As(admin), cl.ID)
				if err != nil || len(r.Events) < 10000 {
					b.Fatalf("%v, %d events", err, len(r.Events))
				}
			}
		})
	}
}
