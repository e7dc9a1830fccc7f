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

	// CreateArea adds an area under a parent of the level above. System
	// admins and the system caller may add any area; an area admin may add
	// local areas to their districts (another parent is ENOTFOUND, as for
	// one that does not exist); other agents get ENOTFOUND. EINVALID for a
	// missing or ambiguous name (see AreaAdminService.UpdateArea), an
	// unknown kind or a wrong parent.
	CreateArea(ctx context.Context, a *Area) error
}

// MaxAreaName bounds the name of an area.
const MaxAreaName = 100

// AdminArea is an area as the admin areas page shows it: its place in the
// hierarchy and what belongs to it.
type AdminArea struct {
	Area     *Area
	Parent   *Area     // nil for a network
	Children []*Area   // its districts, or its local areas, by name
	Agencies []*Agency // the agencies with this area among theirs, by name
	Agents   int       // agents with this area among theirs
	Clients  int       // clients in this area
}

// AreaUpdate renames an area or moves it under another parent of the same
// level (a local area to another district, a district to another
// network). Name is the name it is to have (the same to keep it); a zero
// ParentID keeps the parent.
type AreaUpdate struct {
	Name     string
	ParentID int64
}

// AreaAdminService edits the area hierarchy and moves agents and clients
// between areas. Every method follows AdminService's contract: a
// system admin reaches every area; an area admin reaches the districts they
// were given and the local areas in them, and meets every other area, and
// the agencies, agents and clients outside those districts, as ENOTFOUND,
// exactly as one that does not exist. Networks and districts are created,
// renamed and moved by system admins only. Every change is one transaction
// with its audit row.
type AreaAdminService interface {
	// FindAdminAreas returns the areas in the caller's reach, networks
	// first, then districts, then local areas, each group by name.
	FindAdminAreas(ctx context.Context) ([]*Area, error)

	// FindAdminArea returns one area in the caller's reach with its parent,
	// children, agencies and counts.
	FindAdminArea(ctx context.Context, id int64) (*AdminArea, error)

	// UpdateArea renames or moves an area in reach. EINVALID (field name)
	// for an empty or too long name, or one another area of its level
	// already has; EINVALID (field parent_id) for a parent that is not an
	// area of the level above in the caller's reach.
	UpdateArea(ctx context.Context, id int64, upd AreaUpdate) error

	// SetAgentAreas gives an agent in reach the local areas areaIDs in
	// place of their areas in the caller's reach; their areas outside
	// reach stay. An area the agent keeps keeps its origin (chosen, or
	// added by a team). EINVALID (field areas) for none, or an id that is
	// no local area in reach. (An agency's areas are set with the rest of
	// it: AgencyAdminService.)
	SetAgentAreas(ctx context.Context, agentID int64, areaIDs []int64) error

	// FindClientToMove returns what an admin is shown of a client in
	// reach (see AdminClient) before moving it; the view is audited.
	FindClientToMove(ctx context.Context, clientID int64) (*AdminClient, error)

	// MoveClient moves a client in reach to the local area areaID in
	// reach: the area replaces its local areas in the caller's reach.
	// Search follows at once: the client is found in the new area's local
	// and district scopes. The areas its team members were given by this
	// client's team (Area.FromTeam) follow too. EINVALID (field area_id)
	// for an id that is no local area in reach.
	MoveClient(ctx context.Context, clientID, areaID int64) error
}

// AreaImportResult is what an uploaded area list did, or in a dry run
// would do: each problem as "row N: field: reason", and a sentence that
// sums it up.
type AreaImportResult struct {
	DryRun   bool
	JobID    int64 // the import job of a real run (see ImportService)
	Problems []string
	Summary  string
}

// Audit actions of the area admin functions.
const (
	AuditAreaUpdate     = "admin.area_update"
	AuditAgencyAreas    = "admin.agency_areas"
	AuditAgentAreas     = "admin.agent_areas"
	AuditClientAreaView = "admin.client_area_view"
	AuditClientAreaMove = "admin.client_area_move"
	AuditAreaImport     = "admin.area_import"
)
