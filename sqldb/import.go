package sqldb

import (
	"context"
	"fmt"
	"maps"
	"slices"
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
	ImportKindAreas    = "areas" // FindImportedKeys has no keys of areas: the importer compares the area tree
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

// LikelyDuplicate is the best likely match the duplicate check finds for
// an import row: ID 0 for none.
type LikelyDuplicate struct {
	ID      int64
	Reasons []string
}

// FindLikelyDuplicates runs the add-client form's duplicate check on each
// of cls (validated) and returns, for each, its best likely match with
// the reasons, looking past the clients the import job importID wrote (0:
// none): a resumed job's own rows are not duplicates of themselves.
//
// An import only turns away likely matches, and a likely match always
// shares its block of dates of birth (search.DuplicateBlock). So rather
// than one Match a row (a key lookup and up to two hundred candidates
// loaded and scored), the clients of all the rows' blocks are read in one
// statement a few hundred dates at a time, and each row is judged against
// its block as Match judges it (search.Engine.JudgeAsDuplicate). The
// job's own clients are left out in that statement, so they can neither
// be reported nor crowd a real match out of the check's five places.
func (db *DB) FindLikelyDuplicates(ctx context.Context, cls []*patchwork.Client, importID int64) ([]LikelyDuplicate, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	var dates []string
	seen := map[string]bool{}
	blocks := make([][]string, len(cls))
	for i, cl := range cls {
		blocks[i] = search.DuplicateBlockDates(cl.DateOfBirth)
		for _, d := range blocks[i] {
			if !seen[d] {
				seen[d] = true
				dates = append(dates, d)
			}
		}
	}
	byDate := map[string]map[int64]*match.Candidate{}
	for chunk := range slices.Chunk(dates, 250) {
		var args sqlArgs
		ph := addAll(&args, chunk)
		q := `SELECT c.id FROM clients c WHERE c.date_of_birth IN (` + strings.Join(ph, ", ") + `)`
		if importID != 0 {
			q += ` AND NOT EXISTS (SELECT 1 FROM client_import_keys k WHERE k.client_id = c.id AND k.import_id = ` + args.add(importID) + `)`
		}
		cands := map[int64]*match.Candidate{}
		if err := db.loadCandidatesIn(ctx, cands, q, args); err != nil {
			return nil, err
		}
		for id, c := range cands {
			if byDate[c.DOB] == nil {
				byDate[c.DOB] = map[int64]*match.Candidate{}
			}
			byDate[c.DOB][id] = c
		}
	}
	engine, now := db.SearchEngine(), db.now()
	out := make([]LikelyDuplicate, len(cls))
	for i, cl := range cls {
		block := map[int64]*match.Candidate{}
		for _, d := range blocks[i] {
			maps.Copy(block, byDate[d])
		}
		if len(block) == 0 {
			continue
		}
		for _, m := range engine.JudgeAsDuplicate(cl, now, block, patchwork.MaxDuplicateMatches) {
			if m.Level == "likely" {
				out[i] = LikelyDuplicate{m.ID, m.Reasons}
				break
			}
		}
	}
	return out, nil
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
// (of the import job importID, 0 for none). Each client is one insert (its
// id comes back); the names, keys, areas, members and import keys of all
// the rows are a few multi-row statements.
func (tx *Tx) writeImportClients(ctx context.Context, rows []ImportClient, importID int64) (c batchCounts, err error) {
	now := micros(tx.now)
	var job any
	if importID != 0 {
		job = importID
	}
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	done := map[string]bool{}
	for chunk := range slices.Chunk(keys, 500) {
		var args sqlArgs
		ph := addAll(&args, chunk)
		found, err := queryColumn[string](ctx, tx, `SELECT key FROM client_import_keys WHERE key IN (`+strings.Join(ph, ", ")+`)`, args...)
		if err != nil {
			return c, err
		}
		for _, k := range found {
			done[k] = true
		}
	}
	var written []*patchwork.Client
	var areas, members, imported [][]any
	for _, r := range rows {
		if done[r.Key] {
			c.unchanged++
			continue
		}
		done[r.Key] = true // a key twice in one batch imports once
		cl := r.Client
		var creator any
		if len(r.MemberIDs) > 0 {
			creator = r.MemberIDs[0]
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO clients (first_name, last_name, date_of_birth, address, postcode, phone,
			created_by, created_at, updated_at, household_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id`,
			cl.FirstName, cl.LastName, cl.DateOfBirth, cl.Address, cl.Postcode, cl.Phone, creator, now,
			HouseholdKey(cl.Address, cl.Postcode)).Scan(&cl.ID); err != nil {
			return c, fmt.Errorf("sqldb: import client: %w", err)
		}
		written = append(written, cl)
		for _, a := range cl.AreaIDs {
			areas = append(areas, []any{cl.ID, a})
		}
		for _, a := range r.MemberIDs {
			members = append(members, []any{cl.ID, a, now, patchwork.JoinedByImport})
		}
		imported = append(imported, []any{r.Key, cl.ID, now, job})
		c.imported++
		c.links += len(r.MemberIDs)
	}
	if err := tx.writeClientsNames(ctx, written); err != nil {
		return c, err
	}
	if err := tx.insertRows(ctx, "client_areas", []string{"client_id", "area_id"}, areas, ` ON CONFLICT DO NOTHING`); err != nil {
		return c, err
	}
	if err := tx.insertRows(ctx, "memberships", []string{"client_id", "agent_id", "joined_at", "how_joined"}, members, ""); err != nil {
		return c, err
	}
	if err := tx.insertRows(ctx, "client_import_keys", []string{"key", "client_id", "imported_at", "import_id"}, imported, ""); err != nil {
		return c, err
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
