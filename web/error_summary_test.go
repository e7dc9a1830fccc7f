package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestErrorSummaryFollowsFields: a form with two errors lists them in the
// order of its fields (not alphabetically by field name, as ranging over
// the map of errors would), each linking to its field, in the form's column,
// and the summary takes the focus without JavaScript.
func TestErrorSummaryFollowsFields(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		a := e.MustAgent(t, "Ada Adder", e.Council, e.LocalA)
		b := e.signedIn(t, a)
		for _, tc := range []struct {
			name, path string
			form       url.Values
			want       []string // the summary's links, in order
		}{
			// Alphabetically date_of_birth would come before first_name.
			{"add client", "/clients", url.Values{"first_name": {""}, "last_name": {"Unwin"}, "date_of_birth": {"soon"}},
				[]string{`href="#first_name"`, `href="#date_of_birth"`}},
			// Alphabetically contact_email would come before name.
			{"profile", "/profile", url.Values{"name": {""}, "role": {"Social worker"}, "mobile": {"07700 900123"}, "contact_email": {"not an address"}, "preferred_contact": {"mobile"}},
				[]string{`href="#name"`, `href="#contact_email"`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := b.post(tc.path, tc.form)
				r.must(t, http.StatusUnprocessableEntity, `<div class="govuk-grid-column-two-thirds">
<div class="govuk-error-summary" data-module="govuk-error-summary" id="error-summary" tabindex="-1" autofocus>`)
				start := strings.Index(r.body, `id="error-summary"`)
				summary := r.body[start : start+strings.Index(r.body[start:], "</ul>")]
				if n := strings.Count(summary, "<li>"); n != len(tc.want) {
					t.Fatalf("summary lists %d errors, want %d:\n%s", n, len(tc.want), summary)
				}
				last := -1
				for _, w := range tc.want {
					i := strings.Index(summary, w)
					if i < 0 || i < last {
						t.Fatalf("summary does not list %s after the errors before it:\n%s", w, summary)
					}
					last = i
				}
			})
		}
	})
}
