package sqldb_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// call is one service method called on behalf of whoever ctx names.
type call func(ctx context.Context) error

// serviceCalls returns a call of every method of every service, by
// "Interface.Method", on w with a real client id and attention id, so that
// each check is made against something that exists.
func serviceCalls(t *testing.T, w *sqldbtest.World, clientID, attentionID int64, member *patchwork.Agent) map[string]call {
	t.Helper()
	db := w.DB
	agents := sqldb.NewAgentService(db)
	agencies := sqldb.NewAgencyService(db)
	areas := sqldb.NewAreaService(db)
	clients := sqldb.NewClientService(db)
	search := sqldb.NewSearchService(db)
	attentions := sqldb.NewAttentionService(db)
	prefs := sqldb.NewNotificationPrefsService(db, []byte("test secret"))
	jobs := sqldb.NewJobService(db)
	audit := sqldb.NewAuditService(db)
	passwords := sqldb.NewPasswordService(db, []byte("test secret"))
	sessions := sqldb.NewSessionService(db)
	admin := sqldb.NewAdminService(db)
	twoFactor := sqldb.NewTwoFactorService(db)
	terms, guidance := sqldb.NewTermsService(db), sqldb.NewGuidanceService(db)
	merges := sqldb.NewMergeService(db)
	signups := sqldb.NewSignupService(db, []byte("test secret"))
	cl := func() *patchwork.Client {
		return &patchwork.Client{FirstName: "Nia", LastName: "Newcome", DateOfBirth: "01/02/2015"}
	}
	return map[string]call{
		"TwoFactorService.FindTwoFactor":     func(ctx context.Context) error { _, err := twoFactor.FindTwoFactor(ctx); return err },
		"TwoFactorService.StartTwoFactor":    func(ctx context.Context) error { _, err := twoFactor.StartTwoFactor(ctx); return err },
		"TwoFactorService.ConfirmTwoFactor":  func(ctx context.Context) error { _, err := twoFactor.ConfirmTwoFactor(ctx, "123456"); return err },
		"TwoFactorService.ResetOwnTwoFactor": func(ctx context.Context) error { return twoFactor.ResetOwnTwoFactor(ctx, "abcde-fghij") },
		"TwoFactorService.ResetTwoFactor":    func(ctx context.Context) error { _, err := twoFactor.ResetTwoFactor(ctx, member.ID); return err },
		"TermsService.FindTermsAcceptance":   func(ctx context.Context) error { _, err := terms.FindTermsAcceptance(ctx, "v1"); return err },
		"TermsService.AcceptTerms":           func(ctx context.Context) error { _, err := terms.AcceptTerms(ctx, "v1"); return err },
		"GuidanceService.FindGuidance":       func(ctx context.Context) error { _, err := guidance.FindGuidance(ctx); return err },
		"GuidanceService.DismissGuidance": func(ctx context.Context) error {
			return guidance.DismissGuidance(ctx, patchwork.GuidanceNoPhone)
		},
		"PasswordService.ChangePassword": func(ctx context.Context) error {
			return passwords.ChangePassword(ctx, sqldbtest.Password, "lantern marigold tractor", "token")
		},
		"SessionService.FindSessions":     func(ctx context.Context) error { _, err := sessions.FindSessions(ctx, "token", time.Hour); return err },
		"SessionService.EndOtherSessions": func(ctx context.Context) error { _, err := sessions.EndOtherSessions(ctx, "token"); return err },
		"AgentService.FindAgentByID":      func(ctx context.Context) error { _, err := agents.FindAgentByID(ctx, member.ID); return err },
		"AgentService.FindAgents": func(ctx context.Context) error {
			_, _, err := agents.FindAgents(ctx, patchwork.PhoneBookFilter{Name: "Mo"})
			return err
		},
		"AgentService.CreateAgent": func(ctx context.Context) error {
			return agents.CreateAgent(ctx, &patchwork.Agent{Email: "new@ashford.test", Name: "New", AgencyID: w.Council.ID}, sqldbtest.Password)
		},
		"AgentService.UpdateProfile": func(ctx context.Context) error {
			_, err := agents.UpdateProfile(ctx, patchwork.AgentUpdate{Name: "N", Role: "R", PreferredContact: patchwork.ContactEmail})
			return err
		},
		"AgentService.DeactivateAgent":   func(ctx context.Context) error { return agents.DeactivateAgent(ctx, member.ID) },
		"AgentService.FindSharedClients": func(ctx context.Context) error { _, err := agents.FindSharedClients(ctx, member.ID); return err },
		"AgencyService.FindAgencyByID":   func(ctx context.Context) error { _, err := agencies.FindAgencyByID(ctx, w.Council.ID); return err },
		"AgencyService.FindAgencies":     func(ctx context.Context) error { _, err := agencies.FindAgencies(ctx); return err },
		"AgencyService.FindListedAgencies": func(ctx context.Context) error {
			_, _, err := agencies.FindListedAgencies(ctx, patchwork.AgencyListFilter{})
			return err
		},
		"AgencyService.CreateAgency": func(ctx context.Context) error {
			return agencies.CreateAgency(ctx, &patchwork.Agency{Name: "New agency", Sector: "Other"})
		},
		"AreaService.FindAreas":           func(ctx context.Context) error { _, err := areas.FindAreas(ctx); return err },
		"AreaAdminService.FindAdminAreas": func(ctx context.Context) error { _, err := areas.FindAdminAreas(ctx); return err },
		"AreaAdminService.FindAdminArea":  func(ctx context.Context) error { _, err := areas.FindAdminArea(ctx, w.LocalA.ID); return err },
		"AreaAdminService.UpdateArea": func(ctx context.Context) error {
			return areas.UpdateArea(ctx, w.LocalB.ID, patchwork.AreaUpdate{Name: "Renamed"})
		},
		"AreaAdminService.SetAgentAreas": func(ctx context.Context) error {
			return areas.SetAgentAreas(ctx, member.ID, []int64{w.LocalB.ID})
		},
		"AreaAdminService.FindClientToMove": func(ctx context.Context) error { _, err := areas.FindClientToMove(ctx, clientID); return err },
		"AreaAdminService.MoveClient":       func(ctx context.Context) error { return areas.MoveClient(ctx, clientID, w.LocalB.ID) },
		"AreaService.CreateArea": func(ctx context.Context) error {
			return areas.CreateArea(ctx, &patchwork.Area{Kind: patchwork.AreaNetwork, Name: "New network"})
		},
		"ClientService.FindClientProfile": func(ctx context.Context) error { _, err := clients.FindClientProfile(ctx, clientID); return err },
		"ClientService.FindClientPage":    func(ctx context.Context) error { _, err := clients.FindClientPage(ctx, clientID); return err },
		"ClientService.FindMyClients":     func(ctx context.Context) error { _, err := clients.FindMyClients(ctx); return err },
		"ClientService.FindMyActivity":    func(ctx context.Context) error { _, err := clients.FindMyActivity(ctx, 10); return err },
		"ClientService.FindPossibleDuplicates": func(ctx context.Context) error {
			_, err := clients.FindPossibleDuplicates(ctx, cl())
			return err
		},
		"ClientService.CreateClient": func(ctx context.Context) error { return clients.CreateClient(ctx, cl()) },
		"ClientService.UpdateClient": func(ctx context.Context) error { _, err := clients.UpdateClient(ctx, clientID, cl()); return err },
		"ClientService.JoinTeam": func(ctx context.Context) error {
			return clients.JoinTeam(ctx, clientID, patchwork.JoinRequest{Declaration: true, Basis: patchwork.BasisConsent})
		},
		"ClientService.FindJoinCard": func(ctx context.Context) error { _, err := clients.FindJoinCard(ctx, clientID, "x"); return err },
		"ClientService.LeaveTeam": func(ctx context.Context) error {
			return clients.LeaveTeam(ctx, clientID, patchwork.LeaveRequest{Reason: "case_closed"})
		},
		"SearchService.Search": func(ctx context.Context) error {
			_, err := search.Search(ctx, patchwork.SearchQuery{Text: "Nia Newcome"})
			return err
		},
		"AttentionService.RaiseAttention": func(ctx context.Context) error {
			_, err := attentions.RaiseAttention(ctx, clientID, patchwork.AttentionInput{Category: "concern", Message: "x"})
			return err
		},
		"AttentionService.FindAttentions":       func(ctx context.Context) error { _, err := attentions.FindAttentions(ctx, clientID); return err },
		"AttentionService.FindAttention":        func(ctx context.Context) error { _, err := attentions.FindAttention(ctx, attentionID); return err },
		"AttentionService.FindMyOpenAttentions": func(ctx context.Context) error { _, err := attentions.FindMyOpenAttentions(ctx); return err },
		"AttentionService.AcknowledgeAttention": func(ctx context.Context) error {
			_, err := attentions.AcknowledgeAttention(ctx, attentionID)
			return err
		},
		"AttentionService.ResolveAttention": func(ctx context.Context) error {
			_, err := attentions.ResolveAttention(ctx, attentionID, "done")
			return err
		},
		"NotificationPrefsService.FindNotificationPrefs": func(ctx context.Context) error { _, err := prefs.FindNotificationPrefs(ctx); return err },
		"NotificationPrefsService.UpdateNotificationPrefs": func(ctx context.Context) error {
			return prefs.UpdateNotificationPrefs(ctx, map[string]string{patchwork.ActivityMemberJoined: patchwork.NotifyNever})
		},
		"JobService.FindFailedJobs": func(ctx context.Context) error { _, _, err := jobs.FindFailedJobs(ctx, 1); return err },
		"JobService.ExportFailedJobs": func(ctx context.Context) error {
			return jobs.ExportFailedJobs(ctx, func(*patchwork.Job) error { return nil })
		},
		"JobService.RetryJob": func(ctx context.Context) error { return jobs.RetryJob(ctx, 1) },
		"JobService.FindFailedEmails": func(ctx context.Context) error {
			_, _, err := jobs.FindFailedEmails(ctx, patchwork.FailedEmailFilter{})
			return err
		},
		"JobService.RetryEmails":          func(ctx context.Context) error { _, err := jobs.RetryEmails(ctx, []int64{1}); return err },
		"JobService.DiscardEmails":        func(ctx context.Context) error { _, err := jobs.DiscardEmails(ctx, []int64{1}); return err },
		"AuditService.VerifyAudit":        func(ctx context.Context) error { _, err := audit.VerifyAudit(ctx); return err },
		"AuditService.FindAuditForClient": func(ctx context.Context) error { _, err := audit.FindAuditForClient(ctx, clientID); return err },
		"AdminService.FindAdminAgents": func(ctx context.Context) error {
			_, _, err := admin.FindAdminAgents(ctx, patchwork.AgentFilter{})
			return err
		},
		"AdminService.FindAdminAgent":    func(ctx context.Context) error { _, err := admin.FindAdminAgent(ctx, member.ID); return err },
		"AdminService.DeactivateAgent":   func(ctx context.Context) error { return admin.DeactivateAgent(ctx, member.ID) },
		"AdminService.ReactivateAgent":   func(ctx context.Context) error { return admin.ReactivateAgent(ctx, member.ID) },
		"AdminService.MoveAgent":         func(ctx context.Context) error { return admin.MoveAgent(ctx, member.ID, w.Council.ID) },
		"AdminService.SetAdminDistricts": func(ctx context.Context) error { return admin.SetAdminDistricts(ctx, member.ID, nil) },
		"AdminService.FindAdminAgencies": func(ctx context.Context) error { _, err := admin.FindAdminAgencies(ctx); return err },
		"MergeService.FindClientsToMerge": func(ctx context.Context) error {
			_, _, err := merges.FindClientsToMerge(ctx, clientID, clientID+1)
			return err
		},
		"MergeService.MergeClients": func(ctx context.Context) error {
			_, err := merges.MergeClients(ctx, clientID, clientID+1)
			return err
		},
		"MergeService.UndoMerge":  func(ctx context.Context) error { return merges.UndoMerge(ctx, 1) },
		"MergeService.FindMerges": func(ctx context.Context) error { _, _, err := merges.FindMerges(ctx, 1); return err },
		"MergeService.ExportMerges": func(ctx context.Context) error {
			return merges.ExportMerges(ctx, func(*patchwork.ClientMerge) error { return nil })
		},
		"MergeService.ExportDuplicatePairs": func(ctx context.Context) error {
			return merges.ExportDuplicatePairs(ctx, func(*patchwork.DuplicatePair) error { return nil })
		},
		"MergeService.FindDuplicatePairs":   func(ctx context.Context) error { _, _, err := merges.FindDuplicatePairs(ctx, 1); return err },
		"MergeService.ScanDuplicates":       func(ctx context.Context) error { _, err := merges.ScanDuplicates(ctx); return err },
		"MergeService.DismissDuplicatePair": func(ctx context.Context) error { return merges.DismissDuplicatePair(ctx, 1) },
		"ClientService.FindMergedClient":    func(ctx context.Context) error { _, err := clients.FindMergedClient(ctx, clientID); return err },
		"SignupService.FindAccessRequests": func(ctx context.Context) error {
			_, _, err := signups.FindAccessRequests(ctx, patchwork.AccessRequestFilter{})
			return err
		},
		"SignupService.ExportAccessRequests": func(ctx context.Context) error {
			return signups.ExportAccessRequests(ctx, func(*patchwork.AccessRequest) error { return nil })
		},
		"MergeService.QueueDuplicateScan": func(ctx context.Context) error {
			_, _, err := merges.QueueDuplicateScan(ctx)
			return err
		},
		"MergeService.FindDuplicateScanState": func(ctx context.Context) error { _, err := merges.FindDuplicateScanState(ctx); return err },
		"SignupService.ApproveAccessRequest": func(ctx context.Context) error {
			return signups.ApproveAccessRequest(ctx, 1, w.Council.ID, true)
		},
		"SignupService.RefuseAccessRequest": func(ctx context.Context) error { return signups.RefuseAccessRequest(ctx, 1) },
	}
}

// noCaller lists the methods that run before anyone is signed in, and what
// stands in for the caller there.
var noCaller = map[string]string{
	"AgentService.Authenticate":                 "the email and password",
	"AgentService.FindCaller":                   "the session, for which it loads the caller",
	"NotificationPrefsService.CheckUnsubscribe": "the signed token",
	"NotificationPrefsService.Unsubscribe":      "the signed token",
	"PasswordService.RequestPasswordReset":      "nothing: the same answer for every address, and an email only to its owner",
	"PasswordService.CheckPasswordReset":        "the emailed reset token",
	"PasswordService.ResetPassword":             "the emailed reset token",
	"TwoFactorService.VerifySignInCode":         "the half-signed-in session that only a correct password creates",
	"SignupService.RequestSignup":               "nothing: the same answer for every address, and an email only to it",
	"SignupService.FindSignup":                  "the emailed sign-up token",
	"SignupService.CompleteSignup":              "the emailed sign-up token",
	"SignupService.RequestAccess":               "the emailed sign-up token",
}

// adminOnly lists the methods only admins and the system may call.
var adminOnly = map[string]bool{
	"AgentService.CreateAgent": true, "AgentService.DeactivateAgent": true, "AgencyService.CreateAgency": true,
	"AreaService.CreateArea": true, "AreaAdminService.FindAdminAreas": true, "AreaAdminService.FindAdminArea": true,
	"AreaAdminService.UpdateArea":    true,
	"AreaAdminService.SetAgentAreas": true, "AreaAdminService.FindClientToMove": true, "AreaAdminService.MoveClient": true,
	"JobService.FindFailedJobs": true, "JobService.ExportFailedJobs": true, "JobService.RetryJob": true,
	"JobService.FindFailedEmails": true, "JobService.RetryEmails": true, "JobService.DiscardEmails": true,
	"AuditService.VerifyAudit": true, "AuditService.FindAuditForClient": true,
	"AdminService.FindAdminAgents": true, "AdminService.FindAdminAgent": true, "AdminService.DeactivateAgent": true,
	"AdminService.ReactivateAgent": true, "AdminService.MoveAgent": true, "AdminService.SetAdminDistricts": true,
	"AdminService.FindAdminAgencies":  true,
	"TwoFactorService.ResetTwoFactor": true,
	"MergeService.FindClientsToMerge": true, "MergeService.MergeClients": true, "MergeService.UndoMerge": true,
	"MergeService.FindMerges": true, "MergeService.FindDuplicatePairs": true, "MergeService.ScanDuplicates": true,
	"MergeService.DismissDuplicatePair": true, "MergeService.ExportMerges": true, "MergeService.ExportDuplicatePairs": true,
	"MergeService.QueueDuplicateScan": true, "MergeService.FindDuplicateScanState": true,
	"SignupService.ExportAccessRequests": true,
	"SignupService.FindAccessRequests":   true, "SignupService.ApproveAccessRequest": true, "SignupService.RefuseAccessRequest": true,
}

// TestNoCallerIsRefused proves that no caller is never trusted: every method
// of every service interface refuses a context without a caller with
// EUNAUTHORIZED, and those acting for an agent refuse the system caller too.
// The list of methods is read from the interfaces, so a new method cannot
// escape the test.
func TestNoCallerIsRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mo Member", w.Council, w.LocalA)
		cl := w.MustClient(t, member, "Ada", "Accessor", "03/04/2012")
		att, err := sqldb.NewAttentionService(db).RaiseAttention(sqldbtest.As(member), cl.ID,
			patchwork.AttentionInput{Category: "concern", Message: "x"})
		if err != nil {
			t.Fatal(err)
		}
		calls := serviceCalls(t, w, cl.ID, att.ID, member)
		for _, iface := range []any{(*patchwork.AgentService)(nil), (*patchwork.AgencyService)(nil),
			(*patchwork.AreaService)(nil), (*patchwork.AreaAdminService)(nil), (*patchwork.ClientService)(nil), (*patchwork.SearchService)(nil),
			(*patchwork.AttentionService)(nil), (*patchwork.NotificationPrefsService)(nil),
			(*patchwork.JobService)(nil), (*patchwork.AuditService)(nil), (*patchwork.PasswordService)(nil),
			(*patchwork.SessionService)(nil), (*patchwork.AdminService)(nil), (*patchwork.TwoFactorService)(nil),
			(*patchwork.TermsService)(nil), (*patchwork.GuidanceService)(nil), (*patchwork.MergeService)(nil), (*patchwork.SignupService)(nil)} {
			it := reflect.TypeOf(iface).Elem()
			for i := range it.NumMethod() {
				name := it.Name() + "." + it.Method(i).Name
				if _, ok := noCaller[name]; ok {
					continue
				}
				fn, ok := calls[name]
				if !ok {
					t.Errorf("%s: not covered; add it to serviceCalls (or to noCaller, saying what stands in for the caller)", name)
					continue
				}
				const want = patchwork.EUNAUTHORIZED
				if err := fn(context.Background()); patchwork.ErrorCode(err) != want {
					t.Errorf("%s without a caller: %v, want %s", name, err, want)
				}
				if adminOnly[name] {
					continue
				}
				if err := fn(sqldbtest.System()); patchwork.ErrorCode(err) != want {
					t.Errorf("%s as the system: %v, want %s (the system is no agent)", name, err, want)
				}
			}
		}
	})
}

// TestAdminFunctions proves the one admin gate: a signed-in agent who is
// not an admin gets ENOTFOUND from every admin function, as for a missing
// page, while an admin and the system caller get through.
func TestAdminFunctions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		member := w.MustAgent(t, "Mo Member", w.Council, w.LocalA)
		other := w.MustAgent(t, "Ola Other", w.Council, w.LocalA)
		cl := w.MustClient(t, member, "Ada", "Accessor", "03/04/2012")
		admin := &patchwork.Agent{Email: "admin@ashford.test", Name: "Ada Admin", AgencyID: w.Council.ID, Admin: true}
		if err := sqldb.NewAgentService(db).CreateAgent(sqldbtest.System(), admin, sqldbtest.Password); err != nil {
			t.Fatal(err)
		}
		calls := serviceCalls(t, w, cl.ID, 0, other)
		for name := range adminOnly {
			if err := calls[name](sqldbtest.As(member)); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("%s as a non-admin: %v, want ENOTFOUND", name, err)
			}
		}
		// An admin reads the failed jobs and who looked at a client; the
		// system verifies the audit log and adds what a deployment needs.
		// RetryJob of a job that does not exist is ENOTFOUND for both.
		for _, ctx := range []context.Context{sqldbtest.As(admin), sqldbtest.System()} {
			for _, name := range []string{"JobService.FindFailedJobs", "AuditService.FindAuditForClient", "AuditService.VerifyAudit"} {
				if err := calls[name](ctx); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			if err := calls["JobService.RetryJob"](ctx); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
				t.Errorf("RetryJob of a missing job: %v, want ENOTFOUND", err)
			}
		}
		if err := calls["AreaService.CreateArea"](sqldbtest.As(admin)); err != nil {
			t.Errorf("CreateArea as admin: %v", err)
		}
		if err := calls["AgencyService.CreateAgency"](sqldbtest.System()); err != nil {
			t.Errorf("CreateAgency as the system: %v", err)
		}
		if err := calls["AgentService.DeactivateAgent"](sqldbtest.System()); err != nil {
			t.Errorf("DeactivateAgent as the system: %v", err)
		}
	})
}
