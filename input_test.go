package patchwork_test

import (
	"strings"
	"testing"

	"patchwork"
)

func TestValidTextAndCleaning(t *testing.T) {
	for _, tc := range []struct {
		in    string
		valid bool
	}{
		{"Zoë O'Brien", true}, {"", true}, {"a\x00b", false}, {"\xff\xfe", false}, {"caf\xc3", false},
	} {
		if got := patchwork.ValidText(tc.in); got != tc.valid {
			t.Errorf("ValidText(%q) = %v, want %v", tc.in, got, tc.valid)
		}
	}
	if got := patchwork.CleanLine(" Ann\tMarie\r\nLee\x1b[31m\u202e "); got != "Ann Marie  Lee[31m" {
		t.Errorf("CleanLine = %q", got)
	}
	if got := patchwork.CleanText(" line one\r\n\tline two\x07\u2066\n "); got != "line one\n\tline two" {
		t.Errorf("CleanText = %q", got)
	}
}

func TestValidEmail(t *testing.T) {
	for _, ok := range []string{"name@example.org", "first.last+tag@sub.example.org", "o'neill@council.test", "x@a.test"} {
		if !patchwork.ValidEmail(ok) {
			t.Errorf("ValidEmail(%q) = false", ok)
		}
	}
	for _, bad := range []string{
		"", "name", "@example.org", "name@", "x@a.test?cc=evil@evil.example&bcc=spy@evil.example",
		"x@a.test&bcc=spy@evil.example", "Sam <sam@example.org>", "<sam@example.org>", "a@b.test, c@d.test",
		"sam @example.org", `"sam smith"@example.org`, "sam@[127.0.0.1]", "a@b@c.test", "sam@example..org",
		"sam@example.org.", "sam@.example.org", "sam\x00@example.org", "sam\n@example.org", "a@b.test;c@d.test",
		"x@a.test#frag", "group: a@b.test;", strings.Repeat("a", 250) + "@b.test",
	} {
		if patchwork.ValidEmail(bad) {
			t.Errorf("ValidEmail(%q) = true", bad)
		}
	}
}

// TestEveryTextFieldIsChecked gives every text field of every request type
// a NUL byte, invalid UTF-8 and a value over its limit, and expects a
// message under that field each time.
func TestEveryTextFieldIsChecked(t *testing.T) {
	type check struct {
		name, field string
		max         int
		set         func(v string) error
	}
	client := func(set func(c *patchwork.Client, v string)) func(string) error {
		return func(v string) error {
			c := &patchwork.Client{FirstName: "Ann", LastName: "Lee"}
			set(c, v)
			return c.Validate("01/02/2010", now)
		}
	}
	profile := func(set func(u *patchwork.AgentUpdate, v string)) func(string) error {
		return func(v string) error {
			u := &patchwork.AgentUpdate{Name: "Sam", Role: "Nurse", PreferredContact: patchwork.ContactEmail}
			set(u, v)
			return u.Validate()
		}
	}
	agent := func(set func(a *patchwork.Agent, v string)) func(string) error {
		return func(v string) error {
			a := &patchwork.Agent{Email: "sam@example.org", Name: "Sam"}
			set(a, v)
			return a.Validate()
		}
	}
	agency := func(set func(g *patchwork.Agency, v string)) func(string) error {
		return func(v string) error {
			g := &patchwork.Agency{Name: "Council", Sector: "Other", EmailDomain: "council.test"}
			set(g, v)
			return g.Validate()
		}
	}
	checks := []check{
		{"client", "first_name", patchwork.MaxNameLength, client(func(c *patchwork.Client, v string) { c.FirstName = v })},
		{"client", "last_name", patchwork.MaxNameLength, client(func(c *patchwork.Client, v string) { c.LastName = v })},
		{"client", "address", patchwork.MaxAddressLength, client(func(c *patchwork.Client, v string) { c.Address = v })},
		{"client", "postcode", patchwork.MaxPostcodeLength, client(func(c *patchwork.Client, v string) { c.Postcode = v })},
		{"client", "phone", patchwork.MaxPhoneLength, client(func(c *patchwork.Client, v string) { c.Phone = v })},
		{"client", "aliases", patchwork.MaxFullNameLength, client(func(c *patchwork.Client, v string) { c.Aliases = []string{"Annie", v} })},
		{"client", "date_of_birth", 20, func(v string) error {
			c := &patchwork.Client{FirstName: "Ann", LastName: "Lee"}
			return c.Validate(v, now)
		}},
		{"profile", "name", patchwork.MaxNameLength, profile(func(u *patchwork.AgentUpdate, v string) { u.Name = v })},
		{"profile", "role", patchwork.MaxRoleLength, profile(func(u *patchwork.AgentUpdate, v string) { u.Role = v })},
		{"profile", "generic_role", patchwork.MaxRoleLength, profile(func(u *patchwork.AgentUpdate, v string) { u.GenericRole = v })},
		{"profile", "mobile", patchwork.MaxPhoneLength, profile(func(u *patchwork.AgentUpdate, v string) { u.Mobile = v })},
		{"profile", "landline", patchwork.MaxPhoneLength, profile(func(u *patchwork.AgentUpdate, v string) { u.Landline = v })},
		{"profile", "contact_email", patchwork.MaxEmailLength, profile(func(u *patchwork.AgentUpdate, v string) { u.ContactEmail = v })},
		{"profile", "working_hours", patchwork.MaxWorkingHoursLength, profile(func(u *patchwork.AgentUpdate, v string) { u.WorkingHours = v })},
		{"agent", "email", patchwork.MaxEmailLength, agent(func(a *patchwork.Agent, v string) { a.Email = v })},
		{"agent", "name", patchwork.MaxNameLength, agent(func(a *patchwork.Agent, v string) { a.Name = v })},
		{"agent", "role", patchwork.MaxRoleLength, agent(func(a *patchwork.Agent, v string) { a.Role = v })},
		{"agent", "generic_role", patchwork.MaxRoleLength, agent(func(a *patchwork.Agent, v string) { a.GenericRole = v })},
		{"agent", "mobile", patchwork.MaxPhoneLength, agent(func(a *patchwork.Agent, v string) { a.Mobile = v })},
		{"agent", "landline", patchwork.MaxPhoneLength, agent(func(a *patchwork.Agent, v string) { a.Landline = v })},
		{"agent", "contact_email", patchwork.MaxEmailLength, agent(func(a *patchwork.Agent, v string) { a.ContactEmail = v })},
		{"agent", "working_hours", patchwork.MaxWorkingHoursLength, agent(func(a *patchwork.Agent, v string) { a.WorkingHours = v })},
		{"agency", "name", patchwork.MaxNameLength, agency(func(g *patchwork.Agency, v string) { g.Name = v })},
		{"agency", "sector", patchwork.MaxNameLength, agency(func(g *patchwork.Agency, v string) { g.Sector = v })},
		{"agency", "generic_label", patchwork.MaxLabelLength, agency(func(g *patchwork.Agency, v string) { g.GenericLabel = v })},
		{"agency", "address", patchwork.MaxAddressLength, agency(func(g *patchwork.Agency, v string) { g.Address = v })},
		{"agency", "contact_route", patchwork.MaxContactRouteLength, agency(func(g *patchwork.Agency, v string) { g.ContactRoute = v })},
		{"agency", "phone", patchwork.MaxPhoneLength, agency(func(g *patchwork.Agency, v string) { g.Phone = v })},
		{"agency", "generic_phone", patchwork.MaxPhoneLength, agency(func(g *patchwork.Agency, v string) { g.GenericPhone = v })},
		{"agency", "email", patchwork.MaxEmailLength, agency(func(g *patchwork.Agency, v string) { g.Email = v })},
		{"agency", "generic_email", patchwork.MaxEmailLength, agency(func(g *patchwork.Agency, v string) { g.GenericEmail = v })},
		{"agency", "email_domain", patchwork.MaxEmailLength, agency(func(g *patchwork.Agency, v string) { g.EmailDomain = v })},
		{"join", "basis_note", patchwork.MaxNoteLength, func(v string) error {
			r := &patchwork.JoinRequest{Declaration: true, Basis: patchwork.BasisOther, BasisNote: v}
			return r.Validate()
		}},
		{"leave", "note", patchwork.MaxNoteLength, func(v string) error {
			r := &patchwork.LeaveRequest{Reason: "case_closed", Note: v}
			return r.Validate()
		}},
		{"attention", "message", patchwork.MaxAttentionLength, func(v string) error {
			in := &patchwork.AttentionInput{Category: "concern", Message: v}
			return in.Validate()
		}},
		{"resolve", "note", patchwork.MaxAttentionLength, func(v string) error {
			in := &patchwork.ResolveInput{Note: v}
			return in.Validate()
		}},
	}
	for _, c := range checks {
		for _, bad := range []struct{ kind, value, want string }{
			{"NUL", "abc\x00def", "cannot be saved"},
			{"invalid UTF-8", "abc\xff\xfedef", "cannot be saved"},
			{"too long", strings.Repeat("7", c.max+1), ""},
		} {
			f := patchwork.ErrorFields(c.set(bad.value))
			if f[c.field] == "" || !strings.Contains(f[c.field], bad.want) {
				t.Errorf("%s %s with %s: fields %v, want a message under %s", c.name, c.field, bad.kind, f, c.field)
			}
		}
	}
}

func TestTooLongMessagesSayTheLimit(t *testing.T) {
	u := &patchwork.AgentUpdate{Name: "Sam", Role: "Nurse", SensitiveRole: true, GenericRole: strings.Repeat("w ", 1<<19),
		PreferredContact: patchwork.ContactEmail}
	if got := patchwork.ErrorFields(u.Validate())["generic_role"]; got != "The role others see must be 100 characters or fewer" {
		t.Errorf("1 MB generic role: %q", got)
	}
	in := &patchwork.AttentionInput{Category: "concern", Message: strings.Repeat("é", patchwork.MaxAttentionLength)}
	if err := in.Validate(); err != nil {
		t.Errorf("1,000 two-byte characters refused: %v", err)
	}
}

func TestSensitiveAgencyGenericMailbox(t *testing.T) {
	g := &patchwork.Agency{Name: "Safe Haven", Sector: "Charity", Sensitive: true, EmailDomain: "safehaven.test",
		GenericLabel: "Support service", GenericEmail: "duty@mail.safehaven.test"}
	if f := patchwork.ErrorFields(g.Validate()); f["generic_email"] == "" {
		t.Fatalf("generic mailbox at the agency's own domain accepted: %v", f)
	}
	g.GenericEmail = "duty@support-line.test"
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
}
