package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"patchwork"
	"patchwork/match"
	"patchwork/search"
)

// The scan behind the duplicates queue. Asking the duplicate check about
// each client in turn (search.Engine.Match) costs a lookup and a load per
// client: about an hour at a million clients. A likely duplicate is always
// born in the same block of dates (search.DuplicateBlock: the same date or
// day and month swapped), and a block never leaves its year, so the scan
// reads the live clients a year at a time, on every processor, and judges
// each client in reach against its block with the duplicate check's own
// judging (search.Engine.JudgeAsDuplicate). It finds exactly the pairs, and
// the reasons, that Match called likely (TestScanDuplicatesAsMatchDoes).

// duplicateWriteBatch is how many pairs one transaction of the scan writes
// at most.
const duplicateWriteBatch = 500

// maxScanWorkers bounds the years judged at once: judging is pure CPU, so
// more workers than processors only hold more years in memory.
const maxScanWorkers = 8

// dupPair is a likely pair as the queue stores it, a < b.
type dupPair struct {
	a, b    int64
	reasons string
}

// ScanDuplicates adds the likely duplicate pairs among clients in reach.
// Each batch of pairs is its own transaction, and a pair is added once
// (ON CONFLICT DO NOTHING): a scan stopped part way leaves only pairs a
// whole scan adds, and the next scan adds the rest, as though the first
// had finished. The audit row (the queue's last refresh) is written only
// by a whole scan.
func (s *MergeService) ScanDuplicates(ctx context.Context) (int, error) {
	r, err := adminReach(ctx)
	if err != nil {
		return 0, err
	}
	years, err := queryColumn[string](ctx, s.db.read, `SELECT DISTINCT substr(date_of_birth, 1, 4) FROM clients WHERE date_of_birth <> ''`)
	if err != nil {
		return 0, err
	}
	slices.Sort(years)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type yearResult struct {
		pairs []dupPair
		err   error
	}
	jobs := make(chan string)
	found := make(chan yearResult, 2)
	engine, now := s.db.SearchEngine(), s.db.now()
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), maxScanWorkers, max(len(years), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for y := range jobs {
				pairs, err := s.yearPairs(ctx, r, engine, now, y)
				select {
				case found <- yearResult{pairs, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, y := range years {
			select {
			case jobs <- y:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(found)
	}()
	// The pairs are written here, as the years come in, so memory holds
	// at most a batch and the years being judged.
	added, per := 0, cmp.Or(s.writeBatch, duplicateWriteBatch)
	var batch []dupPair
	var firstErr error
	for res := range found {
		if firstErr != nil {
			continue // draining what the workers had judged
		}
		if res.err != nil {
			firstErr = res.err
			cancel()
			continue
		}
		batch = append(batch, res.pairs...)
		for len(batch) >= per && firstErr == nil {
			n, err := s.addPairs(ctx, r, batch[:per])
			added += n
			if err != nil {
				firstErr = err
				cancel()
			} else if s.batchWritten != nil {
				s.batchWritten(added)
			}
			batch = batch[per:]
		}
	}
	if firstErr != nil {
		return added, firstErr
	}
	if err := ctx.Err(); err != nil {
		return added, err
	}
	n, err := s.addPairs(ctx, r, batch)
	if added += n; err != nil {
		return added, err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, patchwork.AuditDuplicateScan, 0, fmt.Sprintf("added=%d", added))
	})
	return added, err
}

// yearPairs returns the likely pairs of live clients in reach born in
// year (as stored, YYYY), a pair's reasons as the duplicate check of the
// first client that finds the other gives them, in order of id: for a <
// b, a's when a finds b.
func (s *MergeService) yearPairs(ctx context.Context, r *reach, engine *search.Engine, now time.Time, year string) ([]dupPair, error) {
	// Every date of the year as stored sorts from "YYYY-" to before
	// "YYYY." ('.' follows '-'), so the range reads the index on
	// date_of_birth.
	from, to := year+"-", year+"."
	cands := map[int64]*match.Candidate{}
	clients := map[int64]*patchwork.Client{}
	err := s.db.eachCandidateRow(ctx, `SELECT c.id FROM clients c WHERE c.date_of_birth >= $1 AND c.date_of_birth < $2`, []any{from, to},
		func(id int64, given, family, dob, address, postcode, alias string) {
			c, cl := cands[id], clients[id]
			if c == nil {
				c = &match.Candidate{Given: given, Family: family, DOB: dob, Address: address, Postcode: postcode}
				cl = &patchwork.Client{ID: id, FirstName: given, LastName: family, DateOfBirth: dob, Address: address, Postcode: postcode}
				cands[id], clients[id] = c, cl
			}
			if alias != "" {
				g, f := match.SplitAlias(alias)
				c.Aliases = append(c.Aliases, match.Alias{Given: g, Family: f})
				cl.Aliases = append(cl.Aliases, alias)
			}
		})
	if err != nil {
		return nil, err
	}
	inReach := func(int64) bool { return true }
	if !r.all {
		ids, err := queryIDs(ctx, s.db.read, `SELECT c.id FROM clients c WHERE c.date_of_birth >= $1 AND c.date_of_birth < $2
			AND c.merged_into IS NULL AND `+r.client("c.id"), from, to)
		if err != nil {
			return nil, err
		}
		set := make(map[int64]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		inReach = func(id int64) bool { return set[id] }
	}
	blocks := map[string]map[int64]*match.Candidate{}
	for id, c := range cands {
		if key := search.DuplicateBlock(c.DOB); key != "" {
			if blocks[key] == nil {
				blocks[key] = map[int64]*match.Candidate{}
			}
			blocks[key][id] = c
		}
	}
	seen := map[[2]int64]bool{}
	var out []dupPair
	for _, key := range slices.Sorted(maps.Keys(blocks)) {
		block := blocks[key]
		for _, id := range slices.Sorted(maps.Keys(block)) {
			if !inReach(id) {
				continue
			}
			for _, m := range engine.JudgeAsDuplicate(clients[id], now, block, patchwork.MaxDuplicateMatches) {
				if m.ID == id || m.Level != "likely" || !inReach(m.ID) {
					continue
				}
				k := [2]int64{min(id, m.ID), max(id, m.ID)}
				if !seen[k] {
					seen[k] = true
					out = append(out, dupPair{k[0], k[1], strings.Join(m.Reasons, "; ")})
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(x, y dupPair) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	return out, nil
}

// addPairs writes pairs to the queue in one transaction, each only while
// both clients are live and in reach (one may have been merged since it
// was read); a pair queued before, dismissed or not, stays as it is. It
// returns how many pairs it added.
func (s *MergeService) addPairs(ctx context.Context, r *reach, pairs []dupPair) (int, error) {
	if len(pairs) == 0 {
		return 0, nil
	}
	added := 0
	err := s.db.inTx(ctx, func(tx *Tx) error {
		added = 0
		for _, p := range pairs {
			live := true
			for _, id := range []int64{p.a, p.b} {
				if err := r.requireLiveClient(ctx, tx, id); patchwork.ErrorCode(err) == patchwork.ENOTFOUND {
					live = false
					break
				} else if err != nil {
					return err
				}
			}
			if !live {
				continue
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
	return added, err
}
