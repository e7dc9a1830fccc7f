package sqldbtest

import (
	"context"
	"testing"

	"patchwork"
	"patchwork/sqldb"
)

// Elsewhere is a second district of the World's network, with one local
// area and one agency, for the reach of area admins.
type Elsewhere struct {
	District *patchwork.Area
	Local    *patchwork.Area
	Agency   *patchwork.Agency
}

// MustElsewhere adds a second district (South district, with the local
// area Croydon and its council) to w.
func (w *World) MustElsewhere(tb testing.TB) *Elsewhere {
	tb.Helper()
	ctx := System()
	areas := sqldb.NewAreaService(w.DB)
	e := &Elsewhere{District: &patchwork.Area{Kind: patchwork.AreaDistrict, Name: "South district", ParentID: w.Network.ID}}
	must(tb, areas.CreateArea(ctx, e.District))
	e.Local = &patchwork.Area{Kind: patchwork.AreaLocal, Name: "Croydon", ParentID: e.District.ID}
	must(tb, areas.CreateArea(ctx, e.Local))
	e.Agency = &patchwork.Agency{Name: "Croydon Family Support", Sector: "Children's social care", EmailDomain: "croydon.test",
		Areas: []*patchwork.Area{e.Local}}
	must(tb, sqldb.NewAgencyService(w.DB).CreateAgency(ctx, e.Agency))
	return e
}

// MustSystemAdmin creates an active system admin of agency.
func (w *World) MustSystemAdmin(tb testing.TB, name string, agency *patchwork.Agency) *patchwork.Agent {
	tb.Helper()
	a := w.MustAgent(tb, name, agency)
	if _, err := w.DB.ExecForTest(`UPDATE agents SET is_admin = 1 WHERE id = $1`, a.ID); err != nil {
		tb.Fatal(err)
	}
	return w.MustCaller(tb, a.ID)
}

// MustAreaAdmin creates an agent of agency who administers districts, as
// a session loads them (with their districts).
func (w *World) MustAreaAdmin(tb testing.TB, name string, agency *patchwork.Agency, districts ...*patchwork.Area) *patchwork.Agent {
	tb.Helper()
	a := w.MustAgent(tb, name, agency)
	ids := make([]int64, len(districts))
	for i, d := range districts {
		ids[i] = d.ID
	}
	must(tb, sqldb.NewAdminService(w.DB).SetAdminDistricts(System(), a.ID, ids))
	return w.MustCaller(tb, a.ID)
}

// MustCaller loads agent id as a session would.
func (w *World) MustCaller(tb testing.TB, id int64) *patchwork.Agent {
	tb.Helper()
	a, err := sqldb.NewAgentService(w.DB).FindCaller(context.Background(), id)
	must(tb, err)
	return a
}
