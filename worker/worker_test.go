package worker_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"patchwork"
	pwmail "patchwork/mail"
	"patchwork/mail/smtptest"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// expect checks that exactly the wanted emails were delivered since the
// last check (recipient → subjects), that each one is well formed and free
// of client data, and then forgets them. It returns them.
func (e *env) expect(t *testing.T, step string, want map[*patchwork.Agent][]string) []*smtptest.Message {
	t.Helper()
	msgs := e.smtp.Messages()
	e.smtp.Reset()
	wantBy := map[string][]string{}
	for a, subjects := range want {
		wantBy[a.Email] = subjects
	}
	got := summary(msgs)
	for _, m := range []map[string][]string{got, wantBy} {
		for _, s := range m {
			sort.Strings(s)
		}
	}
	if !reflect.DeepEqual(got, wantBy) {
		t.Errorf("%s: delivered %v\nwant %v", step, got, wantBy)
	}
	ids := map[string]bool{}
	for _, m := range msgs {
		checkNoClientData(t, m)
		id := m.Header("Message-Id")
		if ids[id] || !strings.HasSuffix(id, "@127.0.0.1>") {
			t.Errorf("%s: Message-ID %q repeated or malformed", step, id)
		}
		ids[id] = true
		if m.From != "no-reply@patchwork.test" || m.Header("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: from %q, List-Unsubscribe-Post %q", step, m.From, m.Header("List-Unsubscribe-Post"))
		}
		if _, err := sqldb.NewNotificationPrefsService(e.db, secret).CheckUnsubscribe(context.Background(), unsubscribeToken(t, m)); err != nil {
			t.Errorf("%s: unsubscribe token: %v", step, err)
		}
	}
	return msgs
}

// TestEmailsForEveryEventAndPreference follows one team through every kind
// of event, with agents on every preference, and checks who gets which email
// at once, in the daily digest and in the weekly digest.
func TestEmailsForEveryEventAndPreference(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := e.world
		alice := w.MustAgent(t, "Alice Able", w.Council, w.LocalA) // acts; defaults
		bob := w.MustAgent(t, "Bob Baker", w.Council, w.LocalA)    // defaults
		carol := w.MustAgent(t, "Carol Cole", w.Council, w.LocalA)
		dan := w.MustAgent(t, "Dan Dare", w.Sensitive, w.LocalA)
		erin := w.MustAgent(t, "Erin Ede", w.Council, w.LocalA)
		frank := w.MustAgent(t, "Frank Fry", w.Council, w.LocalA)
		gina := w.MustAgent(t, "Gina Gale", w.Council, w.LocalA)
		olly := w.MustAgent(t, "Olly Outsider", w.Council, w.LocalB)
		e.setPrefs(t, carol, patchwork.NotifyNever)
		e.setPrefs(t, dan, patchwork.NotifyImmediate)
		e.setPrefs(t, erin, patchwork.NotifyDaily)
		e.setPrefs(t, frank, patchwork.NotifyWeekly)
		c1 := e.mustSecretClient(t, alice, "Zebedee")
		for _, a := range []*patchwork.Agent{bob, carol, dan, erin, frank} {
			w.MustJoin(t, a, c1)
		}
		c2 := e.mustSecretClient(t, alice, "Zebedee")
		w.MustJoin(t, erin, c2)
		// Deliver everything the setup caused, then start counting.
		e.at(t, 2026, 11, 30, 8, 0)
		e.smtp.Reset()

		svc := sqldb.NewClientService(db)
		ref := patchwork.ClientRef(c1.ID)
		var (
			attention = "Attention raised: client " + ref
			urgent    = "Urgent attention raised: client " + ref
			joined    = "Colleague joined the team: client " + ref
			left      = "Colleague left the team: client " + ref
			details   = "Details changed: client " + ref
			circle    = "Circle changed: client " + ref
			invited   = "Invitation to join the team: client " + ref
		)
		for _, tc := range []struct {
			name string
			do   func()
			want map[*patchwork.Agent][]string
			link string
		}{
			{"attention", func() { e.event(t, c1, alice, patchwork.ActivityAttentionRaised, "") },
				map[*patchwork.Agent][]string{bob: {attention}, dan: {attention}}, fmt.Sprintf("/clients/%d", c1.ID)},
			{"urgent attention", func() { e.event(t, c1, alice, patchwork.ActivityAttentionRaised, patchwork.DetailUrgent) },
				map[*patchwork.Agent][]string{bob: {urgent}, dan: {urgent}, erin: {urgent}, frank: {urgent}}, ""},
			{"member joined", func() { w.MustJoin(t, gina, c1) }, map[*patchwork.Agent][]string{dan: {joined}}, ""},
			{"member left", func() {
				if err := svc.LeaveTeam(sqldbtest.As(gina), c1.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
					t.Fatal(err)
				}
			}, map[*patchwork.Agent][]string{dan: {left}}, ""},
			{"details changed", func() { e.event(t, c1, alice, patchwork.ActivityClientUpdated, "address") },
				map[*patchwork.Agent][]string{dan: {details}}, ""},
			{"circle changed", func() { e.event(t, c1, alice, patchwork.ActivityCircleChanged, "") },
				map[*patchwork.Agent][]string{dan: {circle}}, ""},
			{"invitation", func() {
				if err := db.RecordInvitationForTest(context.Background(), c1.ID, alice.ID, olly.ID); err != nil {
					t.Fatal(err)
				}
			}, map[*patchwork.Agent][]string{olly: {invited}}, fmt.Sprintf("/clients/%d/join", c1.ID)},
			{"details of another client changed", func() { e.event(t, c2, alice, patchwork.ActivityClientUpdated, "phone") },
				map[*patchwork.Agent][]string{}, ""},
		} {
			tc.do()
			drain(t, e.w)
			msgs := e.expect(t, tc.name, tc.want)
			for _, m := range msgs {
				text, html := parts(t, m.Raw)
				if !strings.Contains(text, "Alice Able") && !strings.Contains(text, "Gina Gale") {
					t.Errorf("%s: the email does not name who acted:\n%s", tc.name, text)
				}
				if tc.link != "" && (!strings.Contains(text, "http://127.0.0.1:8080"+tc.link+"\n") ||
					!strings.Contains(html, `href="http://127.0.0.1:8080`+tc.link+`"`)) {
					t.Errorf("%s: no link to %s:\n%s", tc.name, tc.link, text)
				}
			}
		}

		// The daily digest goes out at 07:00 London time, not before, once.
		e.at(t, 2026, 12, 1, 6, 59)
		e.expect(t, "before the digest hour", nil)
		e.at(t, 2026, 12, 1, 7, 0)
		drain(t, e.newWorker(t, "w2", nil)) // a second instance adds nothing
		msgs := e.expect(t, "daily digest", map[*patchwork.Agent][]string{
			alice: {"Your daily Patchwork summary: 2 updates on 1 client"},
			bob:   {"Your daily Patchwork summary: 2 updates on 1 client"},
			erin:  {"Your daily Patchwork summary: 6 updates on 2 clients"},
		})
		for _, m := range msgs {
			if m.To[0] != erin.Email {
				continue
			}
			text, _ := parts(t, m.Raw)
			for _, s := range []string{patchwork.ClientRef(c1.ID), patchwork.ClientRef(c2.ID), "Gina Gale joined the team",
				"Gina Gale left the team", "Alice Able raised an attention", "Alice Able changed the client's circle",
				fmt.Sprintf("http://127.0.0.1:8080/clients/%d", c2.ID)} {
				if !strings.Contains(text, s) {
					t.Errorf("Erin's digest lacks %q:\n%s", s, text)
				}
			}
			if strings.Contains(text, "urgent") {
				t.Errorf("the urgent attention, sent at once, is in the digest too:\n%s", text)
			}
		}
		e.at(t, 2026, 12, 2, 7, 0)
		e.expect(t, "next day, nothing new", nil)

		// The weekly digest goes out on Monday at 07:00.
		e.at(t, 2026, 12, 7, 7, 0)
		e.expect(t, "weekly digest", map[*patchwork.Agent][]string{ // Alice made every weekly-kind change herself
			bob:   {"Your weekly Patchwork summary: 2 updates on 1 client"},
			frank: {"Your weekly Patchwork summary: 5 updates on 1 client"},
		})
		if pending := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM notifications WHERE handled_at IS NULL`); pending != 0 {
			t.Errorf("%d notifications never handled", pending)
		}
	})
}

// TestDigestDropsWhatIsNoLongerWanted checks that a digest leaves out what
// its recipient unsubscribed from or may no longer know, and is not sent
// when nothing is left.
func TestDigestDropsWhatIsNoLongerWanted(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := e.world
		alice := w.MustAgent(t, "Alice Able", w.Council, w.LocalA)
		bob := w.MustAgent(t, "Bob Baker", w.Council, w.LocalA)
		carol := w.MustAgent(t, "Carol Cole", w.Council, w.LocalA)
		c := e.mustSecretClient(t, alice, "Zebedee")
		w.MustJoin(t, bob, c)
		w.MustJoin(t, carol, c)
		drain(t, e.w)
		e.smtp.Reset()
		// Bob and Carol wait for a daily digest of Dan joining and leaving.
		dan := w.MustAgent(t, "Dan Dare", w.Council, w.LocalA)
		w.MustJoin(t, dan, c)
		svc := sqldb.NewClientService(db)
		if err := svc.LeaveTeam(sqldbtest.As(dan), c.ID, patchwork.LeaveRequest{Reason: "transferred"}); err != nil {
			t.Fatal(err)
		}
		// Bob unsubscribes from joins by a one-click link; Carol leaves the team.
		prefs := sqldb.NewNotificationPrefsService(db, secret)
		token := patchwork.SignUnsubscribeToken(secret, bob.ID, []string{patchwork.ActivityMemberJoined}, e.clk.Now())
		if _, err := prefs.Unsubscribe(context.Background(), token); err != nil {
			t.Fatal(err)
		}
		if err := svc.LeaveTeam(sqldbtest.As(carol), c.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		e.at(t, 2026, 11, 23, 7, 0)
		msgs := e.expect(t, "daily digest", map[*patchwork.Agent][]string{
			alice: {"Your daily Patchwork summary: 5 updates on 1 client"}, // Bob and Carol in, Dan in and out, Carol out
			bob:   {"Your daily Patchwork summary: 2 updates on 1 client"}, // Dan and Carol left; joins unsubscribed
		})
		for _, m := range msgs {
			if text, _ := parts(t, m.Raw); m.To[0] == bob.Email && strings.Contains(text, "joined") {
				t.Errorf("Bob's digest tells a join after he unsubscribed from joins:\n%s", text)
			}
		}
	})
}

// TestUnsubscribeFromAnEmail follows the one-click link of an email: that
// kind stops, for that agent only.
func TestUnsubscribeFromAnEmail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := e.world
		alice := w.MustAgent(t, "Alice Able", w.Council, w.LocalA)
		bob := w.MustAgent(t, "Bob Baker", w.Council, w.LocalA)
		carol := w.MustAgent(t, "Carol Cole", w.Council, w.LocalA)
		c := e.mustSecretClient(t, alice, "Zebedee")
		w.MustJoin(t, bob, c)
		w.MustJoin(t, carol, c)
		drain(t, e.w)
		e.smtp.Reset()
		e.event(t, c, alice, patchwork.ActivityAttentionRaised, "")
		drain(t, e.w)
		toBob := e.smtp.To(bob.Email)
		if len(toBob) != 1 {
			t.Fatalf("bob got %d emails", len(toBob))
		}
		kinds, err := sqldb.NewNotificationPrefsService(db, secret).Unsubscribe(context.Background(), unsubscribeToken(t, toBob[0]))
		if err != nil || len(kinds) != 1 || kinds[0] != patchwork.ActivityAttentionRaised {
			t.Fatalf("unsubscribe = %v, %v", kinds, err)
		}
		e.smtp.Reset()
		e.event(t, c, alice, patchwork.ActivityAttentionRaised, patchwork.DetailUrgent)
		e.event(t, c, alice, patchwork.ActivityMemberLeft, "other") // not unsubscribed: daily
		drain(t, e.w)
		e.expect(t, "after unsubscribing", map[*patchwork.Agent][]string{
			carol: {"Urgent attention raised: client " + patchwork.ClientRef(c.ID)}})
	})
}

// TestOutboxWithoutSMTP checks that without an SMTP server emails land in
// the outbox table, once each, with nothing about the client in them.
func TestOutboxWithoutSMTP(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := e.world
		alice := w.MustAgent(t, "Alice Able", w.Council, w.LocalA)
		bob := w.MustAgent(t, "Bob Baker", w.Council, w.LocalA)
		c := e.mustSecretClient(t, alice, "Zebedee")
		w.MustJoin(t, bob, c)
		outbox := pwmailOutbox(db)
		wk := e.newWorker(t, "outbox", outbox)
		e.event(t, c, bob, patchwork.ActivityAttentionRaised, "")
		drain(t, wk)
		msgs, err := db.FindOutbox(context.Background(), 10)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("outbox = %d messages, %v", len(msgs), err)
		}
		m := msgs[0]
		if m.To != alice.Email || m.Subject != "Attention raised: client "+patchwork.ClientRef(c.ID) || m.JobID == 0 ||
			m.From != "Patchwork <no-reply@patchwork.test>" || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
			t.Fatalf("outbox message = %+v", m)
		}
		// A retry of the same job stores nothing new.
		if err := outbox.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		if msgs, _ := db.FindOutbox(context.Background(), 10); len(msgs) != 1 {
			t.Fatalf("outbox after a repeat = %d", len(msgs))
		}
		raw, err := pwmail.Raw(m, "")
		if err != nil {
			t.Fatal(err)
		}
		checkNoClientData(t, &smtptest.Message{To: []string{m.To}, Raw: raw})
		if len(e.smtp.Messages()) != 0 {
			t.Fatal("an email went to SMTP")
		}
	})
}

// TestCleanupDeletesExpiredSessions runs the hourly cleanup job: expired
// sessions and search counts older than the rate limit needs go, the rest
// stays.
func TestCleanupDeletesExpiredSessions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		_, agent, _ := e.team(t, 0)
		for _, at := range []time.Time{e.clk.Now().Add(-3 * time.Hour), e.clk.Now().Add(10 * time.Minute)} {
			if _, err := db.ExecForTest(`INSERT INTO client_searches (agent_id, at) VALUES ($1, $2)`, agent.ID, at.UnixMicro()); err != nil {
				t.Fatal(err)
			}
		}
		store := sqldb.NewSessionStore(db)
		for tok, expiry := range map[string]time.Time{"old": e.clk.Now().Add(30 * time.Minute), "live": e.clk.Now().Add(3 * time.Hour)} {
			if err := store.Bind(ctx, tok, patchwork.SessionInfo{AgentID: agent.ID}, expiry); err != nil {
				t.Fatal(err)
			}
			if err := store.CommitCtx(ctx, tok, []byte("x"), expiry); err != nil {
				t.Fatal(err)
			}
		}
		for i, expires := range []time.Time{e.clk.Now().Add(-48 * time.Hour), e.clk.Now().Add(-time.Hour)} {
			if _, err := db.ExecForTest(`INSERT INTO password_resets (agent_id, nonce, token_hash, created_at, expires_at)
				VALUES ($1, $2, $2, $3, $3)`, agent.ID, fmt.Sprint("reset-", i), expires.UnixMicro()); err != nil {
				t.Fatal(err)
			}
		}
		drain(t, e.w)
		e.clk.Add(time.Hour)
		drain(t, e.w)
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM password_resets`); n != 1 {
			t.Fatalf("%d reset links left, want the one expired an hour ago", n)
		}
		if _, ok, _ := store.FindCtx(ctx, "live"); !ok {
			t.Fatal("live session deleted")
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM sessions`); n != 1 {
			t.Fatalf("%d sessions left, want 1", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM client_searches WHERE agent_id = $1`, agent.ID); n != 1 {
			t.Fatalf("%d search counts left, want the recent one", n)
		}
	})
}

func TestSlots(t *testing.T) {
	db := sqldbtest.MustOpen(t, "sqlite")
	e := newEnv(t, db)
	sydney, _ := time.LoadLocation("Australia/Sydney")
	for _, tc := range []struct {
		loc           *time.Location
		now           time.Time
		daily, weekly string
	}{
		{e.loc, time.Date(2026, 7, 1, 6, 0, 0, 0, time.UTC), "2026-07-01", "2026-06-29"},     // 07:00 BST
		{e.loc, time.Date(2026, 7, 1, 5, 59, 0, 0, time.UTC), "2026-06-30", "2026-06-29"},    // 06:59 BST
		{e.loc, time.Date(2026, 6, 29, 5, 59, 0, 0, time.UTC), "2026-06-28", "2026-06-22"},   // Monday before 07:00
		{e.loc, time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC), "2026-12-07", "2026-12-07"},    // GMT
		{sydney, time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC), "2026-11-23", "2026-11-23"}, // Mon 07:00 AEDT
		{sydney, time.Date(2026, 11, 22, 19, 59, 0, 0, time.UTC), "2026-11-22", "2026-11-16"},
	} {
		e.w.Config.Location = tc.loc
		slots := e.w.Slots(tc.now)
		if slots[0].UniqueKey != "digest:daily:"+tc.daily || slots[1].UniqueKey != "digest:weekly:"+tc.weekly ||
			slots[0].RunAt.After(tc.now) || slots[1].RunAt.After(tc.now) {
			t.Errorf("Slots(%v in %v) = %s at %v, %s at %v; want %s, %s", tc.now, tc.loc, slots[0].UniqueKey, slots[0].RunAt,
				slots[1].UniqueKey, slots[1].RunAt, tc.daily, tc.weekly)
		}
		if got := slots[0].RunAt.In(tc.loc); got.Hour() != 7 || got.Minute() != 0 {
			t.Errorf("daily slot at %v", got)
		}
	}
}
