package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"patchwork"
	"patchwork/match"
)

// ClientNameKeys returns the search-index keys of a client: those of the
// primary name and of every alias (match.ClientKeys), without duplicates.
// The bulk loader uses it too, so that both paths index alike.
func ClientNameKeys(first, last string, aliases []string) []match.NameKey {
	keys := match.ClientKeys(first, last)
	if len(aliases) == 0 {
		return keys
	}
	seen := make(map[match.NameKey]bool, len(keys)*2)
	for _, k := range keys {
		seen[k] = true
	}
	for _, a := range aliases {
		given, family := match.SplitAlias(a)
		for _, k := range match.ClientKeys(given, family) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// clientKeys are one client's search-index keys.
type clientKeys struct {
	id   int64
	keys []match.NameKey
}

// writeClientKeys indexes a client's keys and counts them in
// client_key_freq, in the caller's transaction.
func (tx *Tx) writeClientKeys(ctx context.Context, clientID int64, keys []match.NameKey) error {
	return tx.writeKeys(ctx, []clientKeys{{clientID, keys}})
}

// writeKeys indexes the keys of clients and counts them in client_key_freq.
// Each client's keys are distinct (ClientNameKeys), so a key's count goes
// up by the number of clients holding it. The rows go in key order, one
// count per key: written in the clients' order, an import's five hundred
// clients a batch updated a page of each index for every key.
func (tx *Tx) writeKeys(ctx context.Context, clients []clientKeys) error {
	var rows [][]any
	n := map[match.NameKey]int{}
	for _, c := range clients {
		for _, k := range c.keys {
			rows = append(rows, []any{k.Key, k.Kind, c.id})
			n[k]++
		}
	}
	slices.SortFunc(rows, func(a, b []any) int {
		return cmp.Or(cmp.Compare(a[0].(string), b[0].(string)), cmp.Compare(a[1].(string), b[1].(string)), cmp.Compare(a[2].(int64), b[2].(int64)))
	})
	counts := make([][]any, 0, len(n))
	for _, k := range slices.SortedFunc(maps.Keys(n), func(a, b match.NameKey) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Kind, b.Kind))
	}) {
		counts = append(counts, []any{k.Key, k.Kind, n[k]})
	}
	if err := tx.insertRows(ctx, "client_keys", []string{"key", "kind", "client_id"}, rows, ` ON CONFLICT DO NOTHING`); err != nil {
		return fmt.Errorf("sqldb: insert client keys: %w", err)
	}
	if err := tx.insertRows(ctx, "client_key_freq", []string{"key", "kind", "n"}, counts,
		` ON CONFLICT (key, kind) DO UPDATE SET n = client_key_freq.n + excluded.n`); err != nil {
		return fmt.Errorf("sqldb: count client keys: %w", err)
	}
	return nil
}

// ReindexClientKeys writes search keys for every client that has none, such
// as clients added before the index existed, and returns how many it
// indexed. It works in batches of one transaction each.
func (db *DB) ReindexClientKeys(ctx context.Context) (int, error) {
	total := 0
	var after int64
	for {
		batch, err := scanAll(ctx, db.read, `SELECT c.id, c.first_name, c.last_name FROM clients c
			WHERE c.id > $1 ORDER BY c.id LIMIT 1000`, func(sc interface{ Scan(...any) error }) (*patchwork.Client, error) {
			cl := &patchwork.Client{}
			return cl, sc.Scan(&cl.ID, &cl.FirstName, &cl.LastName)
		}, after)
		if err != nil {
			return total, err
		}
		if len(batch) == 0 {
			return total, nil
		}
		after = batch[len(batch)-1].ID
		err = db.inTx(ctx, func(tx *Tx) error {
			for _, cl := range batch {
				var n int
				// The first key of the primary name is always written, so a
				// client without it has never been indexed.
				k := firstKey(cl)
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_keys WHERE client_id = $1 AND key = $2 AND kind = $3`,
					cl.ID, k.Key, k.Kind).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					continue
				}
				aliases, err := tx.aliasesOf(ctx, cl.ID)
				if err != nil {
					return err
				}
				if err := tx.writeClientKeys(ctx, cl.ID, ClientNameKeys(cl.FirstName, cl.LastName, aliases)); err != nil {
					return err
				}
				total++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
}

// firstKey is a key every indexed client has: the first of its primary
// name's keys.
func firstKey(cl *patchwork.Client) match.NameKey {
	if ks := match.ClientKeys(cl.FirstName, cl.LastName); len(ks) > 0 {
		return ks[0]
	}
	return match.NameKey{}
}

func (tx *Tx) aliasesOf(ctx context.Context, clientID int64) ([]string, error) {
	return queryColumn[string](ctx, tx, `SELECT display FROM client_names WHERE client_id = $1 AND is_alias = 1 ORDER BY id`, clientID)
}
