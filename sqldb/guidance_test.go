package sqldb_test

import (
	"testing"
	"time"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

func TestTermsAcceptance(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := sqldbtest.NewClock(db)
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council)
		kim := w.MustAgent(t, "Kim", w.Council)
		svc := sqldb.NewTermsService(db)
		ctx := sqldbtest.As(sam)
		if at, err := svc.FindTermsAcceptance(ctx, "v1"); err != nil || !at.IsZero() {
			t.Fatalf("before: %v %v", at, err)
		}
		first, err := svc.AcceptTerms(ctx, "v1")
		if err != nil || !first {
			t.Fatalf("first acceptance: %v %v", first, err)
		}
		accepted := clk.Now()
		clk.Add(time.Hour)
		// Accepting again changes nothing, nor is it audited twice.
		if first, err := svc.AcceptTerms(ctx, "v1"); err != nil || first {
			t.Fatalf("again: %v %v", first, err)
		}
		if at, err := svc.FindTermsAcceptance(ctx, "v1"); err != nil || !at.Equal(accepted) {
			t.Fatalf("accepted at %v, want %v (%v)", at, accepted, err)
		}
		// A new version must be accepted again; it is not the first.
		if at, err := svc.FindTermsAcceptance(ctx, "v2"); err != nil || !at.IsZero() {
			t.Fatalf("v2 before: %v %v", at, err)
		}
		if first, err := svc.AcceptTerms(ctx, "v2"); err != nil || first {
			t.Fatalf("v2: %v %v", first, err)
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_id = $2`,
			patchwork.AuditTermsAccept, sam.ID); n != 2 {
			t.Fatalf("%d acceptances audited, want 2", n)
		}
		// Sam's acceptance is not Kim's.
		if at, err := svc.FindTermsAcceptance(sqldbtest.As(kim), "v1"); err != nil || !at.IsZero() {
			t.Fatalf("kim: %v %v", at, err)
		}
		if _, err := svc.AcceptTerms(ctx, ""); patchwork.ErrorCode(err) != patchwork.EINVALID {
			t.Fatalf("empty version: %v", err)
		}
	})
}

func TestGuidance(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		sam := w.MustAgent(t, "Sam", w.Council, w.LocalA)
		svc := sqldb.NewGuidanceService(db)
		ctx := sqldbtest.As(sam)
		g, err := svc.FindGuidance(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := patchwork.Guidance{Walkthrough: true, NoPhone: sam.Mobile == "" && sam.Landline == "", NoTeams: true}
		if *g != want {
			t.Fatalf("new agent: %+v, want %+v", *g, want)
		}
		// On a team, the no-teams banner goes by itself.
		w.MustClient(t, sam, "Ada", "Accessor", "03/04/2012")
		if g, err := svc.FindGuidance(ctx); err != nil || g.NoTeams {
			t.Fatalf("on a team: %+v %v", g, err)
		}
		// A phone number on the profile ends the no-phone banner.
		withPhone := *sam
		withPhone.Mobile = "07700 900 123"
		if g, err := svc.FindGuidance(sqldbtest.As(&withPhone)); err != nil || g.NoPhone {
			t.Fatalf("with a phone: %+v %v", g, err)
		}
		// Dismissed, for good, whatever else changes.
		noPhone := *sam
		noPhone.Mobile, noPhone.Landline = "", ""
		for _, item := range []string{patchwork.GuidanceNoPhone, patchwork.GuidanceWalkthrough, patchwork.GuidanceNoPhone} {
			if err := svc.DismissGuidance(ctx, item); err != nil {
				t.Fatal(err)
			}
		}
		if g, err := svc.FindGuidance(sqldbtest.As(&noPhone)); err != nil || g.NoPhone || g.Walkthrough {
			t.Fatalf("dismissed: %+v %v", g, err)
		}
		if err := svc.DismissGuidance(ctx, "anything"); patchwork.ErrorCode(err) != patchwork.EINVALID {
			t.Fatalf("unknown item: %v", err)
		}
		// Another agent's guidance is their own.
		kim := w.MustAgent(t, "Kim", w.Council)
		if g, err := svc.FindGuidance(sqldbtest.As(kim)); err != nil || !g.Walkthrough || !g.NoTeams {
			t.Fatalf("kim: %+v %v", g, err)
		}
	})
}
