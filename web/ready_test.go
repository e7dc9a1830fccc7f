package web_test

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestReadiness: /readyz is 200 only while the database answers, its
// migrations are current and the worker (where one runs) is claiming jobs;
// /healthz stays 200 throughout, since restarting a live instance because
// its database is down helps nobody.
func TestReadiness(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		var workerStopped atomic.Bool
		e := newEnvWith(t, db, app.Options{WorkerReady: func() error {
			if workerStopped.Load() {
				return errors.New("worker: not running")
			}
			return nil
		}})
		b := e.anonymous(t)
		b.get("/readyz").must(t, http.StatusOK, "ready")

		workerStopped.Store(true)
		r := b.get("/readyz")
		r.must(t, http.StatusServiceUnavailable, "not ready")
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("readyz Cache-Control = %q", r.header.Get("Cache-Control"))
		}
		workerStopped.Store(false)
		b.get("/readyz").must(t, http.StatusOK, "ready")

		// A migration this binary knows but the database lacks.
		if _, err := db.ExecForTest(`DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`); err != nil {
			t.Fatal(err)
		}
		b.get("/readyz").must(t, http.StatusServiceUnavailable, "not ready")
		b.get("/healthz").must(t, http.StatusOK, "ok")

		db.Close()
		b.get("/readyz").must(t, http.StatusServiceUnavailable, "not ready")
		b.get("/healthz").must(t, http.StatusOK, "ok")
	})
}
