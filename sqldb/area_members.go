package sqldb

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// areaMembers keeps in memory the clients of each area a search has looked
// within, for the area check of the search's look within the caller's
// areas (clientIndex.KeyClients). Checked in SQL, each key row read cost a
// probe of client_areas, and that probe was a quarter of the server's CPU
// under the mix at a million clients (docs/performance.md).
//
// A copy is used only while its area's members_version, which triggers on
// client_areas raise with every change (migration 032), is still the one
// it was read with; the versions are read after the key rows, so every
// change committed before the keys were read is in what is checked. Every
// instance checks against the database, so a change made on one is seen on
// all.
type areaMembers struct {
	mu    sync.Mutex
	areas map[int64]*areaSet
}

// areaSet is an area's clients, as of members_version.
type areaSet struct {
	version int64
	ids     []int64 // sorted
}

// areaCursor looks up ids in an areaSet one after another. A key's
// clients come from the index in ascending order, so each lookup gallops on
// from where the last one ended instead of searching the whole area: a few
// steps, in memory already read, against fourteen for ten thousand
// clients. An id below the last starts from the beginning again.
type areaCursor struct {
	s    *areaSet
	pos  int   // every id before pos is below last
	last int64 // the id looked up last
}

func (c *areaCursor) has(id int64) bool {
	ids := c.s.ids
	lo := c.pos
	if id <= c.last {
		lo = 0
	}
	c.last = id
	// Gallop: widen [lo, probe] until ids[probe] >= id, every id before
	// lo being below id.
	probe, step := lo, 1
	for probe < len(ids) && ids[probe] < id {
		lo = probe + 1
		probe = lo + step
		step <<= 1
	}
	i, found := slices.BinarySearch(ids[lo:min(probe+1, len(ids))], id)
	c.pos = lo + i
	return found
}

// current returns the clients of each of areaIDs as of now: the copy kept
// where its version is current, read afresh (and kept) where not. An area
// that does not exist has none.
func (am *areaMembers) current(ctx context.Context, db *DB, areaIDs []int64) ([]*areaSet, error) {
	var args sqlArgs
	ph := addAll(&args, areaIDs)
	versions, err := queryPairs(ctx, db.read, `SELECT id, members_version FROM areas WHERE id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	out := make([]*areaSet, 0, len(versions))
	for _, v := range versions {
		id, version := v[0], v[1]
		am.mu.Lock()
		s := am.areas[id]
		am.mu.Unlock()
		if s == nil || s.version != version {
			if s, err = db.loadAreaMembers(ctx, id); err != nil {
				return nil, err
			}
			am.mu.Lock()
			if am.areas == nil {
				am.areas = map[int64]*areaSet{}
			}
			if old := am.areas[id]; old == nil || old.version < s.version {
				am.areas[id] = s
			}
			am.mu.Unlock()
		}
		out = append(out, s)
	}
	return out, nil
}

// loadAreaMembers reads an area's clients and the version they are of in
// one snapshot.
func (db *DB) loadAreaMembers(ctx context.Context, areaID int64) (*areaSet, error) {
	s := &areaSet{}
	err := db.inReadTx(ctx, func(q querier) error {
		if err := q.QueryRowContext(ctx, `SELECT members_version FROM areas WHERE id = $1`, areaID).Scan(&s.version); err != nil {
			return err
		}
		var list string
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(string_agg(CAST(client_id AS TEXT), ','), '') FROM
			(SELECT client_id FROM client_areas WHERE area_id = $1 ORDER BY client_id) m`, areaID).Scan(&list); err != nil {
			return err
		}
		s.ids = slices.Collect(idsIn(list))
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(s.ids) // string_agg keeps the subquery's order on both databases in practice, not by promise
	return s, nil
}
