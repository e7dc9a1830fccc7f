package sqldb

import (
	"context"
	"database/sql"
	"strings"

	"patchwork"
)

// HouseholdKey is what two clients at one address share: the normalised
// address (patchwork.NormalizeAddress: case folded, punctuation and runs of
// spaces made one space) and postcode (spaces dropped), or "" without an
// address. It is stored as clients.household_key by every write of an
// address; the bulk loader uses it too, so that both paths key alike.
func HouseholdKey(addr, postcode string) string {
	a := patchwork.NormalizeAddress(addr)
	if a == "" {
		return ""
	}
	return a + "|" + strings.ReplaceAll(patchwork.NormalizeAddress(postcode), " ", "")
}

// householdHintLimit bounds the hints of one client: a household has a
// few people, and an address many clients share (a hostel, a care home)
// would otherwise list the viewer's whole caseload there.
const householdHintLimit = 20

// householdHintsSQL finds the viewer's ($2) own clients at the address of
// client $1: one probe of clients_household for the client's key, each
// client found checked against the viewer's membership of it by client.
// CROSS JOIN keeps that order on SQLite, whose planner could otherwise start
// from the viewer's caseload (memberships_agent); PostgreSQL treats it as
// a plain join. Erased clients have no key; merged ones keep theirs but are
// no one's client any more, and are left out all the same.
const householdHintsSQL = `SELECT c.id, c.first_name, c.last_name, c.date_of_birth
	FROM clients me CROSS JOIN clients c CROSS JOIN memberships m
	WHERE me.id = $1 AND me.household_key <> ''
		AND c.household_key = me.household_key AND c.household_key <> '' AND c.id <> me.id
		AND c.erased_at IS NULL AND c.merged_into IS NULL
		AND m.client_id = c.id AND m.agent_id = $2 AND m.left_at IS NULL
	ORDER BY c.last_name, c.first_name, c.id`

// householdHints returns the caller's own clients at the same normalised
// address and postcode as clientID and not yet linked to it, at most
// householdHintLimit of them. Only clients on the caller's own teams are
// read, so no other team's client is ever offered.
func householdHints(ctx context.Context, q querier, c *patchwork.Agent, clientID int64, linked []*patchwork.RelatedClient) ([]*patchwork.HouseholdHint, error) {
	skip := make(map[int64]bool, len(linked))
	for _, r := range linked {
		skip[r.ID] = true
	}
	// Linked clients are dropped here, so the query reads as many more.
	rows, err := scanAll(ctx, q, householdHintsSQL+limitClause(householdHintLimit+len(skip)), func(sc interface{ Scan(...any) error }) (*patchwork.HouseholdHint, error) {
		h := &patchwork.HouseholdHint{}
		var first, last string
		err := sc.Scan(&h.ID, &first, &last, &h.DateOfBirth)
		h.Name = strings.TrimSpace(first + " " + last)
		return h, err
	}, clientID, c.ID)
	if err != nil {
		return nil, err
	}
	var out []*patchwork.HouseholdHint
	for _, h := range rows {
		if !skip[h.ID] && len(out) < householdHintLimit {
			out = append(out, h)
		}
	}
	return out, nil
}

// householdBackfillBatch is how many clients backfillHouseholdKeys reads
// and writes at a time.
const householdBackfillBatch = 5000

// backfillHouseholdKeys sets the household key of every client with an
// address, in the transaction of the migration that added the column
// (migrationSteps), reading and writing householdBackfillBatch clients at
// a time: one UPDATE of a batch on PostgreSQL, one prepared UPDATE a
// client on SQLite, where a statement costs no round trip.
func backfillHouseholdKeys(ctx context.Context, tx *sql.Tx, d Dialect) error {
	var set *sql.Stmt
	if d.Name != "postgres" {
		var err error
		if set, err = tx.PrepareContext(ctx, `UPDATE clients SET household_key = $1 WHERE id = $2`); err != nil {
			return err
		}
		defer set.Close()
	}
	var after int64
	for {
		ids := make([]int64, 0, householdBackfillBatch)
		keys := make([]string, 0, householdBackfillBatch)
		rows, err := tx.QueryContext(ctx, `SELECT id, address, postcode FROM clients WHERE id > $1 ORDER BY id`+limitClause(householdBackfillBatch),
			after)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var id int64
			var addr, pc string
			if err := rows.Scan(&id, &addr, &pc); err != nil {
				rows.Close()
				return err
			}
			n++
			after = id
			if k := HouseholdKey(addr, pc); k != "" {
				ids, keys = append(ids, id), append(keys, k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		switch {
		case len(ids) == 0:
		case set == nil:
			if _, err := tx.ExecContext(ctx, `UPDATE clients c SET household_key = v.key
				FROM unnest($1::bigint[], $2::text[]) AS v(id, key) WHERE c.id = v.id`, ids, keys); err != nil {
				return err
			}
		default:
			for i, id := range ids {
				if _, err := set.ExecContext(ctx, keys[i], id); err != nil {
					return err
				}
			}
		}
		if n < householdBackfillBatch {
			return nil
		}
	}
}
