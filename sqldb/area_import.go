package sqldb

import (
	"context"
	"fmt"

	"patchwork"
	"patchwork/match"
)

// The store's side of an area list import (package importer reads and
// checks the file, and runs it as an import job like the other kinds).
// Only system admins and the system caller (the CLI) may call these.

// AreaImportRow is one checked row of an area list: a network, a district
// of it and, unless empty, a local area of that district.
type AreaImportRow struct {
	Network, District, Local string
}

// AreaTree is the area hierarchy as an import sees it, every name folded
// (match.Fold): local area names are unique in the whole deployment,
// district names within their network.
type AreaTree struct {
	Networks  map[string]int64           // by folded name
	Districts map[int64]map[string]int64 // network → folded name → district
	Locals    map[string]patchwork.Area  // folded name → the local area
	Names     map[int64]string           // every area's name, by id
}

// FindAreaTree reads the hierarchy for an import.
func (db *DB) FindAreaTree(ctx context.Context) (*AreaTree, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	return readAreaTree(ctx, db.read)
}

func readAreaTree(ctx context.Context, q querier) (*AreaTree, error) {
	list, err := scanAll(ctx, q, `SELECT `+areaColumns+` FROM areas r `+areaOrder, scanArea)
	if err != nil {
		return nil, err
	}
	t := &AreaTree{Networks: map[string]int64{}, Districts: map[int64]map[string]int64{}, Locals: map[string]patchwork.Area{},
		Names: map[int64]string{}}
	for _, a := range list {
		t.add(a)
	}
	return t, nil
}

// add puts a in the tree; the first of two areas of one folded name wins,
// as in the client import's lookups.
func (t *AreaTree) add(a *patchwork.Area) {
	key := match.Fold(a.Name)
	t.Names[a.ID] = a.Name
	switch a.Kind {
	case patchwork.AreaNetwork:
		if _, ok := t.Networks[key]; !ok {
			t.Networks[key] = a.ID
		}
	case patchwork.AreaDistrict:
		if t.Districts[a.ParentID] == nil {
			t.Districts[a.ParentID] = map[string]int64{}
		}
		if _, ok := t.Districts[a.ParentID][key]; !ok {
			t.Districts[a.ParentID][key] = a.ID
		}
	case patchwork.AreaLocal:
		if _, ok := t.Locals[key]; !ok {
			t.Locals[key] = *a
		}
	}
}

// ImportAreaBatch adds the areas of one batch of an area import's rows
// that are not there yet, with one audit row when it adds any, and
// records the batch on job, in one transaction. The job counts the areas
// added as imported, and a row that adds none as unchanged. A local area
// that is in another district than its row names aborts the batch (the
// importer reports such rows; one can only appear here if an admin moved
// it meanwhile).
func (db *DB) ImportAreaBatch(ctx context.Context, job *ImportJob, rows []AreaImportRow, b ImportBatch) error {
	return db.writeImportBatch(ctx, job, b, func(tx *Tx) (c batchCounts, err error) {
		if len(rows) == 0 {
			return c, nil
		}
		if err := tx.lockAreas(ctx); err != nil {
			return c, err
		}
		t, err := readAreaTree(ctx, tx)
		if err != nil {
			return c, err
		}
		added := 0
		create := func(kind, name string, parent int64) (int64, error) {
			a := &patchwork.Area{Kind: kind, Name: name, ParentID: parent}
			if err := tx.QueryRowContext(ctx, `INSERT INTO areas (parent_id, kind, name) VALUES ($1, $2, $3) RETURNING id`,
				nullID(parent), kind, name).Scan(&a.ID); err != nil {
				return 0, err
			}
			t.add(a)
			added++
			return a.ID, nil
		}
		for _, r := range rows {
			before := added
			network, ok := t.Networks[match.Fold(r.Network)]
			if !ok {
				if network, err = create(patchwork.AreaNetwork, r.Network, 0); err != nil {
					return c, err
				}
			}
			district, ok := t.Districts[network][match.Fold(r.District)]
			if !ok {
				if district, err = create(patchwork.AreaDistrict, r.District, network); err != nil {
					return c, err
				}
			}
			if r.Local != "" {
				if l, ok := t.Locals[match.Fold(r.Local)]; ok {
					if l.ParentID != district {
						return c, fmt.Errorf("sqldb: import areas: %q moved to another district during the import", r.Local)
					}
				} else if _, err := create(patchwork.AreaLocal, r.Local, district); err != nil {
					return c, err
				}
			}
			if added == before {
				c.unchanged++
			}
		}
		c.imported = added
		if added == 0 {
			return c, nil
		}
		return c, tx.audit(ctx, patchwork.AuditAreaImport, 0, fmt.Sprintf("import=%d rows=%d added=%d", job.ID, len(rows), added))
	})
}
