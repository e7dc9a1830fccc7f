package sqldb

import (
	"context"
	"fmt"
	"strings"

	"patchwork"
	"patchwork/search"
)

// The duplicates queue: pairs of clients the search engine's duplicate
// check calls likely duplicates, found on demand or by the nightly job, for
// an admin to dismiss or merge.

// JobDuplicateScan is the nightly job that refreshes the duplicates queue.
const JobDuplicateScan = "duplicate_scan"

// duplicateBatch is how many clients a scan reads at once.
const duplicateBatch = 500

// ScanDuplicates adds the likely duplicate pairs among clients in reach.
func (s *MergeService) ScanDuplicates(ctx context.Context) (int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return 0, err
	}
	engine := s.db.SearchEngine()
	added := 0
	var after int64
	for {
		batch, err := s.scanClients(ctx, r, after)
		if err != nil {
			return added, err
		}
		if len(batch) == 0 {
			break
		}
		after = batch[len(batch)-1].ID
		type pair struct {
			a, b    int64
			reasons string
		}
		var found []pair
		for _, cl := range batch {
			res, err := engine.Match(ctx, search.Query{Client: cl, Now: s.db.now(), Limit: patchwork.MaxDuplicateMatches})
			if err != nil {
				return added, err
			}
			for _, m := range res.Matches {
				if m.ID == cl.ID || m.Level != "likely" {
					continue
				}
				found = append(found, pair{min(cl.ID, m.ID), max(cl.ID, m.ID), strings.Join(m.Reasons, "; ")})
			}
		}
		if len(found) == 0 {
			continue
		}
		err = s.db.inTx(ctx, func(tx *Tx) error {
			for _, p := range found {
				// The other client must be in reach too, and live.
				if err := r.requireLiveClient(ctx, tx, p.b); err != nil {
					if patchwork.ErrorCode(err) == patchwork.ENOTFOUND {
						continue
					}
					return err
				}
				if err := r.requireLiveClient(ctx, tx, p.a); err != nil {
					if patchwork.ErrorCode(err) == patchwork.ENOTFOUND {
						continue
					}
					return err
				}
				res, err := tx.ExecContext(ctx, `INSERT INTO duplicate_pairs (client_a, client_b, reasons, found_at)
					VALUES ($1, $2, $3, $4) ON CONFLICT (client_a, client_b) DO NOTHING`, p.a, p.b, p.reasons, micros(tx.now))
				if err != nil {
					return err
				}
				n, _ := res.RowsAffected()
				added += int(n)
			}
			return nil
		})
		if err != nil {
			return added, err
		}
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, patchwork.AuditDuplicateScan, 0, fmt.Sprintf("added=%d", added))
	})
	return added, err
}

// scanClients reads the next batch of live clients in reach after id
// after, as the duplicate check reads a new client.
func (s *MergeService) scanClients(ctx context.Context, r *reach, after int64) ([]*patchwork.Client, error) {
	list, err := scanAll(ctx, s.db.read, `SELECT c.id, c.first_name, c.last_name, c.date_of_birth, c.address, c.postcode FROM clients c
		WHERE c.id > $1 AND c.merged_into IS NULL AND `+r.client("c.id")+fmt.Sprintf(` ORDER BY c.id LIMIT %d`, duplicateBatch),
		func(sc interface{ Scan(...any) error }) (*patchwork.Client, error) {
			cl := &patchwork.Client{}
			return cl, sc.Scan(&cl.ID, &cl.FirstName, &cl.LastName, &cl.DateOfBirth, &cl.Address, &cl.Postcode)
		}, after)
	if err != nil || len(list) == 0 {
		return list, err
	}
	byID := make(map[int64]*patchwork.Client, len(list))
	var args sqlArgs
	ph := make([]string, len(list))
	for i, cl := range list {
		byID[cl.ID] = cl
		ph[i] = args.add(cl.ID)
	}
	type alias struct {
		id   int64
		name string
	}
	aliases, err := scanAll(ctx, s.db.read, `SELECT client_id, display FROM client_names WHERE is_alias = 1 AND client_id IN (`+
		strings.Join(ph, ", ")+`) ORDER BY id`, func(sc interface{ Scan(...any) error }) (alias, error) {
		var a alias
		return a, sc.Scan(&a.id, &a.name)
	}, args...)
	for _, a := range aliases {
		byID[a.id].Aliases = append(byID[a.id].Aliases, a.name)
	}
	return list, err
}

// FindDuplicatePairs returns a page of the open pairs in reach.
func (s *MergeService) FindDuplicatePairs(ctx context.Context, page int) ([]*patchwork.DuplicatePair, int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, 0, err
	}
	cond := `p.status = 'open' AND ca.merged_into IS NULL AND cb.merged_into IS NULL AND ` + r.client("p.client_a") + ` AND ` + r.client("p.client_b")
	from := ` FROM duplicate_pairs p JOIN clients ca ON ca.id = p.client_a JOIN clients cb ON cb.id = p.client_b WHERE ` + cond
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+from).Scan(&total); err != nil {
		return nil, 0, err
	}
	per := patchwork.AdminPageSize
	type row struct {
		id, a, b int64
		reasons  string
		at       int64
	}
	rows, err := scanAll(ctx, s.db.read, `SELECT p.id, p.client_a, p.client_b, p.reasons, p.found_at`+from+
		fmt.Sprintf(` ORDER BY p.id LIMIT %d OFFSET %d`, per, (max(page, 1)-1)*per), func(sc interface{ Scan(...any) error }) (row, error) {
		var x row
		return x, sc.Scan(&x.id, &x.a, &x.b, &x.reasons, &x.at)
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([]*patchwork.DuplicatePair, 0, len(rows))
	for _, x := range rows {
		p := &patchwork.DuplicatePair{ID: x.id, FoundAt: fromMicros(x.at)}
		if x.reasons != "" {
			p.Reasons = strings.Split(x.reasons, "; ")
		}
		if p.A, err = s.db.adminClient(ctx, s.db.read, x.a); err != nil {
			return nil, 0, err
		}
		if p.B, err = s.db.adminClient(ctx, s.db.read, x.b); err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, s.db.auditRead(ctx, patchwork.AuditDuplicateList, 0, fmt.Sprintf("rows=%d", len(out)))
}

// DismissDuplicatePair takes a pair in reach off the queue.
func (s *MergeService) DismissDuplicatePair(ctx context.Context, id int64) error {
	r, err := adminReach(ctx)
	if err != nil {
		return err
	}
	var actor any
	if r.actor != nil {
		actor = r.actor.ID
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE duplicate_pairs SET status = 'dismissed', decided_at = $1, decided_by = $2
			WHERE id = $3 AND status = 'open' AND `+r.client("client_a")+` AND `+r.client("client_b"), micros(tx.now), actor, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return patchwork.ErrNotFound
		}
		return tx.audit(ctx, patchwork.AuditDuplicateDismiss, 0, fmt.Sprintf("pair=%d", id))
	})
}
