package patchwork

import (
	"context"
	"time"
)

// Duplicate records of one person are merged by an admin: the client kept
// (A) gains the other's (B) team, attentions, activity, circle and areas;
// B's address sends A's members to A; within MergeUndoWindow an admin can
// undo it, restoring both records and their teams as they were.

// MergeUndoWindow is how long a merge can be undone.
const MergeUndoWindow = 30 * 24 * time.Hour

// Activity kinds of merges, told to both teams.
const (
	ActivityClientMerged = "client.merged"
	ActivityMergeUndone  = "client.merge_undone"
)

// LeaveMerged is the leave reason of a membership that moved to the client
// kept by a merge.
const LeaveMerged = "merged"

// LeaveMergeUndone is the leave reason of a membership a merge had created
// on the client kept, once the merge is undone.
const LeaveMergeUndone = "merge_undone"

// AdminClient is what an admin is shown of a client to decide a merge: no
// more than a search result shows, and the team's size.
type AdminClient struct {
	ID          int64
	Name        string
	Aliases     []string
	DateOfBirth string
	Postcode    string
	Areas       []*Area
	TeamSize    int
}

// ClientMerge is one merge of client MergeID into KeepID.
type ClientMerge struct {
	ID       int64
	KeepID   int64
	MergeID  int64
	MergedBy string // the admin's name; "" for the system
	MergedAt time.Time
	UndoneAt time.Time // zero unless undone
	// CanUndo says whether it can still be undone: not undone, within
	// MergeUndoWindow, and the kept client not merged again since.
	CanUndo bool
}

// DuplicatePair is a likely duplicate pair in the duplicates queue, with
// the reasons the search engine gave.
type DuplicatePair struct {
	ID      int64
	A, B    *AdminClient
	Reasons []string
	FoundAt time.Time
}

// DuplicateScanState is where the refresh of the duplicates queue stands.
type DuplicateScanState struct {
	Queued  bool      // a scan waits for the worker
	Running bool      // a worker is running one
	Since   time.Time // when the scan was queued, or, running, when it started
	// LastScan is when a scan last finished (zero: never).
	LastScan time.Time
}

// MergeService holds the admin functions over duplicate clients. As for
// AdminService, every method answers ENOTFOUND to anyone who is no admin,
// and for a client outside an area admin's districts exactly as for a
// missing one; every call is audited.
type MergeService interface {
	// FindClientsToMerge shows the two clients an admin is about to merge.
	// EINVALID (fields keep_id, merge_id) when an id is missing or both are
	// the same; ENOTFOUND when either is not in reach (or merged already).
	FindClientsToMerge(ctx context.Context, keepID, mergeID int64) (keep, merge *AdminClient, err error)

	// MergeClients merges mergeID into keepID in one transaction (see the
	// top of merge.go); both teams are told. Errors as FindClientsToMerge.
	// Merges need an admin who is an agent: the system caller is refused
	// with EUNAUTHORIZED, since someone must be named on both trails.
	MergeClients(ctx context.Context, keepID, mergeID int64) (*ClientMerge, error)

	// UndoMerge restores both clients and their teams as they were before
	// merge id. ECONFLICT once it can no longer be undone (ClientMerge.CanUndo).
	UndoMerge(ctx context.Context, id int64) error

	// FindMerges returns a page (counting from 1) of the merges of
	// clients in reach, newest first, and how many there are.
	FindMerges(ctx context.Context, page int) ([]*ClientMerge, int, error)

	// ExportMerges calls fn with every merge FindMerges pages through, in
	// its order. The export is audited before the first row.
	ExportMerges(ctx context.Context, fn func(*ClientMerge) error) error

	// FindDuplicatePairs returns the open pairs of the duplicates queue in
	// reach (both clients), a page at a time (page counts from 1), and how
	// many there are.
	FindDuplicatePairs(ctx context.Context, page int) ([]*DuplicatePair, int, error)

	// ExportDuplicatePairs calls fn with every pair FindDuplicatePairs
	// pages through, in its order. The export is audited before the
	// first row.
	ExportDuplicatePairs(ctx context.Context, fn func(*DuplicatePair) error) error

	// ScanDuplicates asks the search engine's duplicate check about every
	// client in reach and adds the likely pairs it finds to the queue (a
	// pair dismissed once is not added again). It returns how many pairs
	// were added. It runs for minutes on a large network: the CLI and the
	// worker call it; a page queues it (QueueDuplicateScan). Stopped by
	// ctx part way, it leaves the pairs it wrote, each a pair a whole scan
	// adds, and running it again adds the rest.
	ScanDuplicates(ctx context.Context) (int, error)

	// QueueDuplicateScan asks the worker to refresh the duplicates queue
	// across the whole network, as the nightly scan does. It queues at
	// most one: while a scan is queued or running it queues none and
	// reports queued false. The state returned is the one after.
	QueueDuplicateScan(ctx context.Context) (state *DuplicateScanState, queued bool, err error)

	// FindDuplicateScanState says whether a scan is queued or running, and
	// when the queue was last refreshed. It shows no client data and is
	// not audited.
	FindDuplicateScanState(ctx context.Context) (*DuplicateScanState, error)

	// DismissDuplicatePair takes a pair off the queue for good.
	DismissDuplicatePair(ctx context.Context, id int64) error
}

// Audit actions of merges and the duplicates queue.
const (
	AuditMergeView        = "admin.merge_view"
	AuditClientMerge      = "admin.client_merge"
	AuditMergeUndo        = "admin.merge_undo"
	AuditMergeList        = "admin.merge_list"
	AuditMergeExport      = "admin.merge_export"
	AuditDuplicateList    = "admin.duplicate_list"
	AuditDuplicateExport  = "admin.duplicate_export"
	AuditDuplicateScan    = "admin.duplicate_scan"
	AuditDuplicateQueue   = "admin.duplicate_scan_queue"
	AuditDuplicateDismiss = "admin.duplicate_dismiss"
)
