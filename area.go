package patchwork

import "context"

// Area kinds form a three-level hierarchy.
const (
	AreaNetwork  = "network"
	AreaDistrict = "district"
	AreaLocal    = "local"
)

// Area is a node of the network → district → local area hierarchy. Agents,
// agencies and clients belong to local areas (and through them to a district
// and a network).
type Area struct {
	ID       int64
	ParentID int64 // 0 for a network
	Kind     string
	Name     string
	// FromTeam marks one of an agent's own areas that Patchwork added when
	// they joined a team in it (shown to the agent only); leaving that team
	// removes it.
	FromTeam bool
}

// AreaService reads and manages the area hierarchy.
type AreaService interface {
	// FindAreas returns every area, networks first, then districts, then local
	// areas, each group ordered by name. Any active agent may call it.
	FindAreas(ctx context.Context) ([]*Area, error)

	// CreateArea adds an area under a parent of the level above. Only admins
	// and the system caller may call it; other agents get ENOTFOUND. EINVALID
	// for a missing name, an unknown kind or a wrong parent.
	CreateArea(ctx context.Context, a *Area) error
}
