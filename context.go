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

// CallerFromContext returns the signed-in agent carried by ctx, or nil.
func CallerFromContext(ctx context.Context) *Agent {
	a, _ := ctx.Value(callerKey).(*Agent)
	return a
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
