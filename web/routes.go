package web

import (
	"net/http"
	"net/url"
	"strings"

	"patchwork"
)

// Routes are closed by default: every route in routeList needs an active
// signed-in agent unless publicRoutes names it, and every route under
// adminPrefix also needs an admin. A route is added to routeList and nowhere
// else, so it cannot be registered without its gate.

// route is one pattern the server answers and the handler behind it.
type route struct {
	pattern string
	handler http.HandlerFunc
}

// publicRoutes are the only routes a signed-out visitor reaches. Listing a
// route here is a security decision: its handler must show nothing that
// needs a caller (the unsubscribe pages rely on their signed token alone).
var publicRoutes = map[string]bool{
	"GET /healthz":      true,
	"GET /readyz":       true,
	"GET /static/":      true,
	"GET /login":        true,
	"POST /login":       true,
	"POST /logout":      true,
	"GET /unsubscribe":  true,
	"POST /unsubscribe": true,
	// Password reset: the emailed token is the only credential, and the
	// answer to a request is the same whether or not the address is known.
	"GET /password/forgot":  true,
	"POST /password/forgot": true,
	"GET /password/reset":   true,
	"POST /password/reset":  true,
	// The second step of signing in: it acts only for the half-signed-in
	// session a correct password leaves, and grants nothing before the
	// code is right.
	"GET /login/two-factor":  true,
	"POST /login/two-factor": true,
	// Sign-up: the answer to a request is the same whatever the address;
	// the emailed token is the only credential of the later steps. The
	// demo's sign-up outbox answers 404 outside demo mode.
	"GET /signup":           true,
	"POST /signup":          true,
	"GET /signup/verify":    true,
	"POST /signup/complete": true,
	"POST /signup/access":   true,
	"GET /dev/signup-mail":  true,
	// An invitation's page: signed out, a new colleague's live invitation
	// starts their sign-up (the token proves the address); any other
	// visitor signed out is sent to sign in (see showInvitation).
	"GET /invitations/{token}": true,
	"/":                        true, // "page not found" for every other path
}

// adminPrefix marks the routes behind the admin gate, with adminHomePath.
const (
	adminPrefix   = "/admin/"
	adminHomePath = "/admin"
)

// routeList is every route the server answers.
func (s *Server) routeList() []route {
	return []route{
		{"GET /healthz", s.healthz},
		{"GET /readyz", s.readyz},
		{"GET /static/", s.views.staticHandler().ServeHTTP},

		{"GET /login", s.loginForm},
		{"POST /login", s.login},
		{"POST /logout", s.logout},
		{"GET /login/two-factor", s.twoFactorLoginForm},
		{"POST /login/two-factor", s.twoFactorLogin},
		{"GET /password/forgot", s.forgotPasswordForm},
		{"POST /password/forgot", s.forgotPassword},
		{"GET /password/reset", s.resetPasswordForm},
		{"POST /password/reset", s.resetPassword},
		{"GET /signup", s.signupForm},
		{"POST /signup", s.signup},
		{"GET /signup/verify", s.signupVerify},
		{"POST /signup/complete", s.completeSignup},
		{"POST /signup/access", s.requestAccess},
		{"GET /dev/signup-mail", s.signupMail},
		{"GET /admin/access-requests", s.accessRequests},
		{"GET /admin/access-requests.csv", s.accessRequestsCSV},
		{"POST /admin/access-requests/{id}/approve", s.approveAccessRequest},
		{"POST /admin/access-requests/{id}/refuse", s.refuseAccessRequest},

		{"GET /{$}", s.dashboard},
		{"GET /clients/new", s.newClientForm},
		{"POST /clients", s.createClient},
		{"GET /clients/{id}", s.showClient},
		{"GET /clients/{id}/edit", s.editClientForm},
		{"POST /clients/{id}/edit", s.updateClient},
		{"GET /clients/{id}/join", s.joinForm},
		{"POST /clients/{id}/join", s.join},
		{"GET /clients/{id}/leave", s.leaveForm},
		{"POST /clients/{id}/leave", s.leave},
		{"GET /clients/{id}/membership", s.membershipForm},
		{"POST /clients/{id}/membership", s.updateMembership},
		{"POST /clients/{id}/membership/confirm", s.confirmMembership},
		{"POST /clients/{id}/lead", s.proposeLead},
		{"POST /clients/{id}/lead/answer", s.answerLead},
		{"GET /clients/{id}/family", s.family},
		{"GET /clients/{id}/circle/new", s.circleForm},
		{"POST /clients/{id}/circle", s.addToCircle},
		{"POST /clients/{id}/circle/{related}/remove", s.removeFromCircle},
		{"GET /clients/{id}/invitations/new", s.inviteForm},
		{"POST /clients/{id}/invitations", s.createInvitation},
		{"POST /clients/{id}/invitations/{inv}/withdraw", s.withdrawInvitation},
		{"GET /invitations", s.myInvitation},
		{"GET /invitations/{token}", s.showInvitation},
		{"POST /invitations/{token}", s.acceptInvitation},
		{"GET /clients/{id}/attentions/new", s.newAttentionForm},
		{"POST /clients/{id}/attentions", s.raiseAttention},
		{"POST /attentions/{id}/ack", s.ackAttention},
		{"GET /attentions/{id}/resolve", s.resolveForm},
		{"POST /attentions/{id}/resolve", s.resolveAttention},
		{"GET /settings/notifications", s.notificationsForm},
		{"POST /settings/notifications", s.updateNotifications},
		{"GET /unsubscribe", s.unsubscribeForm},
		{"POST /unsubscribe", s.unsubscribe},
		{"GET /dev/mail", s.devMail},
		{"GET /admin", s.adminHome},
		{"GET /admin/agents", s.adminAgents},
		{"GET /admin/agents.csv", s.adminAgentsCSV},
		{"GET /admin/agents/{id}", s.adminAgent},
		{"POST /admin/agents/{id}/deactivate", s.deactivateAgent},
		{"POST /admin/agents/{id}/reactivate", s.reactivateAgent},
		{"POST /admin/agents/{id}/move", s.moveAgent},
		{"GET /admin/agencies", s.adminAgencies},
		{"GET /admin/agencies.csv", s.adminAgenciesCSV},
		{"GET /admin/agencies/new", s.newAgencyForm},
		{"POST /admin/agencies", s.createAgency},
		{"GET /admin/agencies/{id}", s.adminAgency},
		{"GET /admin/agencies/{id}/edit", s.editAgencyForm},
		{"POST /admin/agencies/{id}/edit", s.updateAgency},
		{"POST /admin/agencies/{id}/approve", s.approveAgency},
		{"POST /admin/agencies/{id}/suspend", s.suspendAgency},
		{"POST /admin/agencies/{id}/unsuspend", s.unsuspendAgency},
		{"GET /admin/agents/{id}/areas", s.agentAreasForm},
		{"POST /admin/agents/{id}/areas", s.setAgentAreas},
		{"GET /admin/areas", s.adminAreas},
		{"POST /admin/areas", s.createNetwork},
		{"POST /admin/areas/import", s.importAreas},
		{"GET /admin/areas/{id}", s.adminArea},
		{"POST /admin/areas/{id}", s.updateArea},
		{"POST /admin/areas/{id}/children", s.createChildArea},
		{"GET /admin/clients/area", s.clientAreaForm},
		{"POST /admin/clients/area", s.moveClient},
		{"GET /admin/clients/merge", s.mergeForm},
		{"POST /admin/clients/merge", s.mergeClients},
		{"GET /admin/merges", s.merges},
		{"GET /admin/merges.csv", s.mergesCSV},
		{"POST /admin/merges/{id}/undo", s.undoMerge},
		{"GET /admin/duplicates", s.duplicates},
		{"GET /admin/duplicates.csv", s.duplicatesCSV},
		{"POST /admin/duplicates/scan", s.scanDuplicates},
		{"POST /admin/duplicates/{id}/dismiss", s.dismissDuplicate},
		{"GET /admin/jobs", s.failedJobs},
		{"GET /admin/jobs.csv", s.failedJobsCSV},
		{"GET /admin/imports", s.adminImports},
		{"GET /admin/imports.csv", s.adminImportsCSV},
		{"POST /admin/jobs/{id}/retry", s.retryJob},
		{"GET /admin/invitations", s.adminInvitations},
		{"GET /admin/invitations.csv", s.adminInvitationsCSV},
		{"POST /admin/invitations/{id}/resend", s.resendInvitation},
		{"GET /admin/emails", s.adminEmails},
		{"GET /admin/emails.csv", s.adminEmailsCSV},
		{"POST /admin/emails/{id}/retry", s.retryEmail},
		{"POST /admin/emails/{id}/discard", s.discardEmail},
		{"POST /admin/emails/retry", s.retryEmails},
		{"POST /admin/emails/discard", s.discardEmails},
		{"GET /admin/clients/{id}/erase", s.eraseForm},
		{"POST /admin/clients/{id}/erase", s.erase},
		{"GET /admin/clients/{id}/access-report", s.accessReport},
		{"GET /admin/audit", s.auditLog},
		{"GET /admin/audit.csv", s.auditCSV},
		{"GET /admin/stats", s.stats},
		{"GET /admin/alerts", s.alerts},
		{"GET /admin/alerts.csv", s.alertsCSV},
		{"GET /admin/retention", s.retention},
		{"GET /admin/retention.csv", s.retentionCSV},
		{"GET /admin/retention-agents.csv", s.retentionAgentsCSV},
		{"GET /admin/stats.csv", s.statsCSV},
		{"GET /search", s.search},
		{"GET /agents/{id}", s.showAgent},
		{"GET /people", s.listPeople},
		{"GET /agencies", s.listAgencies},
		{"GET /agencies/{id}", s.showAgency},
		{"GET /profile", s.profileForm},
		{"POST /profile", s.updateProfile},
		{"GET /settings/password", s.changePasswordForm},
		{"POST /settings/password", s.changePassword},
		{"GET /settings/sessions", s.sessionsPage},
		{"POST /settings/sessions/sign-out-others", s.endOtherSessions},
		{"GET /welcome", s.welcome},
		{"POST /guidance/dismiss", s.dismissGuidance},
		{"GET /terms", s.termsPage},
		{"POST /terms", s.acceptTerms},
		{"GET /settings/security", s.securityPage},
		{"POST /settings/security", s.confirmTwoFactor},
		{"POST /settings/security/reset", s.resetOwnTwoFactor},
		{"POST /admin/agents/{id}/two-factor/reset", s.adminResetTwoFactor},

		{"/", s.notFound},
	}
}

// routes registers every route of routeList behind the gate it needs.
func (s *Server) routes(mux *http.ServeMux) {
	for _, rt := range s.routeList() {
		mux.Handle(rt.pattern, s.gate(rt.pattern, rt.handler))
	}
}

// Who may reach a route.
const (
	accessAgent  = "agent" // the default: an active signed-in agent
	accessPublic = "public"
	accessAdmin  = "admin"
)

// routeAccess says who may reach the route registered as pattern.
func routeAccess(pattern string) string {
	if publicRoutes[pattern] {
		return accessPublic
	}
	path := pattern
	if _, p, ok := strings.Cut(pattern, " "); ok {
		path = p
	}
	if path == adminHomePath || strings.HasPrefix(path, adminPrefix) {
		return accessAdmin
	}
	return accessAgent
}

// gate wraps h in what its route's access needs.
func (s *Server) gate(pattern string, h http.HandlerFunc) http.Handler {
	var g http.HandlerFunc
	switch routeAccess(pattern) {
	case accessPublic:
		g = h
	case accessAdmin:
		g = s.requireAgent(pattern, s.requireAdmin(h))
	default:
		g = s.requireAgent(pattern, h)
		if _, ok := s.keptRoutes()[pattern]; ok {
			g = s.keepTyped(pattern, g)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		markRoute(r, pattern)
		g(w, r)
	})
}

// requireAgent lets through an active signed-in agent; anyone else is sent
// to sign in, whatever the page, so a signed-out visitor learns nothing
// about what exists behind it. An agent who still has a step of signing in
// to take (setting up a required second factor, accepting the terms of
// use) reaches only that step's pages.
func (s *Server) requireAgent(pattern string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !patchwork.CanUse(patchwork.CallerFromContext(r.Context())) {
			s.signIn(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if !s.twoFactorGate(w, r, pattern) || !s.termsGate(w, r, pattern) {
			return
		}
		h(w, r)
	}
}

// requireAdmin answers an agent who is neither a system admin nor an area
// admin with the same page as a missing one: admin pages do not show that
// they exist. The services check again below, record by record: an area
// admin meets another district's records, and the system admins' pages,
// as missing too (docs/security.md).
func (s *Server) requireAdmin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !patchwork.CanReachAdmin(patchwork.CallerFromContext(r.Context())) {
			s.notFound(w, r)
			return
		}
		h(w, r)
	}
}

// signIn sends the visitor to the sign-in page, and back to the page they
// asked for afterwards.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.Path)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// notFound is the one "page not found": for a missing page, a client the
// caller may not see and an admin page a non-admin asked for alike.
//
// Under /clients/ it says what a practitioner needs to know; it is decided
// by the path alone, so a missing client and one the caller is not on the
// team of still get the same bytes.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/clients/") {
		s.render(w, r, http.StatusNotFound, "error", &page{Data: map[string]string{"Title": "Client not found",
			"Message": "This client does not exist, or you are not on their team — search to find and join them.", "Search": "yes"}})
		return
	}
	s.renderError(w, r, http.StatusNotFound, "Page not found", "If you typed the web address, check it is correct.")
}
