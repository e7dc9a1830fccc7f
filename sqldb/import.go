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
	Agencies   map[string]int64 // by folded name
}

// FindImportLookups reads the local areas and active agents rows may name.
func (db *DB) FindImportLookups(ctx context.Context) (*ImportLookups, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	l := &ImportLookups{LocalAreas: map[string]int64{}, Agents: map[string]int64{}, Agencies: map[string]int64{}}
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
	agencies, err := scanAll(ctx, db.read, `SELECT id, name_norm FROM agencies ORDER BY id`, scan)
	if err != nil {
		return nil, err
	}
	for _, g := range agencies {
		if _, dup := l.Agencies[g.name]; !dup {
			l.Agencies[g.name] = g.id
		}
	}
	return l, nil
}

// Import kinds.
const (
	ImportKindAgencies = "agencies"
	ImportKindAgents   = "agents"
	ImportKindClients  = "clients"
)

// FindImportedKeys returns which of keys are in the database already:
// for clients the keys earlier imports wrote (client_import_keys), for
// agents the sign-in addresses of any agent, for agencies the folded
// names.
func (db *DB) FindImportedKeys(ctx context.Context, kind string, keys []string) (map[string]bool, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	query := map[string]string{
		ImportKindClients:  `SELECT key FROM client_import_keys WHERE key IN (`,
		ImportKindAgents:   `SELECT email FROM agents WHERE email IN (`,
		ImportKindAgencies: `SELECT name_norm FROM agencies WHERE name_norm IN (`,
	}[kind]
	if query == "" {
		return nil, fmt.Errorf("sqldb: no import of %q", kind)
	}
	out := map[string]bool{}
	for start := 0; start < len(keys); start += 500 {
		var args sqlArgs
		ph := addAll(&args, keys[start:min(start+500, len(keys))])
		found, err := queryColumn[string](ctx, db.read, query+strings.Join(ph, ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, k := range found {
			out[k] = true
		}
	}
	return out, nil
}

// FindLikelyDuplicate runs the duplicate check of the add-client form on
// cl and returns the best likely match (0 if none) with its reasons,
// looking past the clients the import job importID wrote (0: none).
func (db *DB) FindLikelyDuplicate(ctx context.Context, cl *patchwork.Client, importID int64) (int64, []string, error) {
	if _, err := administrator(ctx); err != nil {
		return 0, nil, err
	}
	res, err := db.SearchEngine().Match(ctx, search.Query{Client: cl, Now: db.now(), Limit: patchwork.MaxDuplicateMatches})
	if err != nil {
		return 0, nil, err
	}
	for _, m := range res.Matches {
		if m.Level != "likely" {
			continue
		}
		if importID != 0 {
			var n int
			if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_import_keys WHERE client_id = $1 AND import_id = $2`,
				m.ID, importID).Scan(&n); err != nil {
				return 0, nil, err
			}
			if n > 0 {
				continue
			}
		}
		return m.ID, m.Reasons, nil
	}
	return 0, nil, nil
}

// ImportClientBatch writes one batch of a client import's rows, with
// their teams and import keys, and records the batch on job, in one
// transaction; a row whose key an earlier import wrote is skipped (and
// counted unchanged).
func (db *DB) ImportClientBatch(ctx context.Context, job *ImportJob, rows []ImportClient, b ImportBatch) error {
	return db.writeImportBatch(ctx, job, b, func(tx *Tx) (batchCounts, error) {
		return tx.writeImportClients(ctx, rows, job.ID)
	})
}

// ImportClients writes rows in one transaction outside any import job
// (tests and measurements load clients with it), skipping a row whose key
// an earlier import wrote, and audits the counts. It returns how many
// clients and memberships it wrote. progress, when set, is called at the
// end with the rows written.
func (db *DB) ImportClients(ctx context.Context, rows []ImportClient, progress func(done int)) (clients, memberships int, err error) {
	if _, err := administrator(ctx); err != nil {
		return 0, 0, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.writeImportClients(ctx, rows, 0)
		if err != nil {
			return err
		}
		clients, memberships = c.imported, c.links
		return tx.audit(ctx, patchwork.AuditClientImport, 0, fmt.Sprintf("clients=%d memberships=%d", clients, memberships))
	})
	if err == nil && progress != nil {
		progress(len(rows))
	}
	return clients, memberships, err
}

// writeImportClients writes client rows with their teams and import keys
// (of the import job importID, 0 for none).
func (tx *Tx) writeImportClients(ctx context.Context, rows []ImportClient, importID int64) (c batchCounts, err error) {
	now := micros(tx.now)
	var job any
	if importID != 0 {
		job = importID
	}
	for _, r := range rows {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_import_keys WHERE key = $1`, r.Key).Scan(&n); err != nil {
			return c, err
		}
		if n > 0 {
			c.unchanged++
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
			return c, fmt.Errorf("sqldb: import client: %w", err)
		}
		if err := tx.writeClientNames(ctx, cl); err != nil {
			return c, err
		}
		areaRows := make([][]any, len(cl.AreaIDs))
		for j, a := range cl.AreaIDs {
			areaRows[j] = []any{cl.ID, a}
		}
		if err := tx.insertRows(ctx, "client_areas", []string{"client_id", "area_id"}, areaRows, ` ON CONFLICT DO NOTHING`); err != nil {
			return c, err
		}
		members := make([][]any, len(r.MemberIDs))
		for j, a := range r.MemberIDs {
			members[j] = []any{cl.ID, a, now, patchwork.JoinedByImport}
		}
		if err := tx.insertRows(ctx, "memberships", []string{"client_id", "agent_id", "joined_at", "how_joined"}, members, ""); err != nil {
			return c, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO client_import_keys (key, client_id, imported_at, import_id)
			VALUES ($1, $2, $3, $4)`, r.Key, cl.ID, now, job); err != nil {
			return c, err
		}
		c.imported++
		c.links += len(r.MemberIDs)
	}
	return c, nil
}

// ImportAgencyBatch adds one batch of agencies (validated, with Areas),
// skipping one whose name an agency has by then, and records the batch on
// job, in one transaction.
func (db *DB) ImportAgencyBatch(ctx context.Context, job *ImportJob, agencies []*patchwork.Agency, b ImportBatch) error {
	return db.writeImportBatch(ctx, job, b, func(tx *Tx) (c batchCounts, err error) {
		for _, g := range agencies {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agencies WHERE name_norm = $1`, match.Fold(g.Name)).Scan(&n); err != nil {
				return c, err
			}
			if n > 0 {
				c.unchanged++
				continue
			}
			if err := tx.insertAgency(ctx, g); err != nil {
				return c, err
			}
			c.imported++
			c.links += len(g.Areas)
		}
		return c, nil
	})
}
