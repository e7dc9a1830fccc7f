package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"patchwork"
)

// templateFuncs are the helpers templates may call.
func templateFuncs(v *views, now func() time.Time) template.FuncMap {
	return template.FuncMap{
		"static": func(name string) string { return v.static[name] },
		// navCurrent says whether the main navigation's link to href is
		// the section of the page at path, to mark it aria-current.
		"navCurrent": func(path, href string) bool { return navSection(path) == href },
		// fld builds the argument of the form partials: the page plus
		// key/value pairs such as "Name" "email" "Label" "Email address".
		"fld": fieldArgs,
		"age": func(dob string) string {
			if a := patchwork.AgeAt(dob, now()); a >= 0 {
				return strconv.Itoa(a)
			}
			return ""
		},
		"dob": func(dob string) string {
			t, err := time.Parse(time.DateOnly, dob)
			if err != nil {
				return dob
			}
			return t.Format("2 January 2006")
		},
		"date": func(t time.Time) string { return t.Local().Format("2 January 2006") },
		"when": func(t time.Time) string { return humanTime(t, now()) },
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return "1 " + one
			}
			return strconv.Itoa(n) + " " + many
		},
		"join":        strings.Join,
		"title":       func(s string) string { return strings.ToUpper(s[:min(1, len(s))]) + s[min(1, len(s)):] },
		"tel":         telURI,
		"clientRef":   patchwork.ClientRef,
		"emailKind":   patchwork.EmailJobKindLabel,
		"activity":    activityText,
		"lawfulBases": func() []patchwork.Option { return patchwork.LawfulBases },
		"basisHints":  func() map[string]string { return basisHints },
		"basisReveal": func() map[string]string { return map[string]string{patchwork.BasisOther: "basis-note"} },
		// thousands writes n with a comma every three digits (1,000).
		"thousands":           thousands,
		"attentionCategories": func() []patchwork.Option { return patchwork.AttentionCategories },
		"notificationModes":   func() []patchwork.Option { return patchwork.NotificationModes },
		"optionLabel": func(list, v string) string {
			if list == "attention" {
				return patchwork.OptionLabel(patchwork.AttentionCategories, v)
			}
			return v
		},
		"leaveReasons": func() []patchwork.Option { return patchwork.LeaveReasons },
		"agencyStatus": agencyStatusLabel,
		"stamp":        func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04:05 UTC") },
		"utcDay":       func(t time.Time) string { return t.UTC().Format("Monday 2 January 2006") },
		"basisLabel":   func(v string) string { return patchwork.OptionLabel(patchwork.LawfulBases, v) },
		"leaveLabel": func(v string) string {
			switch v {
			case patchwork.LeaveDeactivated:
				return "Account closed"
			case patchwork.LeaveAgencySuspended:
				return "Agency suspended"
			case patchwork.LeaveClientErased:
				return "Client removed from Patchwork"
			}
			return patchwork.OptionLabel(patchwork.LeaveReasons, v)
		},
		"relationships":  relationshipOptions,
		"contactKinds":   contactKindOptions,
		"shortDay":       func(iso string) string { return shortDay(iso, now()) },
		"daysAway":       func(iso string) int { t, _ := dayOf(iso); return daysFromToday(t, now()) },
		"contactMethods": func() []patchwork.Option { return contactOptions },
		"mailto":         func(addr string) string { return mailtoURL([]string{addr}, "") },
		"scopeLabel":     scopeLabel,
		"domain":         patchwork.EmailDomain,
		"has": func(form url.Values, key string, id int64) bool {
			for _, v := range form[key] {
				if v == strconv.FormatInt(id, 10) {
					return true
				}
			}
			return false
		},
		// readDOB says how a typed date of birth is read, for the form to
		// show back before it is saved, or "" when it is not one.
		"readDOB": func(typed string) string {
			if typed == "" {
				return ""
			}
			dob, err := patchwork.ParseDateOfBirth(typed, now())
			if err != nil {
				return ""
			}
			return patchwork.DateInWords(dob)
		},
		"joinURL": func(m *patchwork.ClientMatch) string {
			return "/clients/" + strconv.FormatInt(m.ID, 10) + "/join?t=" + url.QueryEscape(m.JoinTicket)
		},
	}
}

// navSection is the main navigation link (its href) whose section holds
// the page at path, or "" for a page of none (a client's own pages).
func navSection(path string) string {
	switch {
	case path == "/", path == "/clients/new", path == "/settings/notifications", path == "/dev/mail":
		return path
	case path == "/agencies", strings.HasPrefix(path, "/agencies/"), strings.HasPrefix(path, "/agents/"),
		path == "/people", strings.HasPrefix(path, "/people/"):
		return "/people"
	case path == "/profile", strings.HasPrefix(path, "/settings/"):
		return "/profile"
	case path == "/admin", strings.HasPrefix(path, "/admin/"):
		return "/admin"
	}
	return ""
}

// basisHints says in one line when each lawful basis applies.
var basisHints = map[string]string{
	patchwork.BasisConsent:       "The client (or whoever may decide for them) has agreed to you working with them.",
	patchwork.BasisSafeguarding:  "You need to act to protect the client or someone else from harm.",
	patchwork.BasisStatutoryDuty: "A law requires your agency to work with the client, such as an assessment or a court order.",
	patchwork.BasisOther:         "None of these: you explain the basis below.",
}

// thousands writes n with a comma between each group of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var contactOptions = []patchwork.Option{
	{Value: patchwork.ContactMobile, Label: "Mobile"},
	{Value: patchwork.ContactLandline, Label: "Landline"},
	{Value: patchwork.ContactEmail, Label: "Email"},
}

// fieldArgs builds the argument of the form partials: the page plus
// key/value pairs such as "Name" "email" "Label" "Email address". It looks up
// the field's current value and error here, in Go, because method calls from
// templates go through reflection and cost far more.
func fieldArgs(p any, kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2+3)
	m["Page"] = p
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	if pg, ok := p.(*page); ok {
		name, _ := m["Name"].(string)
		m["Value"] = pg.Form.Get(name)
		m["Error"] = pg.Errors[name]
	}
	return m
}

// telURI is a phone number with only the characters a tel: link keeps.
func telURI(s string) string {
	return strings.Map(func(r rune) rune {
		if (r >= '0' && r <= '9') || r == '+' {
			return r
		}
		return -1
	}, s)
}

// humanTime says when something happened in words a busy reader takes in
// at a glance.
func humanTime(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	case d < 7*24*time.Hour:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
	return t.Local().Format("2 Jan 2006")
}

// activityText describes an activity row in words. It names the agent and
// what happened, never a client's data values; the viewer's own actions read "You …".
func activityText(a *patchwork.Activity, me *patchwork.Agent) string {
	who := a.AgentName
	if me != nil && a.AgentID == me.ID {
		who = "You"
	}
	switch a.Kind {
	case patchwork.ActivityClientCreated:
		return who + " added this client"
	case patchwork.ActivityMemberJoined:
		if a.Detail == patchwork.JoinedAgencyRestored {
			return who + " is back on the team (their agency's suspension was lifted)"
		}
		return who + " joined the team (" + strings.ToLower(patchwork.OptionLabel(patchwork.LawfulBases, a.Detail)) + ")"
	case patchwork.ActivityMemberLeft:
		switch a.Detail {
		case patchwork.LeaveDeactivated:
			return who + " left the team (account closed)"
		case patchwork.LeaveAgencySuspended:
			return who + " left the team (their agency was suspended)"
		}
		return who + " left the team (" + strings.ToLower(patchwork.OptionLabel(patchwork.LeaveReasons, a.Detail)) + ")"
	case patchwork.ActivityClientUpdated:
		return who + " changed " + a.Detail
	case patchwork.ActivityAttentionRaised:
		if a.Detail == patchwork.DetailUrgent {
			return who + " raised an urgent attention"
		}
		return who + " raised an attention"
	case patchwork.ActivityCircleChanged:
		return circleActivityText(who, a.Detail)
	case patchwork.ActivityContactUpdated:
		return who + " updated their contact dates"
	case patchwork.ActivityMembershipConfirmed:
		return who + " confirmed they still work with this client"
	case patchwork.ActivityLeadChanged:
		switch a.Detail {
		case patchwork.LeadProposed:
			return who + " proposed a lead professional"
		case patchwork.LeadDeclined:
			return who + " declined to be lead professional"
		}
		return who + " became lead professional"
	case patchwork.ActivityClientMerged:
		return who + " merged a duplicate record into this client"
	case patchwork.ActivityMergeUndone:
		return who + " undid a merge of this client's records"
	case patchwork.ActivityAttentionSeen:
		return who + " saw an attention"
	case patchwork.ActivityAttentionResolved:
		return who + " resolved an attention"
	case patchwork.ActivityTeamInvited:
		return who + " invited " + a.Detail + " to join the team"
	case patchwork.ActivityInvitationWithdrawn:
		return who + " withdrew the invitation of " + a.Detail
	case patchwork.ActivityInvitationAccepted:
		return who + " accepted an invitation from " + a.Detail
	case patchwork.ActivityInvitationExpired:
		if who == "You" {
			return "Your invitation of " + a.Detail + " expired"
		}
		return who + "'s invitation of " + a.Detail + " expired"
	}
	return who + ": " + a.Kind
}

// teamEmails lists the addresses of the other members of a team, as the
// store gave them to the viewer (a sensitive agency's generic mailbox, say),
// leaving out members shown with none.
func teamEmails(team []*patchwork.TeamMember, me *patchwork.Agent) []string {
	var out []string
	for _, m := range team {
		if e := m.Agent.ReachEmail(); e != "" && (me == nil || m.Agent.ID != me.ID) {
			out = append(out, e)
		}
	}
	return out
}

func scopeLabel(scope string) string {
	switch scope {
	case patchwork.ScopeDistrict:
		return "in your district"
	case patchwork.ScopeNetwork:
		return "in the whole network"
	}
	return "in your local areas"
}
