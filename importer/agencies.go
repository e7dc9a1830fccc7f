package importer

import (
	"context"
	"fmt"
	"io"
	"strings"

	"patchwork"
	"patchwork/match"
	"patchwork/sqldb"
)

// agencyColumns are the columns of an agency file; required ones are true.
var agencyColumns = map[string]bool{
	"external_id": false, "name": true, "sector": true, "local_areas": false, "phone": false, "email": false,
	"address": false, "email_domain": false, "sensitive": false, "generic_label": false, "contact_route": false,
	"generic_email": false, "generic_phone": false, "publish_direct": false,
}

// ImportAgencies reads an agency CSV from src (twice), checks every row
// as the create-agency function does and, unless opt.DryRun, adds the
// agencies no agency has the name of yet (the name is the key: a second
// run changes nothing). Yes/no columns take yes, no or empty.
func ImportAgencies(ctx context.Context, db *sqldb.DB, src io.ReadSeeker, opt Options) (*Report, error) {
	lookups, err := db.FindImportLookups(ctx)
	if err != nil {
		return nil, err
	}
	return run(ctx, db, src, opt, kind[*patchwork.Agency]{
		name:    sqldb.ImportKindAgencies,
		columns: agencyColumns,
		check: func(n int, rec []string, header map[string]int) (*patchwork.Agency, []fileKey, []Problem) {
			g, probs := checkAgencyRow(n, rec, header, lookups)
			if len(probs) > 0 {
				return nil, nil, probs
			}
			keys := []fileKey{{"name", match.Fold(g.Name)}}
			if ext := cell(rec, header, "external_id"); ext != "" {
				keys = append(keys, fileKey{"external_id", ext})
			}
			return g, keys, nil
		},
		key:   func(g *patchwork.Agency) string { return match.Fold(g.Name) },
		links: func(g *patchwork.Agency) int { return len(g.Areas) },
		write: func(ctx context.Context, job *sqldb.ImportJob, gs []*patchwork.Agency, b sqldb.ImportBatch) error {
			return db.ImportAgencyBatch(ctx, job, gs, b)
		},
	})
}

// checkAgencyRow checks one agency record.
func checkAgencyRow(n int, rec []string, header map[string]int, lookups *sqldb.ImportLookups) (*patchwork.Agency, []Problem) {
	get := func(col string) string { return cell(rec, header, col) }
	if probs := textProblems(n, rec, header); len(probs) > 0 {
		return nil, probs
	}
	var probs []Problem
	g := &patchwork.Agency{Name: get("name"), Sector: get("sector"), Phone: get("phone"), Email: get("email"),
		Address: get("address"), EmailDomain: get("email_domain"), GenericLabel: get("generic_label"),
		ContactRoute: get("contact_route"), GenericEmail: get("generic_email"), GenericPhone: get("generic_phone")}
	for _, col := range []string{"sensitive", "publish_direct"} {
		dst := map[string]*bool{"sensitive": &g.Sensitive, "publish_direct": &g.PublishDirect}[col]
		if v, ok := yesNo(get(col)); ok {
			*dst = v
		} else {
			probs = append(probs, Problem{Row: n, Field: col, Reason: "must be yes or no"})
		}
	}
	areas, areaProbs := localAreas(n, get("local_areas"), "local_areas", lookups)
	probs = append(probs, areaProbs...)
	g.Areas = areas
	if ext := get("external_id"); !patchwork.ValidText(ext) || len(ext) > MaxExternalIDLength {
		probs = append(probs, Problem{Row: n, Field: "external_id", Reason: fmt.Sprintf("must be text of %d characters or fewer", MaxExternalIDLength)})
	}
	// The sector, the lengths, the addresses and a sensitive agency's
	// label are checked where the admin pages check them.
	if err := g.Validate(); err != nil {
		probs = append(probs, fieldProblems(n, err, header, nil, patchwork.ErrorMessage, patchwork.ErrorFields)...)
	}
	return g, probs
}

// yesNo reads a yes/no cell; empty is no.
func yesNo(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "yes", "y", "true", "1":
		return true, true
	case "", "no", "n", "false", "0":
		return false, true
	}
	return false, false
}

// localAreas reads a ";"-separated list of local area names.
func localAreas(n int, list, col string, lookups *sqldb.ImportLookups) ([]*patchwork.Area, []Problem) {
	var areas []*patchwork.Area
	var probs []Problem
	seen := map[int64]bool{}
	for _, a := range strings.Split(list, ";") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		id, ok := lookups.LocalAreas[match.Fold(a)]
		if !ok {
			probs = append(probs, Problem{Row: n, Field: col, Reason: fmt.Sprintf("no local area is called %q", a)})
			continue
		}
		if !seen[id] {
			seen[id] = true
			areas = append(areas, &patchwork.Area{ID: id})
		}
	}
	return areas, probs
}
