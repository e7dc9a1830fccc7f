package web

import (
	"net/http"
	"strconv"

	"patchwork"
)

// attentionFormData is the raise-an-attention page.
type attentionFormData struct {
	Client *patchwork.Client
}

func (s *Server) newAttentionForm(w http.ResponseWriter, r *http.Request) {
	p, ok := s.profile(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "attention_new", &page{Data: attentionFormData{Client: p.Client}})
}

func (s *Server) raiseAttention(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	in := patchwork.AttentionInput{Category: r.PostFormValue("category"), Message: r.PostFormValue("message"),
		Urgent: r.PostFormValue("urgent") == "yes"}
	_, err := s.svc.Attentions.RaiseAttention(r.Context(), id, in)
	if fields := patchwork.ErrorFields(err); fields != nil {
		// Validation runs after the membership check, so only a member can
		// get here; showing the client's name reveals nothing new.
		p, ok := s.profile(w, r)
		if !ok {
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "attention_new", &page{Form: r.PostForm, Errors: fields,
			Data: attentionFormData{Client: p.Client}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Attention raised. The team has been alerted.")
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) ackAttention(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	clientID, err := s.svc.Attentions.AcknowledgeAttention(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(clientID, 10)+"#attention-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// resolveData is the page that resolves an attention.
type resolveData struct {
	Attention *patchwork.Attention
}

// resolveForm shows the attention and its client's name, to members of the
// client's team only (the store answers anyone else ENOTFOUND).
func (s *Server) resolveForm(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	a, err := s.svc.Attentions.FindAttention(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "attention_resolve", &page{Data: resolveData{Attention: a}})
}

func (s *Server) resolveAttention(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	clientID, err := s.svc.Attentions.ResolveAttention(r.Context(), id, r.PostFormValue("note"))
	if fields := patchwork.ErrorFields(err); fields != nil {
		// Validation runs after the membership check, so only a member can
		// get here; the page shows them what they were resolving again.
		a, err := s.svc.Attentions.FindAttention(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "attention_resolve", &page{Form: r.PostForm, Errors: fields,
			Data: resolveData{Attention: a}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Attention resolved.")
	http.Redirect(w, r, "/clients/"+strconv.FormatInt(clientID, 10)+"#attentions", http.StatusSeeOther)
}
