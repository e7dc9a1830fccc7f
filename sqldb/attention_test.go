package sqldb_test

import (
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestFindAttention: a member reads one attention with its client's name
// and who has seen it, and the view is audited; a non-member, a former
// member and a deactivated member get ENOTFOUND, exactly as for an
// attention that does not exist.
func TestFindAttention(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		raiser := w.MustAgent(t, "Rae Raiser", w.Council, w.LocalA)
		member := w.MustAgent(t, "Mina Member", w.Council, w.LocalA)
		outsider := w.MustAgent(t, "Otis Outsider", w.Council, w.LocalA)
		former := w.MustAgent(t, "Fern Former", w.Council, w.LocalA)
		deact := w.MustAgent(t, "Dee Activated", w.Council, w.LocalA)
		cl := w.MustClient(t, raiser, "Tilly", "Attwood", "06/05/2013")
		for _, a := range []*patchwork.Agent{member, former, deact} {
			w.MustJoin(t, a, cl)
		}
		svc := sqldb.NewAttentionService(db)
		att, err := svc.RaiseAttention(sqldbtest.As(raiser), cl.ID, patchwork.AttentionInput{Category: "concern", Message: "Threats"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AcknowledgeAttention(sqldbtest.As(member), att.ID); err != nil {
			t.Fatal(err)
		}
		if err := sqldb.NewClientService(db).LeaveTeam(sqldbtest.As(former), cl.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		if err := sqldb.NewAgentService(db).DeactivateAgent(sqldbtest.System(), deact.ID); err != nil {
			t.Fatal(err)
		}
		views := func() int {
			return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND client_id = $2`,
				patchwork.AuditClientView, cl.ID)
		}
		before := views()
		got, err := svc.FindAttention(sqldbtest.As(member), att.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ClientName != "Tilly Attwood" || got.Message != "Threats" || got.ClientID != cl.ID || !got.SeenByMe ||
			len(got.SeenBy) != 1 || got.SeenBy[0] != "Mina Member" {
			t.Fatalf("got %+v", got)
		}
		if n := views(); n != before+1 {
			t.Errorf("%d client views audited, want %d", n, before+1)
		}
		for name, a := range map[string]*patchwork.Agent{"non-member": outsider, "former member": former} {
			if _, err := svc.FindAttention(sqldbtest.As(a), att.ID); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("%s: %v, want ENOTFOUND", name, err)
			}
		}
		deact.Active = false
		if _, err := svc.FindAttention(sqldbtest.As(deact), att.ID); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Errorf("deactivated: %v, want EUNAUTHORIZED", err)
		}
		if _, err := svc.FindAttention(sqldbtest.As(member), att.ID+1000); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Errorf("missing: %v, want ENOTFOUND", err)
		}
	})
}
