package sqldb_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

var invitationSecret = []byte("invitation test secret")

// invitationToken returns the token of invitation id, as the worker derives
// it for the email.
func invitationToken(t *testing.T, db *sqldb.DB, id int64) string {
	t.Helper()
	var nonce string
	if err := db.QueryRowForTest(`SELECT nonce FROM invitations WHERE id = $1`, id).Scan(&nonce); err != nil {
		t.Fatal(err)
	}
	return sqldb.InvitationToken(invitationSecret, nonce)
}

func acceptReq() patchwork.JoinRequest {
	return patchwork.JoinRequest{Declaration: true, Basis: patchwork.BasisSafeguarding}
}

// TestInvitationOfAnAgent: a member invites a colleague picked from the
// phone book; the invitee alone is told and sees the invitation; accepting
// it joins the team, tells the team, and leaves a trail of each step; the
// link then shows only that it was used.
func TestInvitationOfAnAgent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mia Member", w.Council, w.LocalA)
		mate := w.MustAgent(t, "Tom Teammate", w.Council, w.LocalA)
		guest := w.MustAgent(t, "Gil Guest", w.Council, w.LocalB)
		other := w.MustAgent(t, "Ora Other", w.Council, w.LocalA)
		cl := w.MustClient(t, member, "Ivy", "Tennant", "2013-01-02")
		w.MustJoin(t, mate, cl)
		svc := sqldb.NewInvitationService(db, invitationSecret)
		clients := sqldb.NewClientService(db)

		found, err := svc.FindInvitees(sqldbtest.As(member), cl.ID, "Gil Guest")
		if err != nil || len(found) != 1 || found[0].ID != guest.ID {
			t.Fatalf("phone book for inviting: %v %+v", err, found)
		}
		inv, err := svc.CreateInvitation(sqldbtest.As(member), cl.ID,
			patchwork.InvitationRequest{AgentID: guest.ID, Message: "  We both work with this family.  "})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Email != guest.Email || inv.InviteeID != guest.ID || inv.Message != "We both work with this family." {
			t.Fatalf("invitation = %+v", inv)
		}
		if !inv.ExpiresAt.Equal(inv.CreatedAt.Add(14 * 24 * time.Hour)) {
			t.Fatalf("expires %v, created %v", inv.ExpiresAt, inv.CreatedAt)
		}
		// The invitee alone is told; the team is not.
		if n := sqldbtest.CountNotifications(t, db, guest.ID); n != 1 {
			t.Fatalf("invitee told %d times", n)
		}
		if n := sqldbtest.CountNotifications(t, db, mate.ID); n != 0 {
			t.Fatalf("team mate told %d times of an invitation", n)
		}
		list, err := svc.FindInvitations(sqldbtest.As(mate), cl.ID)
		if err != nil || len(list) != 1 || list[0].InviteeName != "Gil Guest" || list[0].InviterName != "Mia Member" {
			t.Fatalf("pending invitations: %v %+v", err, list)
		}
		// Inviting the same colleague twice is refused beside the field.
		if _, err := svc.CreateInvitation(sqldbtest.As(mate), cl.ID, patchwork.InvitationRequest{Email: strings.ToUpper(guest.Email)}); patchwork.ErrorFields(err)["email"] == "" {
			t.Fatalf("second invitation of the same colleague: %v", err)
		}
		// A member of the team cannot be invited.
		if _, err := svc.CreateInvitation(sqldbtest.As(member), cl.ID, patchwork.InvitationRequest{AgentID: mate.ID}); !strings.Contains(patchwork.ErrorFields(err)["agent_id"], "already on this team") {
			t.Fatalf("invitation of a member: %v", err)
		}

		token := invitationToken(t, db, inv.ID)
		// Nobody but the invitee learns anything from the token.
		for _, a := range []*patchwork.Agent{other, member} {
			if _, err := svc.FindInvitation(sqldbtest.As(a), token); !errors.Is(err, patchwork.ErrNotFound) {
				t.Fatalf("%s opened the invitation: %v", a.Name, err)
			}
			if _, err := svc.AcceptInvitation(sqldbtest.As(a), token, acceptReq()); !errors.Is(err, patchwork.ErrNotFound) {
				t.Fatalf("%s accepted the invitation: %v", a.Name, err)
			}
			if _, err := svc.AcceptInvitation(sqldbtest.As(a), token, patchwork.JoinRequest{}); !errors.Is(err, patchwork.ErrNotFound) {
				t.Fatalf("%s got field messages: %v", a.Name, err)
			}
		}
		if _, err := svc.FindInvitation(sqldbtest.As(guest), token+"x"); !errors.Is(err, patchwork.ErrNotFound) {
			t.Fatalf("altered token: %v", err)
		}
		if _, err := svc.FindInvitation(sqldbtest.As(guest), ""); !errors.Is(err, patchwork.ErrNotFound) {
			t.Fatalf("empty token: %v", err)
		}
		page, err := svc.FindInvitation(sqldbtest.As(guest), token)
		if err != nil || page.Match == nil || page.Match.Name != "Ivy Tennant" || page.Status != patchwork.InvitationPending ||
			page.Invitation.Message != "We both work with this family." {
			t.Fatalf("invitee's page: %v %+v", err, page)
		}
		if page.Match.JoinTicket != "" {
			t.Fatalf("the invitation page carries a join ticket")
		}
		// The declaration and basis are needed, as for any join.
		if _, err := svc.AcceptInvitation(sqldbtest.As(guest), token, patchwork.JoinRequest{Basis: "consent"}); patchwork.ErrorFields(err)["declaration"] == "" {
			t.Fatalf("accept without declaration: %v", err)
		}
		before := sqldbtest.CountNotifications(t, db, mate.ID)
		clientID, err := svc.AcceptInvitation(sqldbtest.As(guest), token, acceptReq())
		if err != nil || clientID != cl.ID {
			t.Fatalf("accept: %d %v", clientID, err)
		}
		if _, err := clients.FindClientProfile(sqldbtest.As(guest), cl.ID); err != nil {
			t.Fatalf("invitee after accepting: %v", err)
		}
		if n := sqldbtest.CountNotifications(t, db, mate.ID); n != before+1 {
			t.Fatalf("the team was told %d times of the join", n-before)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM memberships WHERE client_id = $1 AND agent_id = $2
			AND how_joined = 'invited' AND basis = 'safeguarding' AND left_at IS NULL`, cl.ID, guest.ID); n != 1 {
			t.Fatalf("%d memberships by invitation", n)
		}
		// Used: once only, even after leaving, and the page shows no client.
		if err := clients.LeaveTeam(sqldbtest.As(guest), cl.ID, patchwork.LeaveRequest{Reason: "case_closed"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AcceptInvitation(sqldbtest.As(guest), token, acceptReq()); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Fatalf("second use: %v", err)
		}
		page, err = svc.FindInvitation(sqldbtest.As(guest), token)
		if err != nil || page.Match != nil || page.Status != patchwork.InvitationAccepted || page.Invitation.Message != "" {
			t.Fatalf("used invitation's page: %v %+v", err, page)
		}
		if list, err := svc.FindInvitations(sqldbtest.As(member), cl.ID); err != nil || len(list) != 0 {
			t.Fatalf("pending after acceptance: %v %+v", err, list)
		}
		for _, kind := range []string{patchwork.ActivityTeamInvited, patchwork.ActivityInvitationAccepted, patchwork.ActivityMemberJoined} {
			if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND kind = $2
				AND (agent_id = $3 OR kind = 'team.invited')`, cl.ID, kind, guest.ID); n != 1 {
				t.Errorf("%d %s activities", n, kind)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND kind = $2 AND detail = 'Gil Guest'`,
			cl.ID, patchwork.ActivityTeamInvited); n != 1 {
			t.Errorf("the invited activity does not name the invitee")
		}
	})
}

// TestInvitationNeedsMember: only current members may invite, list,
// search for invitees or withdraw; others get ENOTFOUND and change nothing,
// also with a form that has mistakes; a deactivated agent and no caller
// get nothing.
func TestInvitationNeedsMember(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mia Member", w.Council, w.LocalA)
		outsider := w.MustAgent(t, "Oscar Outsider", w.Council, w.LocalA)
		guest := w.MustAgent(t, "Gil Guest", w.Council, w.LocalB)
		gone := w.MustAgent(t, "Dee Activated", w.Council, w.LocalA)
		cl := w.MustClient(t, member, "Ivy", "Tennant", "2013-01-02")
		w.MustJoin(t, gone, cl)
		svc := sqldb.NewInvitationService(db, invitationSecret)
		inv, err := svc.CreateInvitation(sqldbtest.As(member), cl.ID, patchwork.InvitationRequest{AgentID: guest.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := sqldb.NewAgentService(db).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		gone.Active = false
		missing := cl.ID + 100000
		for _, who := range []struct {
			name string
			as   *patchwork.Agent
			want error
		}{{"non-member", outsider, patchwork.ErrNotFound}, {"deactivated", gone, patchwork.ErrUnauthorized}} {
			as := sqldbtest.As(who.as)
			for _, id := range []int64{cl.ID, missing} {
				if _, err := svc.CreateInvitation(as, id, patchwork.InvitationRequest{Email: "new@ashford.test"}); !errors.Is(err, who.want) {
					t.Errorf("%s invites: %v", who.name, err)
				}
				if _, err := svc.CreateInvitation(as, id, patchwork.InvitationRequest{Email: "not an address"}); !errors.Is(err, who.want) {
					t.Errorf("%s invites with a bad address: %v", who.name, err)
				}
				if _, err := svc.FindInvitations(as, id); !errors.Is(err, who.want) {
					t.Errorf("%s lists invitations: %v", who.name, err)
				}
				if _, err := svc.FindInvitees(as, id, "Gil"); !errors.Is(err, who.want) {
					t.Errorf("%s searches invitees: %v", who.name, err)
				}
				if err := svc.WithdrawInvitation(as, id, inv.ID); !errors.Is(err, who.want) {
					t.Errorf("%s withdraws: %v", who.name, err)
				}
			}
		}
		if _, err := svc.FindInvitations(sqldbtest.System(), cl.ID); !errors.Is(err, patchwork.ErrUnauthorized) {
			t.Errorf("no caller lists invitations: %v", err)
		}
		// A withdrawal names the client the invitation is of.
		cl2 := w.MustClient(t, outsider, "Rex", "Tennant", "2014-01-02")
		if err := svc.WithdrawInvitation(sqldbtest.As(outsider), cl2.ID, inv.ID); !errors.Is(err, patchwork.ErrNotFound) {
			t.Errorf("withdrawal through another client: %v", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM invitations`); n != 1 {
			t.Errorf("%d invitations, want the member's alone", n)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM invitations WHERE status = 'pending'`); n != 1 {
			t.Errorf("the member's invitation was ended by someone else")
		}
		// A deactivated invitee cannot open their invitation.
		if err := sqldb.NewAgentService(db).DeactivateAgent(sqldbtest.System(), guest.ID); err != nil {
			t.Fatal(err)
		}
		guest.Active = false
		if _, err := svc.FindInvitation(sqldbtest.As(guest), invitationToken(t, db, inv.ID)); !errors.Is(err, patchwork.ErrUnauthorized) {
			t.Errorf("deactivated invitee: %v", err)
		}
	})
}

// TestInvitationByEmail: an address with no account at an agency's domain
// invites a new colleague (an email job, not a notification); whoever signs
// up with that address is the invitee. An address at an unknown domain is
// refused beside the field. An address with an account invites that agent.
func TestInvitationByEmail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mia Member", w.Council, w.LocalA)
		guest := w.MustAgent(t, "Gil Guest", w.Council, w.LocalB)
		cl := w.MustClient(t, member, "Ivy", "Tennant", "2013-01-02")
		svc := sqldb.NewInvitationService(db, invitationSecret)
		as := sqldbtest.As(member)

		for _, tc := range []struct{ email, want string }{
			{"", "Enter the email address"},
			{"not an address", "correct format"},
		} {
			_, err := svc.CreateInvitation(as, cl.ID, patchwork.InvitationRequest{Email: tc.email})
			if !strings.Contains(patchwork.ErrorFields(err)["email"], tc.want) {
				t.Errorf("invite %q: %v, want %q", tc.email, err, tc.want)
			}
		}
		if _, err := svc.CreateInvitation(as, cl.ID, patchwork.InvitationRequest{Email: "x@ashford.test",
			Message: strings.Repeat("a", patchwork.MaxInvitationMessage+1)}); patchwork.ErrorFields(err)["message"] == "" {
			t.Errorf("a long message: %v", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM invitations`); n != 0 {
			t.Fatalf("refused invitations stored: %d", n)
		}
		// An address at a domain no agency takes sign-ups from is invited
		// too, told that they must ask for access first.
		far, err := svc.CreateInvitation(as, cl.ID, patchwork.InvitationRequest{Email: "someone@unknown.test"})
		if err != nil || !far.NeedsAccess {
			t.Fatalf("invitation at an unknown domain: %v %+v", err, far)
		}
		if e, err := db.LoadInvitationEmail(as, `{"invitation_id":`+itoa(far.ID)+`}`); err != nil || !e.NeedsAccess {
			t.Fatalf("its email: %v %+v", err, e)
		}
		if err := svc.WithdrawInvitation(as, cl.ID, far.ID); err != nil {
			t.Fatal(err)
		}
		inv, err := svc.CreateInvitation(as, cl.ID, patchwork.InvitationRequest{Email: " New.Colleague@Ashford.test "})
		if err != nil {
			t.Fatal(err)
		}
		if inv.InviteeID != 0 || inv.Email != "new.colleague@ashford.test" || inv.Invitee() != inv.Email {
			t.Fatalf("new colleague's invitation: %+v", inv)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, sqldb.JobInvitationEmail); n != 2 {
			t.Fatalf("%d invitation email jobs", n)
		}
		e, err := db.LoadInvitationEmail(as, `{"invitation_id":`+itoa(inv.ID)+`}`)
		if err != nil || !e.Live || e.To != inv.Email || e.ClientID != cl.ID || e.InviterName != "Mia Member" || e.HasMessage || e.NeedsAccess {
			t.Fatalf("invitation email: %v %+v", err, e)
		}
		// Whoever holds the address is the invitee once they have an account.
		newcomer := &patchwork.Agent{Email: "new.colleague@ashford.test", Name: "Nia Newcomer", AgencyID: w.Council.ID}
		if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), newcomer, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		token := invitationToken(t, db, inv.ID)
		if _, err := svc.FindInvitation(sqldbtest.As(guest), token); !errors.Is(err, patchwork.ErrNotFound) {
			t.Fatalf("another agent opened a new colleague's invitation: %v", err)
		}
		// The newcomer's own list carries the link; nobody else's does.
		if mine, err := svc.FindMyInvitations(sqldbtest.As(newcomer)); err != nil || len(mine) != 1 || mine[0].Token != token {
			t.Fatalf("newcomer's invitations: %v %+v", err, mine)
		}
		if mine, err := svc.FindMyInvitations(sqldbtest.As(guest)); err != nil || len(mine) != 0 {
			t.Fatalf("another agent's invitations: %v %+v", err, mine)
		}
		if _, err := svc.AcceptInvitation(sqldbtest.As(newcomer), token, acceptReq()); err != nil {
			t.Fatalf("the newcomer accepts: %v", err)
		}
		if mine, err := svc.FindMyInvitations(sqldbtest.As(newcomer)); err != nil || len(mine) != 0 {
			t.Fatalf("newcomer's invitations after accepting: %v %+v", err, mine)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM invitations WHERE id = $1 AND invitee_id = $2`, inv.ID, newcomer.ID); n != 1 {
			t.Fatalf("the accepted invitation does not name its invitee")
		}
		// An address with an account invites that agent, told as their
		// settings say.
		inv2, err := svc.CreateInvitation(as, cl.ID, patchwork.InvitationRequest{Email: guest.Email})
		if err != nil || inv2.InviteeID != guest.ID {
			t.Fatalf("invitation by an agent's address: %v %+v", err, inv2)
		}
		if n := sqldbtest.CountNotifications(t, db, guest.ID); n != 1 {
			t.Fatalf("agent invited by address told %d times", n)
		}
	})
}

// TestInvitationExpiryAndWithdrawal: after 14 days an invitation is
// expired by time alone (not listed, not accepted, its page says so without
// the client) and the clean-up records it in the trail; a withdrawn one
// likewise; the address can be invited again.
func TestInvitationExpiryAndWithdrawal(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mia Member", w.Council, w.LocalA)
		guest := w.MustAgent(t, "Gil Guest", w.Council, w.LocalB)
		cl := w.MustClient(t, member, "Ivy", "Tennant", "2013-01-02")
		svc := sqldb.NewInvitationService(db, invitationSecret)
		as := sqldbtest.As(member)

		inv, err := svc.CreateInvitation(as, cl.ID, patchwork.InvitationRequest{AgentID: guest.ID})
		if err != nil {
			t.Fatal(err)
		}
		token := invitationToken(t, db, inv.ID)
		clk.Add(14*24*time.Hour - time.Second)
		if p, err := svc.FindInvitation(sqldbtest.As(guest), token); err != nil || p.Match == nil {
			t.Fatalf("a second before expiry: %v %+v", err, p)
		}
		clk.Add(time.Second)
		p, err := svc.FindInvitation(sqldbtest.As(guest), token)
		if err != nil || p.Match != nil || p.Status != patchwork.InvitationExpired {
			t.Fatalf("expired invitation's page: %v %+v", err, p)
		}
		if _, err := svc.AcceptInvitation(sqldbtest.As(guest), token, acceptReq()); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Fatalf("accepting an expired invitation: %v", err)
		}
		if list, err := svc.FindInvitations(as, cl.ID); err != nil || len(list) != 0 {
			t.Fatalf("expired invitation listed: %v %+v", err, list)
		}
		if err := svc.WithdrawInvitation(as, cl.ID, inv.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Fatalf("withdrawing an expired invitation: %v", err)
		}
		n, err := db.ExpireInvitations(as)
		if err != nil || n != 1 {
			t.Fatalf("clean-up expired %d: %v", n, err)
		}
		if n, err := db.ExpireInvitations(as); err != nil || n != 0 {
			t.Fatalf("second clean-up expired %d: %v", n, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND kind = $2 AND agent_id = $3`,
			cl.ID, patchwork.ActivityInvitationExpired, member.ID); n != 1 {
			t.Fatalf("%d expiry activities", n)
		}

		// Invited again, then withdrawn: the link stops working at once.
		inv2, err := svc.CreateInvitation(as, cl.ID, patchwork.InvitationRequest{AgentID: guest.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.WithdrawInvitation(as, cl.ID, inv2.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.WithdrawInvitation(as, cl.ID, inv2.ID); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Fatalf("second withdrawal: %v", err)
		}
		token2 := invitationToken(t, db, inv2.ID)
		if p, err := svc.FindInvitation(sqldbtest.As(guest), token2); err != nil || p.Match != nil || p.Status != patchwork.InvitationWithdrawn {
			t.Fatalf("withdrawn invitation's page: %v %+v", err, p)
		}
		if _, err := svc.AcceptInvitation(sqldbtest.As(guest), token2, acceptReq()); patchwork.ErrorCode(err) != patchwork.ECONFLICT {
			t.Fatalf("accepting a withdrawn invitation: %v", err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM activities WHERE client_id = $1 AND kind = $2`,
			cl.ID, patchwork.ActivityInvitationWithdrawn); n != 1 {
			t.Fatalf("%d withdrawal activities", n)
		}
		// A withdrawn invitation's email is no longer worth sending.
		e, err := db.LoadNotificationEmail(as, jobOfInvitation(t, db, inv2.ID))
		if err != nil || len(e.Items) != 0 || e.Dropped != 1 {
			t.Fatalf("email of a withdrawn invitation: %v %+v", err, e)
		}
	})
}

// jobOfInvitation returns the send_email job of the invitee's notification
// of invitation id.
func jobOfInvitation(t *testing.T, db *sqldb.DB, id int64) int64 {
	t.Helper()
	var job int64
	if err := db.QueryRowForTest(`SELECT n.job_id FROM notifications n JOIN invitations i ON i.activity_id = n.activity_id
		WHERE i.id = $1`, id).Scan(&job); err != nil {
		t.Fatal(err)
	}
	return job
}

// TestInvitationLimit: an agent may send DefaultInvitationLimit
// invitations an hour, counted in the database under parallel requests.
func TestInvitationLimit(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mia Member", w.Council, w.LocalA)
		cl := w.MustClient(t, member, "Ivy", "Tennant", "2013-01-02")
		svc := sqldb.NewInvitationService(db, invitationSecret)
		svc.Limit = 5
		as := sqldbtest.As(member)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = svc.CreateInvitation(as, cl.ID, patchwork.InvitationRequest{Email: "colleague" + itoa(int64(i)) + "@ashford.test"})
			}()
		}
		wg.Wait()
		var ok, limited int
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case patchwork.ErrorCode(err) == patchwork.ETOOMANYREQUEST:
				limited++
			default:
				t.Fatalf("invitation: %v", err)
			}
		}
		if ok != 5 || limited != 3 {
			t.Fatalf("%d sent, %d limited; want 5 and 3", ok, limited)
		}
		clk.Add(sqldb.InvitationWindow + time.Second)
		if _, err := svc.CreateInvitation(as, cl.ID, patchwork.InvitationRequest{Email: "later@ashford.test"}); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}
