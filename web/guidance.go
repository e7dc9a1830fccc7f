package web

import (
	"net/http"
	"strconv"

	"patchwork"
)

// banner is one next step shown above a page's content until the agent
// dismisses it (or it no longer applies).
type banner struct {
	Item, Text, LinkURL, LinkText string
	Next                          string // where dismissing it returns to
}

// Pages that show first-run banners.
const (
	onDashboard = "dashboard"
	onSearch    = "search"
	onClient    = "client"
)

// guided adds the caller's first-run banners for the page where to p. A
// failure to read them costs only the banners: it is logged, and the page
// is shown without them.
func (s *Server) guided(r *http.Request, p *page, where string) *page {
	g, err := s.svc.Guidance.FindGuidance(r.Context())
	if err != nil {
		s.log.Error("guidance", "err", err, "path", r.URL.Path)
		return p
	}
	next := r.URL.Path
	if where == onDashboard && g.Walkthrough {
		p.Banners = append(p.Banners, banner{Item: patchwork.GuidanceWalkthrough, Next: next,
			Text: "New to Patchwork? Four short steps get you started", LinkURL: "/welcome", LinkText: "Start the guide"})
	}
	if g.NoPhone {
		p.Banners = append(p.Banners, banner{Item: patchwork.GuidanceNoPhone, Next: next,
			Text: "Your profile has no phone number — colleagues can't call you", LinkURL: "/profile", LinkText: "Add a phone number"})
	}
	if g.NoTeams && where != onClient {
		p.Banners = append(p.Banners, banner{Item: patchwork.GuidanceNoTeams, Next: next,
			Text: "You are on no teams yet — search for a client you work with", LinkURL: "/search", LinkText: "Search for a client"})
	}
	return p
}

// dismissGuidance remembers that the caller dismissed a banner or the
// walkthrough, and goes back to the page it was on.
func (s *Server) dismissGuidance(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.Guidance.DismissGuidance(r.Context(), r.PostFormValue("item")); err != nil {
		if patchwork.ErrorCode(err) == patchwork.EINVALID {
			s.renderError(w, r, http.StatusBadRequest, "Nothing to dismiss", "Go back and try again.")
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// walkthroughStep is one page of the first-run walkthrough.
type walkthroughStep struct {
	N, Of, Prev, Nxt int // this step, how many, the previous and next (0: none)
	Heading          string
	Paras            []string
	LinkURL, LinkTxt string
	NextHeading      string // the next step's heading, "" on the last
}

var walkthrough = []walkthroughStep{
	{Heading: "Complete your profile", LinkURL: "/profile", LinkTxt: "Complete your profile",
		Paras: []string{"Colleagues find you in the phone book and on your clients' teams. Add your role, your phone numbers and how you prefer to be contacted, so they can reach you.",
			"If your role is sensitive, you can choose the role others see instead."}},
	{Heading: "Choose your areas", LinkURL: "/profile#areas-hint", LinkTxt: "Choose your areas",
		Paras: []string{"Pick the local areas you work in, on your profile. Search shows clients from your own areas first, and colleagues see where you work."}},
	{Heading: "Find your first client", LinkURL: "/search", LinkTxt: "Search for a client",
		Paras: []string{"Search for a client you work with by name, and date of birth if you know it. If they are already on Patchwork, join their team to see who else works with them; if not, add them.",
			"Follow your organisation's consent and information-sharing procedures before you search or add a client."}},
	{Heading: "Choose your emails", LinkURL: "/settings/notifications", LinkTxt: "Choose your emails",
		Paras: []string{"Patchwork emails you when someone joins or leaves your clients' teams, raises an attention or invites you. Choose, for each kind, to hear at once, in a daily or weekly digest, or not at all."}},
}

// welcome shows one step of the first-run walkthrough (?step=1 to 4). Every
// step can be skipped, and each is an ordinary page: it needs no script.
func (s *Server) welcome(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("step"))
	if r.URL.Query().Get("step") == "" {
		n, err = 1, nil
	}
	if err != nil || n < 1 || n > len(walkthrough) {
		s.notFound(w, r)
		return
	}
	st := walkthrough[n-1]
	st.N, st.Of, st.Prev = n, len(walkthrough), n-1
	if n < len(walkthrough) {
		st.Nxt, st.NextHeading = n+1, walkthrough[n].Heading
	}
	s.render(w, r, http.StatusOK, "welcome", &page{Data: st})
}
