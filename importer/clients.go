package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"patchwork"
	"patchwork/match"
	"patchwork/sqldb"
)

// clientColumns are the columns of a client file; required ones are true.
var clientColumns = map[string]bool{
	"external_id": false, "first_name": true, "last_name": true, "date_of_birth": true, "aliases": false,
	"address": false, "postcode": false, "phone": false, "local_area": false, "member_emails": true,
}

// MaxExternalIDLength bounds an external_id.
const MaxExternalIDLength = 100

// ImportClients reads a client CSV from src (twice: it is checked whole
// before anything is written), checks every row and, unless opt.DryRun,
// writes the good ones with their teams. It returns a *FileError for a
// file that cannot be read at all. ctx must carry the system caller or an
// admin.
func ImportClients(ctx context.Context, db *sqldb.DB, src io.ReadSeeker, opt Options) (*Report, error) {
	lookups, err := db.FindImportLookups(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return run(ctx, db, src, opt, kind[sqldb.ImportClient]{
		name:    sqldb.ImportKindClients,
		columns: clientColumns,
		check: func(n int, rec []string, header map[string]int) (sqldb.ImportClient, []fileKey, []Problem) {
			row, probs := checkClientRow(n, rec, header, lookups, now)
			field := "external_id"
			if !strings.HasPrefix(row.Key, "ext:") {
				field = "row"
			}
			return row, []fileKey{{field, row.Key}}, probs
		},
		person: func(r sqldb.ImportClient) string {
			return match.Fold(r.Client.FirstName) + "\x1f" + match.Fold(r.Client.LastName) + "\x1f" + r.Client.DateOfBirth
		},
		key:   func(r sqldb.ImportClient) string { return r.Key },
		links: func(r sqldb.ImportClient) int { return len(r.MemberIDs) },
		screen: func(ctx context.Context, jobID int64, rows []sqldb.ImportClient, _ []int) ([]sqldb.ImportClient, []Problem, error) {
			if opt.AllowDuplicates {
				return rows, nil, nil
			}
			cls := make([]*patchwork.Client, len(rows))
			for i, r := range rows {
				cls[i] = r.Client
			}
			dups, err := db.FindLikelyDuplicates(ctx, cls, jobID)
			if err != nil {
				return nil, nil, err
			}
			var keep []sqldb.ImportClient
			var probs []Problem
			for i, row := range rows {
				if d := dups[i]; d.ID != 0 {
					reason := "likely the same person as client " + patchwork.ClientRef(d.ID)
					if len(d.Reasons) > 0 {
						reason += " (" + strings.Join(d.Reasons, ", ") + ")"
					}
					probs = append(probs, Problem{Row: row.Row, Field: "duplicate", Reason: reason + "; not imported"})
					continue
				}
				keep = append(keep, row)
			}
			return keep, probs, nil
		},
		write: func(ctx context.Context, job *sqldb.ImportJob, rows []sqldb.ImportClient, b sqldb.ImportBatch) error {
			return db.ImportClientBatch(ctx, job, rows, b)
		},
	})
}

// checkClientRow checks one client record: the text, the client's fields
// as the add-client form checks them, the local area and the members.
func checkClientRow(n int, rec []string, header map[string]int, l *sqldb.ImportLookups, now time.Time) (sqldb.ImportClient, []Problem) {
	var probs []Problem
	get := func(col string) string {
		if i := header[col]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	if probs = textProblems(n, rec, header); len(probs) > 0 {
		return sqldb.ImportClient{}, probs
	}
	cl := &patchwork.Client{FirstName: get("first_name"), LastName: get("last_name"), Address: get("address"),
		Postcode: get("postcode"), Phone: get("phone")}
	if a := get("aliases"); a != "" {
		cl.Aliases = strings.Split(a, ";")
	}
	if err := cl.Validate(get("date_of_birth"), now); err != nil {
		fields := patchwork.ErrorFields(err)
		for _, col := range sortedColumns(header) {
			if m, ok := fields[col]; ok {
				probs = append(probs, Problem{Row: n, Field: col, Reason: m})
			}
		}
		if len(probs) == 0 {
			probs = append(probs, Problem{Row: n, Field: "row", Reason: patchwork.ErrorMessage(err)})
		}
	}
	ext := get("external_id")
	if !patchwork.ValidText(ext) || len(ext) > MaxExternalIDLength {
		probs = append(probs, Problem{Row: n, Field: "external_id", Reason: fmt.Sprintf("must be text of %d characters or fewer", MaxExternalIDLength)})
	}
	if area := get("local_area"); area != "" {
		id, ok := l.LocalAreas[match.Fold(area)]
		if !ok {
			probs = append(probs, Problem{Row: n, Field: "local_area", Reason: fmt.Sprintf("no local area is called %q", area)})
		}
		cl.AreaIDs = []int64{id}
	}
	var members []int64
	seen := map[int64]bool{}
	for _, e := range strings.Split(get("member_emails"), ";") {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		id, ok := l.Agents[e]
		if !ok {
			probs = append(probs, Problem{Row: n, Field: "member_emails", Reason: fmt.Sprintf("no active agent signs in as %q", e)})
			continue
		}
		if !seen[id] {
			seen[id] = true
			members = append(members, id)
		}
	}
	if len(members) == 0 && len(probs) == 0 {
		probs = append(probs, Problem{Row: n, Field: "member_emails", Reason: "name at least one agent on the client's team: a client with no team is seen by nobody"})
	}
	if len(probs) > 0 {
		return sqldb.ImportClient{}, probs
	}
	key := ext
	if key == "" {
		key = rowKey(cl)
	} else {
		key = "ext:" + key
	}
	return sqldb.ImportClient{Row: n, Key: key, Client: cl, MemberIDs: members}, nil
}

// rowKey is the key of a row without an external_id: a hash of the
// person's cleaned details, so that the same row imports once.
func rowKey(cl *patchwork.Client) string {
	h := sha256.New()
	for _, v := range append([]string{cl.FirstName, cl.LastName, cl.DateOfBirth, cl.Address, cl.Postcode, cl.Phone}, cl.Aliases...) {
		h.Write([]byte(match.Fold(v)))
		h.Write([]byte{0x1f})
	}
	return "row:" + hex.EncodeToString(h.Sum(nil))
}
