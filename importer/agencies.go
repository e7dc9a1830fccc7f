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

// agencyColumns are the columns of an agency file; required ones are true.
var agencyColumns = map[string]bool{
	"external_id": false, "name": true, "sector": true, "local_areas": false, "phone": false, "email": false,
	"address": false, "email_domain": false, "sensitive": false, "generic_label": false, "contact_route": false,
	"generic_email": false, "generic_phone": false, "publish_direct": false,
}

// ImportAgencies reads an agency CSV from r, checks every row as the
// create-agency function does and, unless opt.DryRun, adds the agencies
// no agency has the name of yet (the name is the key: a second run
// changes nothing). Yes/no columns take yes, no or empty.
func ImportAgencies(ctx context.Context, db *sqldb.DB, r io.Reader, opt Options) (*Report, error) {
	records, header, err := readCSV(r, agencyColumns)
	if err != nil {
		return nil, err
	}
	lookups, err := db.FindImportLookups(ctx)
	if err != nil {
		return nil, err
	}
	existing, err := db.FindAgencyNames(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{Rows: len(records)}
	seen := map[string]int{}
	var good []*patchwork.Agency
	for i, rec := range records {
		n := i + 2
		get := func(col string) string {
			if j := header[col]; j >= 0 && j < len(rec) {
				return strings.TrimSpace(rec[j])
			}
			return ""
		}
		var probs []Problem
		for _, col := range sortedColumns(header) {
			if !utf8.ValidString(get(col)) {
				probs = append(probs, Problem{n, col, "is not UTF-8 text (save the file as CSV UTF-8)"})
			}
		}
		if extraCells(rec, header) {
			probs = append(probs, Problem{n, "row", "has more cells than the header has columns"})
		}
		if len(probs) > 0 {
			rep.Problems = append(rep.Problems, probs...)
			continue
		}
		g := &patchwork.Agency{Name: get("name"), Sector: get("sector"), Phone: get("phone"), Email: get("email"),
			Address: get("address"), EmailDomain: get("email_domain"), GenericLabel: get("generic_label"),
			ContactRoute: get("contact_route"), GenericEmail: get("generic_email"), GenericPhone: get("generic_phone")}
		for col, dst := range map[string]*bool{"sensitive": &g.Sensitive, "publish_direct": &g.PublishDirect} {
			switch strings.ToLower(get(col)) {
			case "yes", "y", "true", "1":
				*dst = true
			case "", "no", "n", "false", "0":
			default:
				probs = append(probs, Problem{n, col, "must be yes or no"})
			}
		}
		for _, a := range strings.Split(get("local_areas"), ";") {
			if a = strings.TrimSpace(a); a == "" {
				continue
			}
			id, ok := lookups.LocalAreas[match.Fold(a)]
			if !ok {
				probs = append(probs, Problem{n, "local_areas", fmt.Sprintf("no local area is called %q", a)})
				continue
			}
			g.Areas = append(g.Areas, &patchwork.Area{ID: id})
		}
		// The sector, the lengths, the addresses and a sensitive agency's
		// label are checked where the admin pages check them.
		if err := g.Validate(); err != nil {
			fields := patchwork.ErrorFields(err)
			for _, col := range sortedColumns(header) {
				if m, ok := fields[col]; ok {
					probs = append(probs, Problem{n, col, m})
				}
			}
			if len(fields) > 0 && len(probs) == 0 {
				for f, m := range fields {
					probs = append(probs, Problem{n, f, m})
				}
			}
		}
		if len(probs) > 0 {
			rep.Problems = append(rep.Problems, probs...)
			continue
		}
		key := match.Fold(g.Name)
		if first, dup := seen[key]; dup {
			rep.Problems = append(rep.Problems, Problem{n, "name", fmt.Sprintf("the same agency as row %d", first)})
			continue
		}
		seen[key] = n
		if existing[key] {
			rep.Unchanged++
			continue
		}
		good = append(good, g)
	}
	rep.Imported = len(good)
	if opt.DryRun || len(good) == 0 {
		return rep, nil
	}
	if rep.Imported, err = db.ImportAgencies(ctx, good); err != nil {
		return nil, err
	}
	return rep, nil
}
