package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"patchwork"
	"patchwork/match"
)

// UpdateClient changes a client's details; see patchwork.ClientService. The
// team is told which fields changed — never the old or new values.
func (s *ClientService) UpdateClient(ctx context.Context, id int64, upd *patchwork.Client) ([]string, error) {
	c, err := memberCaller(ctx, s.db.read, id)
	if err != nil {
		return nil, err
	}
	if err := upd.Validate(upd.DateOfBirth, s.db.now()); err != nil {
		return nil, err
	}
	var changed []string
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if err := requireMember(ctx, tx, c, id); err != nil {
			return err
		}
		old, err := tx.db.loadClient(ctx, tx, id)
		if err != nil {
			return err
		}
		changed = changedFields(old, upd)
		if len(changed) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clients SET first_name = $1, last_name = $2, date_of_birth = $3, address = $4,
			postcode = $5, phone = $6, updated_at = $7, household_key = $9 WHERE id = $8`, upd.FirstName, upd.LastName, upd.DateOfBirth,
			upd.Address, upd.Postcode, upd.Phone, micros(tx.now), id, HouseholdKey(upd.Address, upd.Postcode)); err != nil {
			return err
		}
		if old.Name() != upd.Name() || !slices.Equal(old.Aliases, upd.Aliases) {
			if err := tx.deleteClientNames(ctx, old); err != nil {
				return err
			}
			upd.ID = id
			if err := tx.writeClientNames(ctx, upd); err != nil {
				return err
			}
		}
		detail := strings.Join(changed, ", ")
		if err := tx.recordTeamEvent(ctx, id, c.ID, patchwork.ActivityClientUpdated, detail); err != nil {
			return err
		}
		return tx.audit(ctx, patchwork.AuditClientUpdate, id, "fields="+detail)
	})
	return changed, err
}

// changedFields names, in words, the fields that differ between a and b.
func changedFields(a, b *patchwork.Client) []string {
	var out []string
	add := func(differ bool, name string) {
		if differ {
			out = append(out, name)
		}
	}
	add(a.Name() != b.Name(), "name")
	add(!slices.Equal(a.Aliases, b.Aliases), "other names")
	add(a.DateOfBirth != b.DateOfBirth, "date of birth")
	add(a.Address != b.Address, "address")
	add(a.Postcode != b.Postcode, "postcode")
	add(a.Phone != b.Phone, "phone")
	return out
}

// deleteClientNames removes a client's names and search keys. The keys are
// recomputed from the old names and deleted by primary key, so no index on
// client_keys(client_id) is needed.
func (tx *Tx) deleteClientNames(ctx context.Context, old *patchwork.Client) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM client_names WHERE client_id = $1`, old.ID); err != nil {
		return err
	}
	seen := map[match.NameKey]bool{}
	for _, k := range ClientNameKeys(old.FirstName, old.LastName, old.Aliases) {
		if seen[k] {
			continue
		}
		seen[k] = true
		res, err := tx.ExecContext(ctx, `DELETE FROM client_keys WHERE key = $1 AND kind = $2 AND client_id = $3`, k.Key, k.Kind, old.ID)
		if err != nil {
			return fmt.Errorf("sqldb: delete client key: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE client_key_freq SET n = n - 1 WHERE key = $1 AND kind = $2 AND n > 0`,
				k.Key, k.Kind); err != nil {
				return err
			}
		}
	}
	return nil
}
