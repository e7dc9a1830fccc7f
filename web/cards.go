package web

import (
	"html"
	"html/template"
	"strconv"
	"strings"
)

// The client page is Patchwork's hottest page, and html/template spends about
// a microsecond of reflection on every action. The repeated parts of it — the
// team cards and the activity trail — are therefore written here with
// explicit escaping: every value goes through html.EscapeString (or a URL
// built only from digits and '+'), so the result is as safe as the template.

// esc escapes s for HTML text and attribute values (quotes included).
func esc(s string) string { return html.EscapeString(s) }

// teamCardsHTML renders the team as cards; see ui/templates/pages/client.html
// for where it sits.
func teamCardsHTML(cards []memberCard) template.HTML {
	var b strings.Builder
	b.Grow(900 * len(cards))
	for _, c := range cards {
		b.WriteString(`<li class="pw-card"><h3 class="govuk-heading-s">`)
		if c.IsMe {
			b.WriteString(esc(c.Name) + " (you)")
		} else {
			b.WriteString(`<a class="govuk-link" href="/agents/` + strconv.FormatInt(c.ID, 10) + `">` + esc(c.Name) + `</a>`)
		}
		b.WriteString(`</h3>`)
		if c.IsLead {
			b.WriteString(`<p class="govuk-body-s govuk-!-margin-bottom-1"><strong class="govuk-tag govuk-tag--green">Lead professional</strong></p>`)
		}
		if c.OutOfDate {
			b.WriteString(`<p class="govuk-body-s govuk-!-margin-bottom-1"><strong class="govuk-tag govuk-tag--grey">May be out of date</strong></p>`)
		}
		b.WriteString(`<p class="pw-meta">` + esc(c.Role) + ", " + esc(c.Agency) + `</p>`)
		if c.Contact != "" {
			b.WriteString(`<p class="govuk-body-s pw-contact-dates">` + esc(c.Contact) + `</p>`)
		}
		b.WriteString(`<ul class="pw-contact">`)
		contact := func(kind, label, shown, href string) {
			pref := c.Preferred == kind
			if pref {
				b.WriteString(`<li class="pw-preferred">`)
			} else {
				b.WriteString(`<li>`)
			}
			b.WriteString(label + `: <a class="govuk-link" href="` + href + `">` + esc(shown) + `</a>`)
			if pref {
				b.WriteString(" (preferred)")
			}
			b.WriteString(`</li>`)
		}
		if c.Mobile != "" {
			contact("mobile", "Mobile", c.Mobile, "tel:"+c.MobileTel)
		}
		if c.Landline != "" {
			contact("landline", "Landline", c.Landline, "tel:"+c.LandlineTel)
		}
		if c.Email != "" {
			contact("email", "Email", c.Email, esc(mailtoURL([]string{c.Email}, "")))
		}
		if c.ContactRoute != "" {
			b.WriteString(`<li>Contact route: ` + esc(c.ContactRoute) + `</li>`)
		}
		if c.WorkingHours != "" {
			b.WriteString(`<li>Works: ` + esc(c.WorkingHours) + `</li>`)
		}
		b.WriteString(`</ul><p class="pw-meta govuk-body-s">On the team since ` + esc(c.Since) + `</p>`)
		if c.IsMe {
			b.WriteString(`<p class="govuk-body-s"><a class="govuk-link" href="/clients/` + strconv.FormatInt(c.ClientID, 10) +
				`/membership">Update your contact dates</a></p>`)
		}
		b.WriteString(`</li>`)
	}
	return template.HTML(b.String())
}

// trailHTML renders activity lines as list items.
func trailHTML(lines []trailLine) template.HTML {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(`<li>` + esc(l.Text) + ` <span class="pw-meta">— ` + esc(l.When) + `</span></li>`)
	}
	return template.HTML(b.String())
}
