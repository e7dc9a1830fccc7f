package worker_test

import (
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestStalenessReviewThroughTheDigest: once a membership has not been
// confirmed or updated for the review period, the agent's digest asks
// "still working with this client?" — once a period, by reference only,
// as their settings say (never: no email) — and a confirmation stops it.
func TestStalenessReviewThroughTheDigest(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		db.ReviewDays = 30
		w := e.world
		alice := w.MustAgent(t, "Alice Able", w.Council, w.LocalA)
		bob := w.MustAgent(t, "Bob Baker", w.Council, w.LocalA)
		carol := w.MustAgent(t, "Carol Cole", w.Council, w.LocalA)
		c := e.mustSecretClient(t, alice, "Zebedee")
		w.MustJoin(t, bob, c)
		w.MustJoin(t, carol, c)
		if err := sqldb.NewNotificationPrefsService(db, secret).UpdateNotificationPrefs(sqldbtest.As(carol),
			map[string]string{patchwork.ReviewKind: patchwork.NotifyNever}); err != nil {
			t.Fatal(err)
		}
		e.at(t, 2026, 11, 23, 7, 0) // the joins' digest
		e.smtp.Reset()
		// Alice updates her contact dates a week later: her review is due a
		// week after the others'.
		e.clk.Set(e.clk.Now().AddDate(0, 0, 7))
		if err := sqldb.NewTeamService(db).UpdateContact(sqldbtest.As(alice), c.ID,
			patchwork.ContactUpdate{LastContactOn: strp("29/11/2026")}); err != nil {
			t.Fatal(err)
		}

		e.at(t, 2026, 12, 24, 7, 0) // 31 days after the joins
		msgs := e.expect(t, "review digest", map[*patchwork.Agent][]string{bob: {"Your daily Patchwork summary: 1 client to confirm"}})
		if len(msgs) == 1 {
			text, html := parts(t, msgs[0].Raw)
			for _, part := range []string{text, html} {
				if !strings.Contains(part, "Still working with these clients?") || !strings.Contains(part, patchwork.ClientRef(c.ID)) {
					t.Errorf("the review digest does not ask about %s:\n%s", patchwork.ClientRef(c.ID), part)
				}
			}
		}
		e.at(t, 2026, 12, 25, 7, 0)
		e.expect(t, "the next day", map[*patchwork.Agent][]string{})
		e.at(t, 2026, 12, 31, 7, 0) // Alice's turn
		e.expect(t, "a week on", map[*patchwork.Agent][]string{alice: {"Your daily Patchwork summary: 1 client to confirm"}})

		// Bob confirms in one click on 10 January; a period after they were
		// last asked, only Alice, who has not, is asked again.
		e.at(t, 2027, 1, 10, 12, 0)
		if err := sqldb.NewTeamService(db).ConfirmMembership(sqldbtest.As(bob), c.ID); err != nil {
			t.Fatal(err)
		}
		e.at(t, 2027, 1, 31, 7, 0)
		e.expect(t, "a period later", map[*patchwork.Agent][]string{alice: {"Your daily Patchwork summary: 1 client to confirm"}})
	})
}

func strp(s string) *string { return &s }
