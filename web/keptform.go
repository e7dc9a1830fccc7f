package web

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"patchwork"
)

// A session that times out while an agent types an attention or a client
// loses nothing: the form they send is answered with the sign-in page, which
// carries what they typed sealed in a hidden field, and signing in again
// shows the form filled in, to check and send. What was typed is never
// stored: not in the database, a cookie, a URL or a log; it lives only in
// the page in the agent's own browser, encrypted (AES-GCM under a key
// derived from the deployment secret) and bound to the agent whose session
// timed out and to the form's route. Someone else signing in on that
// browser gets their dashboard, and the sealed text cannot be opened for
// them. The refilled form is sent by the agent's own click, an ordinary
// same-origin post that CrossOriginProtection lets through; nothing is
// re-posted on their behalf.

// keptRoutes are the forms whose text is kept over a sign-in, each with
// the page that shows it again.
func (s *Server) keptRoutes() map[string]func(w http.ResponseWriter, r *http.Request, f url.Values) {
	return map[string]func(w http.ResponseWriter, r *http.Request, f url.Values){
		"POST /clients": func(w http.ResponseWriter, r *http.Request, f url.Values) {
			f.Del("confirm_new") // the duplicate check runs again
			s.renderNewClient(w, r, http.StatusOK, f, nil, nil)
		},
		"POST /clients/{id}/attentions": func(w http.ResponseWriter, r *http.Request, f url.Values) {
			p, ok := s.profile(w, r)
			if !ok {
				return
			}
			s.render(w, r, http.StatusOK, "attention_new", &page{Form: f, Data: attentionFormData{Client: p.Client}})
		},
		"POST /clients/{id}/edit": func(w http.ResponseWriter, r *http.Request, f url.Values) {
			p, ok := s.profile(w, r)
			if !ok {
				return
			}
			s.render(w, r, http.StatusOK, "client_edit", &page{Form: f, Data: editClientData{Client: p.Client}})
		},
	}
}

// keptNotice is shown above a form filled in again after signing in.
const keptNotice = "You were signed out, so this was not saved. What you typed is below: check it and send it again."

// keptForm is what the hidden field holds, sealed.
type keptForm struct {
	Pattern string     `json:"p"`
	ID      string     `json:"i,omitempty"` // the route's {id}
	Form    url.Values `json:"f"`
	At      int64      `json:"t"` // unix seconds when it was sealed
}

// expiredAgentKey marks, in a request's context, the agent whose session
// loadCaller has just ended for being idle.
type expiredAgentKey struct{}

func withExpiredAgent(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, expiredAgentKey{}, id)
}

func expiredAgent(ctx context.Context) int64 {
	id, _ := ctx.Value(expiredAgentKey{}).(int64)
	return id
}

// noticeKey carries a notice for render to show above the page.
type noticeKey struct{}

// keptKey derives the sealing key from the deployment secret, for this use
// only.
func keptKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("patchwork kept form v1"))
	return m.Sum(nil)
}

func keptAAD(agentID int64) []byte { return []byte("agent:" + strconv.FormatInt(agentID, 10)) }

func (s *Server) keptAEAD() (cipher.AEAD, error) {
	block, err := aes.NewCipher(s.keptKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealForm seals k for agentID.
func (s *Server) sealForm(k keptForm, agentID int64) (string, error) {
	plain, err := json.Marshal(k)
	if err != nil {
		return "", err
	}
	aead, err := s.keptAEAD()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, keptAAD(agentID))), nil
}

var errKeptForm = errors.New("web: kept form not valid for this agent")

// openForm opens a sealed form for agentID: it fails for another agent's,
// an altered or a stale one (older than a session may live).
func (s *Server) openForm(sealed string, agentID int64) (keptForm, error) {
	var k keptForm
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return k, errKeptForm
	}
	aead, err := s.keptAEAD()
	if err != nil {
		return k, err
	}
	if len(raw) < aead.NonceSize() {
		return k, errKeptForm
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], keptAAD(agentID))
	if err != nil || json.Unmarshal(plain, &k) != nil {
		return k, errKeptForm
	}
	if age := s.now().Sub(time.Unix(k.At, 0)); age < 0 || age > s.cfg.SessionLifetime {
		return k, errKeptForm
	}
	return k, nil
}

// keepTyped answers a kept route's post from an agent whose session has
// just timed out with the sign-in page carrying the sealed form; any other
// request goes on to h.
func (s *Server) keepTyped(pattern string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		agentID := expiredAgent(r.Context())
		if r.Method != http.MethodPost || agentID == 0 || patchwork.CanUse(patchwork.CallerFromContext(r.Context())) {
			h(w, r)
			return
		}
		sealed, err := s.sealForm(keptForm{Pattern: pattern, ID: r.PathValue("id"), Form: r.PostForm, At: s.now().Unix()}, agentID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		s.render(w, r, http.StatusUnauthorized, "login", &page{Data: loginData{Kept: sealed}})
	}
}

// refillKept shows the form sealed in kept to the agent who has just signed
// in, and reports whether it did. A form sealed for someone else (or
// altered, or stale) is dropped without a word.
func (s *Server) refillKept(w http.ResponseWriter, r *http.Request, a *patchwork.Agent, kept string) bool {
	if kept == "" {
		return false
	}
	k, err := s.openForm(kept, a.ID)
	if err != nil {
		return false
	}
	show, ok := s.keptRoutes()[k.Pattern]
	if !ok {
		return false
	}
	r2 := r.WithContext(context.WithValue(patchwork.NewContextWithCaller(r.Context(), a), noticeKey{}, keptNotice))
	if k.ID != "" {
		r2.SetPathValue("id", k.ID)
	}
	w.Header().Set("Cache-Control", "no-store")
	show(w, r2, k.Form)
	return true
}
