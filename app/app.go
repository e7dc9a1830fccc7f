// Package app wires the store, the web layer and (later) the worker into one
// running Patchwork. The CLI and the end-to-end tests both build it here, so
// tests run exactly what production runs.
package app

import (
	"log/slog"
	"time"

	"patchwork/sqldb"
	"patchwork/web"
)

// Options configure an App.
type Options struct {
	Demo          bool
	SecureCookies bool
	Log           *slog.Logger
	Now           func() time.Time
}

// NewServer returns the web server on db with every service wired.
func NewServer(db *sqldb.DB, o Options) (*web.Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	matcher := sqldb.FuzzyMatcher{}
	agents := sqldb.NewAgentService(db)
	agents.DemoMode = o.Demo
	svc := web.Services{
		Agents:     agents,
		Agencies:   sqldb.NewAgencyService(db),
		Areas:      sqldb.NewAreaService(db),
		Clients:    sqldb.NewClientService(db, matcher),
		Search:     sqldb.NewSearchService(db, matcher),
		Attentions: sqldb.NewAttentionService(db),
	}
	return web.NewServer(web.Config{Demo: o.Demo, SecureCookies: o.SecureCookies, Ping: db.Ping},
		svc, sqldb.NewSessionStore(db), o.Log, o.Now)
}
