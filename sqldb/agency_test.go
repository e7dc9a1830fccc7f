package sqldb_test

import (
	"context"
	"errors"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestFindAgencyByID covers what ENOTFOUND means for an agency: only that
// no agency has the id. A database that fails (here: the request was
// cancelled) is an error, never a 404 that would hide the failure.
func TestFindAgencyByID(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		viewer := w.MustAgent(t, "Vera Viewer", w.Council, w.LocalA)
		svc := sqldb.NewAgencyService(db)
		g, err := svc.FindAgencyByID(sqldbtest.As(viewer), w.Council.ID)
		if err != nil || g.Name != w.Council.Name {
			t.Fatalf("existing agency: %+v, %v", g, err)
		}
		if _, err := svc.FindAgencyByID(sqldbtest.As(viewer), w.Council.ID+1000); patchwork.ErrorCode(err) != patchwork.ENOTFOUND {
			t.Fatalf("missing agency: %v, want ENOTFOUND", err)
		}
		ctx, cancel := context.WithCancel(sqldbtest.As(viewer))
		cancel()
		_, err = svc.FindAgencyByID(ctx, w.Council.ID)
		if err == nil || patchwork.ErrorCode(err) != patchwork.EINTERNAL || !errors.Is(err, context.Canceled) {
			t.Fatalf("failing database: %v, want an internal error wrapping context.Canceled", err)
		}
	})
}
