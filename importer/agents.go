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

// agentColumns are the columns of an agent file; required ones are true.
// The name is one column (name) or two (first_name, last_name).
var agentColumns = map[string]bool{
	"external_id": false, "email": true, "name": false, "first_name": false, "last_name": false, "agency": true,
	"role": false, "mobile": false, "landline": false, "phone": false, "contact_email": false, "working_hours": false,
	"local_areas": false,
}

// ImportAgents reads an agent CSV from src (twice), checks every row as
// the create-agent function does and, unless opt.DryRun, adds the agents
// whose sign-in address no agent has yet (the address is the key: a
// second run changes nothing), sending each new one an invitation to
// choose a password when opt.Invite. The agency is named by its name, in
// any case; local_areas by their names, separated by ";".
func ImportAgents(ctx context.Context, db *sqldb.DB, src io.ReadSeeker, opt Options) (*Report, error) {
	lookups, err := db.FindImportLookups(ctx)
	if err != nil {
		return nil, err
	}
	return run(ctx, db, src, opt, kind[sqldb.ImportAgent]{
		name:    sqldb.ImportKindAgents,
		columns: agentColumns,
		header:  agentHeader,
		check: func(n int, rec []string, header map[string]int) (sqldb.ImportAgent, []fileKey, []Problem) {
			a, probs := checkAgentRow(n, rec, header, lookups)
			if len(probs) > 0 {
				return sqldb.ImportAgent{}, nil, probs
			}
			keys := []fileKey{{"email", a.Email}}
			if ext := cell(rec, header, "external_id"); ext != "" {
				keys = append(keys, fileKey{"external_id", ext})
			}
			return sqldb.ImportAgent{Row: n, Agent: a}, keys, nil
		},
		key:   func(r sqldb.ImportAgent) string { return r.Agent.Email },
		links: func(r sqldb.ImportAgent) int { return len(r.Agent.Areas) },
		write: func(ctx context.Context, job *sqldb.ImportJob, rows []sqldb.ImportAgent, b sqldb.ImportBatch) error {
			return db.ImportAgentBatch(ctx, job, rows, opt.Invite, b)
		},
	})
}

// checkAgentRow checks one agent record.
func checkAgentRow(n int, rec []string, header map[string]int, lookups *sqldb.ImportLookups) (*patchwork.Agent, []Problem) {
	get := func(col string) string { return cell(rec, header, col) }
	if probs := textProblems(n, rec, header); len(probs) > 0 {
		return nil, probs
	}
	var probs []Problem
	hasName := header["name"] >= 0 // or first_name and last_name (agentHeader)
	name := get("name")
	nameCol := "name"
	if !hasName {
		name = strings.TrimSpace(get("first_name") + " " + get("last_name"))
		nameCol = "first_name"
		if get("first_name") == "" {
			probs = append(probs, Problem{Row: n, Field: "first_name", Reason: "Enter the agent's first name"})
		}
		if get("last_name") == "" {
			probs = append(probs, Problem{Row: n, Field: "last_name", Reason: "Enter the agent's last name"})
		}
	}
	a := &patchwork.Agent{Email: get("email"), Name: name, Role: get("role"), Mobile: get("mobile"),
		Landline: get("landline"), ContactEmail: get("contact_email"), WorkingHours: get("working_hours")}
	phoneCol := map[string]string{}
	if p := get("phone"); p != "" {
		if a.Landline == "" {
			a.Landline, phoneCol["landline"] = p, "phone"
		} else if a.Mobile == "" {
			a.Mobile, phoneCol["mobile"] = p, "phone"
		} else {
			probs = append(probs, Problem{Row: n, Field: "phone", Reason: "give at most two of phone, mobile and landline"})
		}
	}
	if agency := get("agency"); agency == "" {
		probs = append(probs, Problem{Row: n, Field: "agency", Reason: "Enter the name of the agent's agency"})
	} else if id, ok := lookups.Agencies[match.Fold(agency)]; ok {
		a.AgencyID = id
	} else {
		probs = append(probs, Problem{Row: n, Field: "agency", Reason: fmt.Sprintf("no agency is called %q", agency)})
	}
	areas, areaProbs := localAreas(n, get("local_areas"), "local_areas", lookups)
	probs = append(probs, areaProbs...)
	a.Areas = areas
	if ext := get("external_id"); !patchwork.ValidText(ext) || len(ext) > MaxExternalIDLength {
		probs = append(probs, Problem{Row: n, Field: "external_id", Reason: fmt.Sprintf("must be text of %d characters or fewer", MaxExternalIDLength)})
	}
	if err := a.Validate(); err != nil {
		names := map[string]string{"name": nameCol}
		for f, c := range phoneCol {
			names[f] = c
		}
		for _, p := range fieldProblems(n, err, header, names, patchwork.ErrorMessage, patchwork.ErrorFields) {
			if p.Field == "first_name" && !hasName && (get("first_name") == "" || get("last_name") == "") {
				continue // said above
			}
			probs = append(probs, p)
		}
	}
	return a, probs
}

// agentHeader checks that a file names its agents one way: a name column,
// or first_name and last_name columns.
func agentHeader(header map[string]int) error {
	name, first, last := header["name"] >= 0, header["first_name"] >= 0, header["last_name"] >= 0
	if name == (first || last) || first != last {
		return &FileError{"the header row must name the agents in a name column, or in first_name and last_name columns"}
	}
	return nil
}
