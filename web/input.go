package web

import (
	"net/http"
	"net/url"

	"patchwork"
)

// textFields are the form fields whose values a request type's Validate (in
// the root package) checks and, when they hold bytes no database can store,
// answers with a message beside the field, the form kept as typed; the
// sign-in fields get the ordinary wrong-email-or-password answer (and a
// next page that is not a plain path of this site is dropped), the search
// box a message beside it. Passwords are only ever hashed, never stored or
// looked up, so any bytes the password policy allows are left to it. See docs/security.md ("Input boundary").
var textFields = map[string]bool{
	"first_name": true, "last_name": true, "date_of_birth": true, "address": true, "postcode": true, "phone": true,
	"aliases": true, "name": true, "role": true, "generic_role": true, "mobile": true, "landline": true,
	"contact_email": true, "working_hours": true, "basis_note": true, "note": true, "message": true,
	"email": true, "password": true, "current_password": true, "next": true, "q": true,
	"relationship_note": true, "last_contact_on": true, "next_contact_on": true, "next_contact_time": true,
	"agency_name": true, "manager_name": true, "manager_email": true, "request_reason": true,
}

// checkInput is the guard no handler can forget: it reads the query and the
// form of every request and refuses, with a 400 page and before any
// handler runs, one whose names or values are not valid UTF-8 or hold a NUL
// byte (PostgreSQL refuses both with an internal error; SQLite would store
// the raw bytes) — except in textFields, which are left to the checks that
// answer beside the field. A form that cannot be parsed at all is refused
// the same way.
func (s *Server) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || !cleanValues(r.Form) || !cleanValues(r.PostForm) {
			s.renderError(w, r, http.StatusBadRequest, "The form could not be read",
				"Something sent with this page has characters Patchwork cannot save. Go back, check what you typed and try again.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cleanValues reports whether every name in vs, and every value outside
// textFields, is valid text.
func cleanValues(vs url.Values) bool {
	for k, values := range vs {
		if !patchwork.ValidText(k) {
			return false
		}
		if textFields[k] {
			continue
		}
		for _, v := range values {
			if !patchwork.ValidText(v) {
				return false
			}
		}
	}
	return true
}
