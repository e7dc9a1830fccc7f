package sqldb

import (
	"context"
	"fmt"
	"strings"

	"patchwork"
	"patchwork/match"
	"patchwork/search"
)

// The store's side of the bulk import (package importer reads and checks
// the file): what rows are checked against, the duplicate check, and the
// write. Only admins and the system caller (the CLI) may call these.

// ImportClient is one checked row of a client import.
type ImportClient struct {
	Row       int
	Key       string            // its external_id, or a hash of the row
	Client    *patchwork.Client // validated, with AreaIDs
	MemberIDs []int64
}

// ImportLookups are what rows name, read once per import.
type ImportLookups struct {
	LocalAreas map[string]int64 // by folded name
	Agents     map[string]int64 // active agents by sign-in email
}

// FindImportLookups reads the local areas and active agents rows may name.
func (db *DB) FindImportLookups(ctx context.Context) (*ImportLookups, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	l := &ImportLookups{LocalAreas: map[string]int64{}, Agents: map[string]int64{}}
	type pair struct {
		id   int64
		name string
	}
	scan := func(sc interface{ Scan(...any) error }) (pair, error) {
		var p pair
		return p, sc.Scan(&p.id, &p.name)
	}
	areas, err := scanAll(ctx, db.read, `SELECT id, name FROM areas WHERE kind = 'local' ORDER BY id`, scan)
	if err != nil {
		return nil, err
	}
	for _, a := range areas {
		if _, dup := l.LocalAreas[match.Fold(a.name)]; !dup {
			l.LocalAreas[match.Fold(a.name)] = a.id
		}
	}
	agents, err := scanAll(ctx, db.read, `SELECT id, email FROM agents WHERE active = 1`, scan)
	if err != nil {
		return nil, err
	}
	for _, a := range agents {
		l.Agents[strings.ToLower(a.name)] = a.id
	}
	return l, nil
}

// FindImportedKeys returns which of keys earlier imports wrote, with the
// client each became.
func (db *DB) FindImportedKeys(ctx context.Context, keys []string) (map[string]int64, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for start := 0; start < len(keys); start += 500 {
		var args sqlArgs
		ph := addAll(&args, keys[start:min(start+500, len(keys))])
		type row struct {
			key string
			id  int64
		}
		rows, err := scanAll(ctx, db.read, `SELECT key, client_id FROM client_import_keys WHERE key IN (`+strings.Join(ph, ", ")+`)`,
			func(sc interface{ Scan(...any) error }) (row, error) {
				var r row
				return r, sc.Scan(&r.key, &r.id)
			}, args...)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.key] = r.id
		}
	}
	return out, nil
}

// FindLikelyDuplicate runs the duplicate check of the add-client form on
// cl and returns the best likely match (0 if none) with its reasons.
func (db *DB) FindLikelyDuplicate(ctx context.Context, cl *patchwork.Client) (int64, []string, error) {
	if _, err := administrator(ctx); err != nil {
		return 0, nil, err
	}
	res, err := db.SearchEngine().Match(ctx, search.Query{Client: cl, Now: db.now(), Limit: patchwork.MaxDuplicateMatches})
	if err != nil {
		return 0, nil, err
	}
	for _, m := range res.Matches {
		if m.Level == "likely" {
			return m.ID, m.Reasons, nil
		}
	}
	return 0, nil, nil
}

// ImportClients writes rows in one transaction, so that a file is imported
// whole or not at all; a row whose key an earlier import wrote is skipped.
// It returns how many clients and memberships it wrote. progress, when
// set, is called after each row written.
func (db *DB) ImportClients(ctx context.Context, rows []ImportClient, progress func(done int)) (clients, memberships int, err error) {
	if _, err := administrator(ctx); err != nil {
		return 0, 0, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		clients, memberships = 0, 0
		now := micros(tx.now)
		for i, r := range rows {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_import_keys WHERE key = $1`, r.Key).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			cl := r.Client
			var creator any
			if len(r.MemberIDs) > 0 {
				creator = r.MemberIDs[0]
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO clients (first_name, last_name, date_of_birth, address, postcode, phone,
				created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
				cl.FirstName, cl.LastName, cl.DateOfBirth, cl.Address, cl.Postcode, cl.Phone, creator, now).Scan(&cl.ID); err != nil {
				return fmt.Errorf("sqldb: import client: %w", err)
			}
			if err := tx.writeClientNames(ctx, cl); err != nil {
				return err
			}
			areaRows := make([][]any, len(cl.AreaIDs))
			for j, a := range cl.AreaIDs {
				areaRows[j] = []any{cl.ID, a}
			}
			if err := tx.insertRows(ctx, "client_areas", []string{"client_id", "area_id"}, areaRows, ` ON CONFLICT DO NOTHING`); err != nil {
				return err
			}
			members := make([][]any, len(r.MemberIDs))
			for j, a := range r.MemberIDs {
				members[j] = []any{cl.ID, a, now, patchwork.JoinedByImport}
			}
			if err := tx.insertRows(ctx, "memberships", []string{"client_id", "agent_id", "joined_at", "how_joined"}, members, ""); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO client_import_keys (key, client_id, imported_at) VALUES ($1, $2, $3)`,
				r.Key, cl.ID, now); err != nil {
				return err
			}
			clients++
			memberships += len(r.MemberIDs)
			if progress != nil {
				progress(i + 1)
			}
		}
		return tx.audit(ctx, patchwork.AuditClientImport, 0, fmt.Sprintf("clients=%d memberships=%d", clients, memberships))
	})
	if err != nil {
		return 0, 0, err
	}
	return clients, memberships, nil
}

// FindAgencyNames returns the folded names of the existing agencies: an
// agency import is keyed on the name.
func (db *DB) FindAgencyNames(ctx context.Context) (map[string]bool, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	names, err := queryColumn[string](ctx, db.read, `SELECT name_norm FROM agencies`)
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out, err
}

// ImportAgencies adds agencies (validated, with Areas) in one transaction,
// skipping one whose name an agency has by then. It returns how many it
// added.
func (db *DB) ImportAgencies(ctx context.Context, agencies []*patchwork.Agency) (int, error) {
	if _, err := administrator(ctx); err != nil {
		return 0, err
	}
	added := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		added = 0
		for _, g := range agencies {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agencies WHERE name_norm = $1`, match.Fold(g.Name)).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if err := tx.insertAgency(ctx, g); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	return added, err
}
