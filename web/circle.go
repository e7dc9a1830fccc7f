package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"patchwork"
)

// circleFormData is the page for adding a client to a circle: the caller's
// own clients to pick from, filtered by name, and the relationship.
type circleFormData struct {
	Client  *patchwork.Client
	Filter  string
	Options []*patchwork.ClientSummary
	Hints   []*patchwork.HouseholdHint
}

// circleForm lists the caller's own clients that could be linked; a GET
// form filters them by name, without JavaScript.
func (s *Server) circleForm(w http.ResponseWriter, r *http.Request) {
	f := url.Values{}
	if rel := r.URL.Query().Get("related"); rel != "" {
		f.Set("related_client_id", rel)
	}
	if rel := r.URL.Query().Get("relationship"); rel != "" {
		f.Set("relationship", rel)
	}
	s.renderCircleForm(w, r, http.StatusOK, f, nil)
}

func (s *Server) renderCircleForm(w http.ResponseWriter, r *http.Request, status int, f url.Values, errs map[string]string) {
	p, ok := s.profile(w, r)
	if !ok {
		return
	}
	filter := patchwork.CleanLine(strings.ToValidUTF8(r.URL.Query().Get("q"), ""))
	opts, err := s.svc.Circles.FindLinkableClients(r.Context(), p.Client.ID, filter)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.svc.Circles.FindCircle(r.Context(), p.Client.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Set("q", filter)
	s.render(w, r, status, "circle_new", &page{Form: f, Errors: errs,
		Data: circleFormData{Client: p.Client, Filter: filter, Options: opts, Hints: c.Hints}})
}

// addToCircle links one of the caller's clients into this client's circle.
func (s *Server) addToCircle(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	related, _ := strconv.ParseInt(r.PostFormValue("related_client_id"), 10, 64)
	req := patchwork.CircleRequest{RelatedClientID: related, Relationship: r.PostFormValue("relationship"),
		Note: r.PostFormValue("relationship_note")}
	err := s.svc.Circles.AddToCircle(r.Context(), id, req)
	if fields := patchwork.ErrorFields(err); fields != nil {
		// Only members get this far (the store checks membership first).
		s.renderCircleForm(w, r, http.StatusUnprocessableEntity, r.PostForm, fields)
		return
	}
	if e, ok := err.(*patchwork.Error); ok && e.Code == patchwork.ECONFLICT {
		s.sessions.Put(r.Context(), "flash", e.Message)
		http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#circle", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Added to the circle. Both teams have been told.")
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#circle", http.StatusSeeOther)
}

// removeFromCircle removes a link; a member of either client's team may.
func (s *Server) removeFromCircle(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	related, err := strconv.ParseInt(r.PathValue("related"), 10, 64)
	if !ok || err != nil {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	if err := s.svc.Circles.RemoveFromCircle(r.Context(), id, related); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Removed from the circle. Both teams have been told.")
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10)+"#circle", http.StatusSeeOther)
}

// relationshipOptions are the relationship choices of the circle form.
func relationshipOptions() []patchwork.Option { return patchwork.Relationships }

// circleActivityText words a circle change: the relationship, never who.
func circleActivityText(who, detail string) string {
	what, rel, _ := strings.Cut(detail, ":")
	label := strings.ToLower(patchwork.RelationshipLabel(rel, ""))
	article := "a "
	if strings.HasPrefix(label, "o") || strings.HasPrefix(label, "a") {
		article = "an "
	}
	if rel == patchwork.RelOther {
		label, article = "someone", ""
	}
	if rel == patchwork.RelCaredFor {
		label, article = "person they care for", "a "
	}
	if what == "removed" {
		return who + " removed " + article + label + " from the circle"
	}
	return who + " added " + article + label + " to the circle"
}
