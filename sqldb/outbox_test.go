package sqldb_test

import (
	"context"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestMyOutbox: the demo outbox shows an agent only the emails sent to
// them — others' say who works with which client and carry their
// unsubscribe links — and shows admins every email.
func TestMyOutbox(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		ann := w.MustAgent(t, "Ann Agent", w.Council, w.LocalA)
		bob := w.MustAgent(t, "Bob Agent", w.Council, w.LocalA)
		admin := &patchwork.Agent{Email: "ada@ashford.test", Name: "Ada Admin", AgencyID: w.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		admin.Active = true
		for i, to := range []string{ann.Email, bob.Email, bob.Email} {
			m := &patchwork.Email{ID: "m" + string(rune('0'+i)) + "@patchwork.test", To: to, Subject: "Team news", Text: "Unsubscribe: /u/" + to,
				Headers: map[string]string{}}
			if err := db.SaveOutboxMessage(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			who  *patchwork.Agent
			want int
		}{{ann, 1}, {bob, 2}, {admin, 3}} {
			msgs, err := db.FindMyOutbox(sqldbtest.As(tc.who), 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != tc.want {
				t.Errorf("%s sees %d emails, want %d", tc.who.Name, len(msgs), tc.want)
			}
			for _, m := range msgs {
				if !tc.who.Admin && m.To != tc.who.Email {
					t.Errorf("%s sees an email to %s", tc.who.Name, m.To)
				}
			}
		}
		if _, err := db.FindMyOutbox(context.Background(), 50); patchwork.ErrorCode(err) != patchwork.EUNAUTHORIZED {
			t.Errorf("no caller: %v, want EUNAUTHORIZED", err)
		}
	})
}
