package patchwork_test

import (
	"strings"
	"testing"
	"time"

	"patchwork"
)

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// TestParseDateOfBirth covers the client forms' dates of birth: every
// form the search box reads, a two-digit year only when one century alone
// gives a date of birth (now is 22 November 2026), and a message for each
// date that is not one.
func TestParseDateOfBirth(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"2012-03-27", "2012-03-27", ""},
		{"27/03/2012", "2012-03-27", ""},
		{"7/3/2012", "2012-03-07", ""},
		{" 01.02.2010 ", "2010-02-01", ""},
		{"5 May 2015", "2015-05-05", ""},
		{"5/5/2015", "2015-05-05", ""},
		{"05.05.2015", "2015-05-05", ""},
		{"2015-05-05", "2015-05-05", ""},
		{"5-5-2015", "2015-05-05", ""},
		{"1st February, 2010", "2010-02-01", ""},
		{"22nd Sept 1975", "1975-09-22", ""},
		{"5 may 80", "1980-05-05", ""},
		{"5/5/80", "1980-05-05", ""},
		{"1/12/26", "1926-12-01", ""},  // 2026-12-01 is still to come
		{"29/02/00", "2000-02-29", ""}, // 1900 was no leap year
		{"1/1/00", "", "1900 or 2000"},
		{"5/5/15", "", "1915 or 2015"},
		{"5/5/26", "", "1926 or 2026"},
		{"31/02/2012", "", "real date"},
		{"29/02/2011", "", "real date"},
		{"27/03/2030", "", "in the past"},
		{"23/11/2026", "", "in the past"},
		{"03/27/2012", "", "real date"},
		{"1899-12-31", "", "after 1900"},
		{"March 2012", "", "full date"},
		{"2012", "", "full date"},
		{"next tuesday", "", "for example 27/03/2012"},
		{"01022010", "", "for example 27/03/2012"},
	} {
		got, err := patchwork.ParseDateOfBirth(tc.in, now)
		if tc.err == "" && (err != nil || got != tc.want) {
			t.Errorf("%q: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: error %v, want one mentioning %q", tc.in, err, tc.err)
		}
	}
	if got := patchwork.DateInWords("2015-05-05"); got != "5 May 2015" {
		t.Errorf("DateInWords = %q", got)
	}
}

func TestClientValidate(t *testing.T) {
	c := &patchwork.Client{FirstName: "  Ann  ", LastName: "Lee", Postcode: " sw1a  1aa", Aliases: []string{"", "Annie Lee", "annie lee", " "}}
	if err := c.Validate("05/06/2015", now); err != nil {
		t.Fatal(err)
	}
	if c.FirstName != "Ann" || c.Postcode != "SW1A 1AA" || c.DateOfBirth != "2015-06-05" || len(c.Aliases) != 1 {
		t.Fatalf("normalised = %+v", c)
	}
	bad := &patchwork.Client{Phone: "call me"}
	f := patchwork.ErrorFields(bad.Validate("", now))
	for _, k := range []string{"first_name", "last_name", "date_of_birth", "phone"} {
		if f[k] == "" {
			t.Errorf("no message for %s (%v)", k, f)
		}
	}
}

func TestJoinAndLeaveRequests(t *testing.T) {
	for _, tc := range []struct {
		req   patchwork.JoinRequest
		field string
	}{
		{patchwork.JoinRequest{Declaration: true, Basis: patchwork.BasisConsent}, ""},
		{patchwork.JoinRequest{Basis: patchwork.BasisConsent}, "declaration"},
		{patchwork.JoinRequest{Declaration: true, Basis: "because"}, "basis"},
		{patchwork.JoinRequest{Declaration: true, Basis: patchwork.BasisOther}, "basis_note"},
		{patchwork.JoinRequest{Declaration: true, Basis: patchwork.BasisOther, BasisNote: "Court order"}, ""},
	} {
		f := patchwork.ErrorFields(tc.req.Validate())
		if (tc.field == "" && f != nil) || (tc.field != "" && f[tc.field] == "") {
			t.Errorf("%+v: fields %v, want %q", tc.req, f, tc.field)
		}
	}
	if (&patchwork.LeaveRequest{Reason: "case_closed"}).Validate() != nil || (&patchwork.LeaveRequest{}).Validate() == nil {
		t.Error("leave validation")
	}
}

func TestAccessRules(t *testing.T) {
	active := &patchwork.Agent{ID: 1, Active: true}
	inactive := &patchwork.Agent{ID: 2}
	admin := &patchwork.Agent{ID: 3, Active: true, Admin: true}
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"member views", patchwork.CanViewClient(active, true), true},
		{"non-member cannot view", patchwork.CanViewClient(active, false), false},
		{"admin non-member cannot view outside audited functions", patchwork.CanViewClient(admin, false), false},
		{"deactivated member cannot view", patchwork.CanViewClient(inactive, true), false},
		{"nobody cannot view", patchwork.CanViewClient(nil, true), false},
		{"active agent searches", patchwork.CanSearch(active), true},
		{"deactivated agent cannot search", patchwork.CanSearch(inactive), false},
		{"non-member may join", patchwork.CanJoin(active, false), true},
		{"member cannot join again", patchwork.CanJoin(active, true), false},
		{"admin administers", patchwork.CanAdminister(admin), true},
		{"agent does not administer", patchwork.CanAdminister(active), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v", tc.name, tc.got)
		}
	}
}

func TestAsSeenBy(t *testing.T) {
	dv := &patchwork.Agency{ID: 9, Name: "Safe Haven DV Service", Sensitive: true, GenericLabel: "Support service",
		Phone: "0800 1", ContactRoute: "Ask for the duty worker"}
	a := &patchwork.Agent{ID: 1, Role: "IDVA", SensitiveRole: true, GenericRole: "Support worker", AgencyID: 9, Agency: dv}
	other := &patchwork.Agent{ID: 2, AgencyID: 1, Active: true}
	colleague := &patchwork.Agent{ID: 3, AgencyID: 9, Active: true}
	seen := a.AsSeenBy(other)
	if seen.Role != "Support worker" || seen.Agency.Name != "Support service" || seen.Agency.Phone != "" || seen.Agency.ContactRoute == "" {
		t.Fatalf("outsider sees %+v / %+v", seen, seen.Agency)
	}
	if a.AsSeenBy(a).Role != "IDVA" || a.AsSeenBy(&patchwork.Agent{Admin: true}).Agency.Name != dv.Name {
		t.Fatal("self or admin see generic values")
	}
	if c := a.AsSeenBy(colleague); c.Agency.Name != dv.Name || c.Role != "Support worker" {
		t.Fatalf("same-agency colleague sees %q / %q", c.Role, c.Agency.Name)
	}
	if a.Role != "IDVA" || dv.Name != "Safe Haven DV Service" {
		t.Fatal("AsSeenBy changed the original")
	}
}
