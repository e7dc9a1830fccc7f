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

// ImportAreas reads an area list from r — one row per local area, naming
// its network and district (a row without a local area names a district
// alone) — checks every row and, unless opt.DryRun, adds in one
// transaction the networks, districts and local areas that are not there
// yet. Names match in any case and spacing, so a second run of the same
// file adds nothing (Report.Imported 0, every row Unchanged). A local area
// that exists in another district is a problem: moving areas is done on
// the admin areas page, never by a file. ctx must carry the system caller
// or a system admin; the check is made before the file is read.
func ImportAreas(ctx context.Context, db *sqldb.DB, r io.Reader, opt Options) (*Report, error) {
	tree, err := db.FindAreaTree(ctx)
	if err != nil {
		return nil, err
	}
	records, header, err := readCSV(r, areaColumns)
	if err != nil {
		return nil, err
	}
	rep := &Report{Rows: len(records)}
	// What the good rows add, so that later rows see earlier ones: new
	// networks and districts by folded name, new local areas by folded
	// name with the district (network and district, folded) and row.
	type place struct{ network, district string }
	newNetworks := map[string]bool{}
	newDistricts := map[place]bool{}
	type local struct {
		in  place
		row int
	}
	newLocals := map[string]local{}
	var rows []sqldb.AreaImportRow
	for i, rec := range records {
		n := i + 2
		get := func(col string) string {
			if j := header[col]; j >= 0 && j < len(rec) {
				return strings.Join(strings.Fields(rec[j]), " ")
			}
			return ""
		}
		var probs []Problem
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
		if extraCells(rec, header) {
			probs = append(probs, Problem{Row: n, Field: "row", Reason: "has more cells than the header has columns"})
		}
		if len(probs) > 0 {
			rep.Problems = append(rep.Problems, probs...)
			continue
		}
		row := sqldb.AreaImportRow{Network: get("network"), District: get("district"), Local: get("local_area")}
		at := place{match.Fold(row.Network), match.Fold(row.District)}
		network, networkThere := tree.Networks[at.network]
		district, districtThere := int64(0), false
		if networkThere {
			district, districtThere = tree.Districts[network][at.district]
		}
		adds := 0
		if !networkThere && !newNetworks[at.network] {
			adds++
		}
		if !districtThere && !newDistricts[at] {
			adds++
		}
		if row.Local != "" {
			key := match.Fold(row.Local)
			if l, ok := tree.Locals[key]; ok {
				if !districtThere || l.ParentID != district {
					rep.Problems = append(rep.Problems, Problem{Row: n, Field: "local_area", Reason: fmt.Sprintf(
						"%q is already a local area of %s: move it on the admin areas page, not by a file", l.Name, tree.Names[l.ParentID])})
					continue
				}
			} else if earlier, ok := newLocals[key]; ok {
				if earlier.in != at {
					rep.Problems = append(rep.Problems, Problem{Row: n, Field: "local_area", Reason: fmt.Sprintf(
						"%q is in another district in row %d", row.Local, earlier.row)})
					continue
				}
			} else {
				newLocals[key] = local{at, n}
				adds++
			}
		}
		if !networkThere {
			newNetworks[at.network] = true
		}
		if !districtThere {
			newDistricts[at] = true
		}
		if adds == 0 {
			rep.Unchanged++
			continue
		}
		rep.Imported += adds
		rows = append(rows, row)
	}
	if opt.DryRun || len(rows) == 0 {
		return rep, nil
	}
	if rep.Imported, err = db.ImportAreas(ctx, rows); err != nil {
		return nil, err
	}
	return rep, nil
}

// AreaSummary is the sentence that ends an area import's report, for the
// command line and the admin areas page alike.
func AreaSummary(rep *Report, dryRun bool) string {
	switch {
	case dryRun:
		return fmt.Sprintf("Dry run: %d rows; %d %s would be added, %d rows are there already, %d have problems. Nothing was changed.",
			rep.Rows, rep.Imported, plural(rep.Imported, "area", "areas"), rep.Unchanged, len(rep.Problems))
	case rep.Imported == 0 && len(rep.Problems) == 0:
		return fmt.Sprintf("Nothing changed: all %d rows are there already.", rep.Rows)
	default:
		return fmt.Sprintf("Added %d %s; %d rows were there already; %d rows have problems and added nothing.",
			rep.Imported, plural(rep.Imported, "area", "areas"), rep.Unchanged, len(rep.Problems))
	}
}
