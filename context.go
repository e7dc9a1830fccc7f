package patchwork

import "context"

type ctxKey int

const (
	callerKey ctxKey = iota
	requestMetaKey
)

// NewContextWithCaller returns a copy of ctx that carries the signed-in agent
// on whose behalf the request runs. Every access rule reads it from there.
func NewContextWithCaller(ctx context.Context, a *Agent) context.Context {
	return context.WithValue(ctx, callerKey, a)
}

// CallerFromContext returns the signed-in agent carried by ctx, or nil (also
// for the system caller, which is no agent).
func CallerFromContext(ctx context.Context) *Agent {
	a, _ := ctx.Value(callerKey).(*Agent)
	return a
}

// systemCaller is the caller of NewSystemContext. It shares the agent's
// context key, so a context carries an agent or the system, never both.
type systemCaller struct{}

// NewSystemContext returns a copy of ctx whose caller is the system: the
// operator's own setup code — the CLI, migrations, the demo loader — which
// may call the admin functions that build a deployment (areas, agencies,
// agents, deactivation, audit verification) before any admin exists. It
// carries no agent, so every service that acts for an agent refuses it with
// EUNAUTHORIZED. The web layer never builds one: a session only ever yields
// an agent (web's tests check that it does not refer to this function).
func NewSystemContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, callerKey, systemCaller{})
}

// IsSystemContext reports whether ctx's caller is the system (see
// NewSystemContext). A context with no caller at all is not.
func IsSystemContext(ctx context.Context) bool {
	_, ok := ctx.Value(callerKey).(systemCaller)
	return ok
}

// RequestMeta is what the audit log records about where a request came from.
type RequestMeta struct {
	IP        string
	RequestID string
}

// NewContextWithRequestMeta returns a copy of ctx carrying m.
func NewContextWithRequestMeta(ctx context.Context, m RequestMeta) context.Context {
	return context.WithValue(ctx, requestMetaKey, m)
}

// RequestMetaFromContext returns the request metadata in ctx, if any.
func RequestMetaFromContext(ctx context.Context) RequestMeta {
	m, _ := ctx.Value(requestMetaKey).(RequestMeta)
	return m
}
