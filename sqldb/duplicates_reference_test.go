package sqldb

import (
	"context"
	"fmt"
	"strings"

	"patchwork"
	"patchwork/search"
)

// The duplicates queue's scan as it first was: the duplicate check
// (search.Engine.Match) asked about each client in reach, one by one. It
// is kept here only as the reference the block scan is held to
// (TestScanDuplicatesAsMatchDoes): too slow for a million clients, it is
// plainly what "the pairs the duplicate check calls likely" means.

// QueuedPair is a pair of the duplicates queue: A < B, the reasons joined
// with "; " as the queue stores them.
type QueuedPair struct {
	A, B    int64
	Reasons string
}

// referenceBatch is how many clients the reference scan reads at once.
const referenceBatch = 500

// PairsPerClient returns the pairs the scan of one Match per client in
// reach would add to an empty queue, in the order it would add them.
func (s *MergeService) PairsPerClient(ctx context.Context) ([]QueuedPair, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return nil, err
	}
	engine := s.db.SearchEngine()
	var out []QueuedPair
	queued := map[[2]int64]bool{}
	var after int64
	for {
		batch, err := s.referenceClients(ctx, r, after)
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			return out, nil
		}
		after = batch[len(batch)-1].ID
		for _, cl := range batch {
			res, err := engine.Match(ctx, search.Query{Client: cl, Now: s.db.now(), Limit: patchwork.MaxDuplicateMatches})
			if err != nil {
				return nil, err
			}
			for _, m := range res.Matches {
				if m.ID == cl.ID || m.Level != "likely" {
					continue
				}
				p := QueuedPair{min(cl.ID, m.ID), max(cl.ID, m.ID), strings.Join(m.Reasons, "; ")}
				if queued[[2]int64{p.A, p.B}] {
					continue // ON CONFLICT DO NOTHING
				}
				live := true
				for _, id := range []int64{p.A, p.B} {
					if err := r.requireLiveClient(ctx, s.db.read, id); patchwork.ErrorCode(err) == patchwork.ENOTFOUND {
						live = false
					} else if err != nil {
						return nil, err
					}
				}
				if live {
					queued[[2]int64{p.A, p.B}] = true
					out = append(out, p)
				}
			}
		}
	}
}

// referenceClients reads the next batch of live clients in reach after id
// after, as the duplicate check reads a new client.
func (s *MergeService) referenceClients(ctx context.Context, r *reach, after int64) ([]*patchwork.Client, error) {
	list, err := scanAll(ctx, s.db.read, `SELECT c.id, c.first_name, c.last_name, c.date_of_birth, c.address, c.postcode FROM clients c
		WHERE c.id > $1 AND c.merged_into IS NULL AND `+r.client("c.id")+fmt.Sprintf(` ORDER BY c.id LIMIT %d`, referenceBatch),
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

// QueuedPairs returns every pair of the duplicates queue, dismissed or
// not, in order of A and then B.
func (db *DB) QueuedPairs(ctx context.Context) ([]QueuedPair, error) {
	return scanAll(ctx, db.read, `SELECT client_a, client_b, reasons FROM duplicate_pairs ORDER BY client_a, client_b`,
		func(sc interface{ Scan(...any) error }) (QueuedPair, error) {
			var p QueuedPair
			return p, sc.Scan(&p.A, &p.B, &p.Reasons)
		})
}
