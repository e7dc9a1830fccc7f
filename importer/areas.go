package importer

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"patchwork"
	"patchwork/match"
	"patchwork/sqldb"
)

// areaColumns are the columns of an area list; required ones are true.
var areaColumns = map[string]bool{"network": true, "district": true, "local_area": false}

// areaRow is one checked row of an area list.
type areaRow struct {
	sqldb.AreaImportRow
	adds int // the areas it adds to those there and those earlier rows add
}

// ImportAreas reads an area list from src (twice) — one row per local
// area, naming its network and district (a row without a local area
// names a district alone) — checks every row and, unless opt.DryRun, adds
// the networks, districts and local areas that are not there yet, as an
// import job like the other kinds: in batches, each committed with the
// job's progress, so that the same run after a crash resumes. Names match
// in any case and spacing, so a second run of the same file adds nothing
// (Report.Imported, the areas added, 0; every row Unchanged). A local
// area that exists in another district is a problem: moving areas is
// done on the admin areas page, never by a file; so is a local area, or
// a district alone, named by two rows. ctx must carry the system caller
// or a system admin; the check is made before the file is read.
func ImportAreas(ctx context.Context, db *sqldb.DB, src io.ReadSeeker, opt Options) (*Report, error) {
	tree, err := db.FindAreaTree(ctx)
	if err != nil {
		return nil, err
	}
	plan := newAreaPlan(tree)
	return run(ctx, db, src, opt, kind[*areaRow]{
		name:    sqldb.ImportKindAreas,
		columns: areaColumns,
		check: func(n int, rec []string, header map[string]int) (*areaRow, []fileKey, []Problem) {
			return checkAreaRow(n, rec, header, tree)
		},
		known:   plan.known,
		records: func(r *areaRow) int { return r.adds },
		write: func(ctx context.Context, job *sqldb.ImportJob, rows []*areaRow, b sqldb.ImportBatch) error {
			list := make([]sqldb.AreaImportRow, len(rows))
			for i, r := range rows {
				list[i] = r.AreaImportRow
			}
			return db.ImportAreaBatch(ctx, job, list, b)
		},
	})
}

// checkAreaRow checks one row against the tree as the import found it;
// what earlier rows of the file add is the write pass's (areaPlan).
func checkAreaRow(n int, rec []string, header map[string]int, tree *sqldb.AreaTree) (*areaRow, []fileKey, []Problem) {
	get := func(col string) string { return strings.Join(strings.Fields(cell(rec, header, col)), " ") }
	var probs []Problem
	if extraCells(rec, header) {
		probs = append(probs, Problem{Row: n, Field: "row", Reason: "has more cells than the header has columns"})
	}
	for _, col := range sortedColumns(header) {
		v := get(col)
		switch {
		case !utf8.ValidString(v):
			probs = append(probs, Problem{Row: n, Field: col, Reason: "is not UTF-8 text (save the file as CSV UTF-8)"})
		case v == "" && areaColumns[col]:
			probs = append(probs, Problem{Row: n, Field: col, Reason: "enter the " + strings.ReplaceAll(col, "_", " ") + "'s name"})
		case utf8.RuneCountInString(v) > patchwork.MaxAreaName:
			probs = append(probs, Problem{Row: n, Field: col, Reason: fmt.Sprintf("must be %d characters or fewer", patchwork.MaxAreaName)})
		}
	}
	if len(probs) > 0 {
		return nil, nil, probs
	}
	r := &areaRow{AreaImportRow: sqldb.AreaImportRow{Network: get("network"), District: get("district"), Local: get("local_area")}}
	network, district := match.Fold(r.Network), match.Fold(r.District)
	if r.Local == "" {
		return r, []fileKey{{"district", network + "\x00" + district}}, nil
	}
	local := match.Fold(r.Local)
	if l, ok := tree.Locals[local]; ok {
		id, there := tree.Networks[network]
		if there {
			id, there = tree.Districts[id][district]
		}
		if !there || l.ParentID != id {
			return nil, nil, []Problem{{Row: n, Field: "local_area", Reason: fmt.Sprintf(
				"%q is already a local area of %s: move it on the admin areas page, not by a file", l.Name, tree.Names[l.ParentID])}}
		}
	}
	return r, []fileKey{{"local_area", local}}, nil
}

// areaPlan is what the write pass has seen of the hierarchy, by folded
// name: the areas there when the import started and those the rows
// before have added (or, in a dry run, would add). A resumed run starts
// from the tree its earlier runs wrote, so it counts as an uninterrupted
// run does.
type areaPlan struct {
	networks  map[string]bool
	districts map[[2]string]bool // network, district
	locals    map[string]bool    // local area names are unique in the deployment
}

func newAreaPlan(t *sqldb.AreaTree) *areaPlan {
	p := &areaPlan{networks: map[string]bool{}, districts: map[[2]string]bool{}, locals: map[string]bool{}}
	byID := map[int64]string{}
	for name, id := range t.Networks {
		p.networks[name], byID[id] = true, name
	}
	for network, ds := range t.Districts {
		if name, ok := byID[network]; ok {
			for d := range ds {
				p.districts[[2]string{name, d}] = true
			}
		}
	}
	for name := range t.Locals {
		p.locals[name] = true
	}
	return p
}

// known counts what each row of a batch adds, in the file's order, and
// says which add nothing.
func (p *areaPlan) known(_ context.Context, rows []*areaRow) ([]bool, error) {
	known := make([]bool, len(rows))
	for i, r := range rows {
		network := match.Fold(r.Network)
		district := [2]string{network, match.Fold(r.District)}
		local := match.Fold(r.Local)
		r.adds = 0
		if !p.networks[network] {
			p.networks[network] = true
			r.adds++
		}
		if !p.districts[district] {
			p.districts[district] = true
			r.adds++
		}
		if local != "" && !p.locals[local] {
			p.locals[local] = true
			r.adds++
		}
		known[i] = r.adds == 0
	}
	return known, nil
}

// AreaSummary is the sentence that ends an area import's report (run with
// opt), for the command line and the admin areas page alike.
func AreaSummary(rep *Report, opt Options) string {
	areas := plural(rep.Imported, "area", "areas")
	switch {
	case opt.DryRun && rep.Blocked && !opt.SkipBadRows:
		return fmt.Sprintf("Dry run: %d rows, %d problems: an import would add nothing until they are fixed; with --skip-bad-rows, "+
			"%d %s would be added and %d rows are there already. Nothing was changed.", rep.Rows, len(rep.Problems), rep.Imported, areas, rep.Unchanged)
	case opt.DryRun:
		return fmt.Sprintf("Dry run: %d rows; %d %s would be added, %d rows are there already, %d have problems. Nothing was changed.",
			rep.Rows, rep.Imported, areas, rep.Unchanged, len(rep.Problems))
	case rep.Rejected:
		return fmt.Sprintf("Nothing was added: %d problems in %d rows. Fix the rows and run the import again, "+
			"or run it with --skip-bad-rows to add the good rows only.", len(rep.Problems), rep.Rows)
	case rep.Imported == 0 && len(rep.Problems) == 0:
		return fmt.Sprintf("Nothing changed: all %d rows are there already.", rep.Rows)
	default:
		return fmt.Sprintf("Added %d %s; %d rows were there already; %d rows have problems and added nothing.",
			rep.Imported, areas, rep.Unchanged, len(rep.Problems))
	}
}
