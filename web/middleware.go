package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"patchwork"
)

// Session keys.
const (
	sessionAgentKey = "agent_id"
	sessionSeenKey  = "seen" // unix seconds of the last request, give or take seenGranularity
	// seenGranularity is how stale "seen" may get before it is rewritten:
	// without it every page view would also be a session write.
	seenGranularity = time.Minute
)

// securityHeaders sets the headers of docs/security.md (Requests) on every
// response: a strict CSP with no inline script, no framing, no sniffing.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil || s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status code for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	route  string // the route pattern that answered, set by gate
}

// routeKey carries, in a request's context, where gate writes the pattern
// of the route that answers it: the mux sets Request.Pattern only on the
// request it hands the handler, which logRequests never sees.
type routeKey struct{}

// markRoute records pattern as the route answering r, for the log line and
// the metrics.
func markRoute(r *http.Request, pattern string) {
	if p, ok := r.Context().Value(routeKey{}).(*string); ok {
		*p = pattern
	}
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one structured line per request. It logs the path but
// never the query string, which holds what people searched for (names,
// dates of birth), nor a token in the path (loggedPath).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID()
		sw := &statusWriter{ResponseWriter: w}
		ctx := patchwork.NewContextWithRequestMeta(r.Context(), patchwork.RequestMeta{IP: s.clientIP(r), RequestID: id})
		ctx = context.WithValue(ctx, routeKey{}, &sw.route)
		next.ServeHTTP(sw, r.WithContext(ctx))
		d := time.Since(start)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.cfg.Observer.ObserveRequest(sw.route, sw.status, d)
		s.log.Info("request", "method", r.Method, "path", loggedPath(r.URL.Path), "route", sw.route, "status", sw.status,
			"duration_ms", float64(d.Microseconds())/1000, "request_id", id)
	})
}

// loggedPath is path as the request log records it: an invitation's token
// is a credential, so it is replaced by a placeholder.
func loggedPath(path string) string {
	if strings.HasPrefix(path, "/invitations/") {
		return "/invitations/{token}"
	}
	return path
}

func requestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// clientIP is the address sign-in throttling and the sessions page see:
// the connecting address, unless that is one of the deployment's trusted
// proxies (Config.TrustedProxies), in which case it is the address the
// proxy says it received the request from — the last entry of
// X-Forwarded-For, which that proxy appended. Entries before it are the
// client's own claims and are never trusted: anyone can forge them to dodge
// throttling.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(s.cfg.TrustedProxies) == 0 {
		return host
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !trusted(s.cfg.TrustedProxies, peer.Unmap()) {
		return host
	}
	xff := r.Header.Values("X-Forwarded-For")
	if len(xff) == 0 {
		return host
	}
	parts := strings.Split(xff[len(xff)-1], ",")
	last := strings.TrimSpace(parts[len(parts)-1])
	if a, err := netip.ParseAddr(last); err == nil {
		return a.Unmap().String()
	}
	return host
}

func trusted(proxies []netip.Prefix, a netip.Addr) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// recoverPanics turns a panic into a logged 500 page without details.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", v)
				s.renderError(w, r, http.StatusInternalServerError, "Sorry, there is a problem", "Please try again later.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// loadCaller puts the signed-in, still active agent into the context. A
// session idle for longer than the deployment's SessionIdle, or of a
// deactivated agent, is destroyed.
func (s *Server) loadCaller(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := s.sessions.GetInt64(ctx, sessionAgentKey)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		now := s.now()
		seen := time.Unix(s.sessions.GetInt64(ctx, sessionSeenKey), 0)
		if now.Sub(seen) > s.cfg.SessionIdle {
			_ = s.sessions.Destroy(ctx)
			// keepTyped needs to know whose form this was (keptform.go).
			next.ServeHTTP(w, r.WithContext(withExpiredAgent(ctx, id)))
			return
		}
		if now.Sub(seen) > seenGranularity {
			s.sessions.Put(ctx, sessionSeenKey, now.Unix())
		}
		a, err := s.svc.Agents.FindCaller(r.Context(), id)
		switch patchwork.ErrorCode(err) {
		case "":
			r = r.WithContext(patchwork.NewContextWithCaller(r.Context(), a))
		case patchwork.ENOTFOUND:
			_ = s.sessions.Destroy(r.Context())
		default:
			s.serverError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// safeNext returns next if it is an absolute path on this site, or "/".
// Browsers drop tabs and newlines from a URL and read a backslash as a
// slash, so "/<TAB>/evil.example" and "/\evil.example" are
// "//evil.example" to them, another site: any control character or
// backslash is refused, and what is left must parse as a path with no
// scheme or host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') ||
		!utf8.ValidString(next) || strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}
