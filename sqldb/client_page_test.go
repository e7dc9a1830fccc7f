package sqldb_test

import (
	"reflect"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// The client page's one read gives what the separate reads give, audits
// the view once, and gives anyone off the team nothing and audits nothing.
func TestClientPageReadsTogether(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		alice := w.MustAgent(t, "Alice Able", w.Council, w.LocalA)
		bob := w.MustAgent(t, "Bob Baker", w.Council, w.LocalA)
		cl := w.MustClient(t, alice, "Jamie", "Smith", "2012-03-27")
		if _, err := sqldb.NewAttentionService(db).RaiseAttention(sqldbtest.As(alice), cl.ID,
			patchwork.AttentionInput{Category: "concern", Message: "Missed school"}); err != nil {
			t.Fatal(err)
		}
		svc := sqldb.NewClientService(db)
		views := func() int {
			return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND client_id = $2`,
				patchwork.AuditClientView, cl.ID)
		}

		before := views()
		page, err := svc.FindClientPage(sqldbtest.As(alice), cl.ID)
		if err != nil {
			t.Fatalf("member: %v", err)
		}
		if got := views() - before; got != 1 {
			t.Fatalf("a page view wrote %d view rows, want 1", got)
		}
		atts, err := sqldb.NewAttentionService(db).FindAttentions(sqldbtest.As(alice), cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		circle, err := sqldb.NewCircleService(db).FindCircle(sqldbtest.As(alice), cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		invs, err := sqldb.NewInvitationService(db, invitationSecret).FindInvitations(sqldbtest.As(alice), cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		profile, err := svc.FindClientProfile(sqldbtest.As(alice), cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		if page.Profile.Client.Name() != "Jamie Smith" || len(page.Attentions) != 1 || page.Attentions[0].Message != "Missed school" {
			t.Fatalf("page = %+v, attentions %+v", page.Profile.Client, page.Attentions)
		}
		if !reflect.DeepEqual(page.Attentions, atts) || !reflect.DeepEqual(page.Circle, circle) ||
			!reflect.DeepEqual(page.Invitations, invs) || !reflect.DeepEqual(page.Profile.Team, profile.Team) ||
			!reflect.DeepEqual(page.Profile.Client, profile.Client) {
			t.Fatalf("the page's one read differs from the separate reads")
		}

		before = views()
		inactive := *alice
		inactive.Active = false
		for name, ctx := range map[string]struct {
			as   *patchwork.Agent
			want string
		}{
			"non-member":  {bob, patchwork.ENOTFOUND},
			"deactivated": {&inactive, patchwork.EUNAUTHORIZED},
			"no caller":   {nil, patchwork.EUNAUTHORIZED},
		} {
			p, err := svc.FindClientPage(sqldbtest.As(ctx.as), cl.ID)
			if patchwork.ErrorCode(err) != ctx.want || p != nil {
				t.Fatalf("%s: page %v, err %v; want %s", name, p, err, ctx.want)
			}
		}
		if _, err := svc.FindClientPage(sqldbtest.As(alice), cl.ID+1000); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("missing client: %v", err)
		}
		if got := views() - before; got != 0 {
			t.Fatalf("refused views wrote %d view rows", got)
		}
	})
}
