package searcheval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"

	"patchwork"
	"patchwork/match"
)

// The submissions of the duplicate-check evaluation: corrupted copies of
// clients, and new clients who are on Patchwork under no name.

// original reads client id as a target of the duplicate check, or nil when
// it is missing or its names are not plain enough to corrupt.
func (ev *evaluation) original(ctx context.Context, id int64) (*target, error) {
	t := &target{id: id}
	err := ev.read.QueryRowContext(ctx, `SELECT c.first_name, c.last_name, c.date_of_birth, c.address, c.postcode,
		n.given_norm, n.family_norm FROM clients c JOIN client_names n ON n.client_id = c.id AND n.is_alias = 0 WHERE c.id = $1`, id).
		Scan(&t.first, &t.last, &t.dob, &t.address, &t.postcode, &t.givenNorm, &t.famNorm)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// duplicate writes a copy of a random client corrupted as kind says. The
// address and postcode, where the kind does not set them, are kept, written
// differently, or left out, a third of the time each.
func (ev *evaluation) duplicate(ctx context.Context, rng *rand.Rand, maxID int64, kind DupKind) (*submission, error) {
	for range 10000 {
		o, err := ev.original(ctx, 1+rng.Int64N(maxID))
		if err != nil {
			return nil, err
		}
		if o == nil || !isPlainName(o.first) || !isPlainName(o.last) {
			continue
		}
		var y, m, d int
		if _, err := fmt.Sscanf(o.dob, "%d-%d-%d", &y, &m, &d); err != nil {
			continue
		}
		c := patchwork.Client{FirstName: o.first, LastName: o.last, Address: o.address, Postcode: o.postcode}
		switch rng.IntN(3) {
		case 1:
			if a, ok := addressVariant(rng, o.address); ok {
				c.Address = a
			}
			if p, ok := postcodeVariant(rng, o.postcode); ok {
				c.Postcode = p
			}
		case 2:
			c.Address, c.Postcode = "", ""
		}
		ok := true
		switch kind {
		case DupTypo:
			c.LastName, ok = typo(rng, o.last)
		case DupBothTypo:
			if c.FirstName, ok = typo(rng, o.first); ok {
				c.LastName, ok = typo(rng, o.last)
			}
		case DupPhonetic:
			if c.LastName, ok = phoneticVariant(rng, o.last); !ok {
				c.LastName = o.last
				c.FirstName, ok = phoneticVariant(rng, o.first)
			}
		case DupNickname:
			c.FirstName, ok = nicknameOf(rng, o.first)
		case DupSwapped:
			c.FirstName, c.LastName = o.last, o.first
		case DupDOBSwapped:
			ok = d <= 12 && d != m
			m, d = d, m
		case DupDOBOther:
			y, m, d = otherDate(rng, y, m, d)
		case DupNewSurname, DupFormerName:
			if c.LastName, err = ev.otherSurname(ctx, rng, maxID, o.famNorm); err != nil {
				return nil, err
			}
			if c.Address, c.Postcode, err = ev.otherAddress(ctx, rng, maxID); err != nil {
				return nil, err
			}
			if kind == DupFormerName {
				c.Aliases = []string{o.first + " " + o.last}
			}
		case DupInitial:
			c.FirstName = o.first[:1]
		case DupPostcode:
			if c.FirstName, ok = typo(rng, o.first); ok {
				if c.LastName, err = ev.otherSurname(ctx, rng, maxID, o.famNorm); err != nil {
					return nil, err
				}
				if c.Address, _, err = ev.otherAddress(ctx, rng, maxID); err != nil {
					return nil, err
				}
				ok = o.postcode != ""
				c.Postcode = o.postcode
			}
		case DupAddress:
			if c.FirstName, ok = nicknameOf(rng, o.first); ok {
				if c.LastName, err = ev.otherSurname(ctx, rng, maxID, o.famNorm); err != nil {
					return nil, err
				}
				c.Address, ok = addressVariant(rng, o.address)
				c.Postcode = ""
			}
		case DupNoName:
			other, err := ev.original(ctx, 1+rng.Int64N(maxID))
			if err != nil {
				return nil, err
			}
			ok = other != nil && other.givenNorm != o.givenNorm && other.famNorm != o.famNorm &&
				o.address != "" && o.postcode != ""
			if ok {
				c.FirstName, c.LastName = other.first, other.last
				c.Address, c.Postcode = o.address, o.postcode
			}
		}
		if !ok {
			continue
		}
		return &submission{client: c, dobTyped: fmt.Sprintf("%02d/%02d/%04d", d, m, y), kind: kind.Name, original: o}, nil
	}
	return nil, fmt.Errorf("searcheval: found no client for a %q duplicate", kind.Name)
}

// unrelated writes a new client who is on Patchwork under no name: a given
// name and a surname of two random clients that no client (nor alias) has
// together, a random date of birth, and the address of a third client or
// none.
func (ev *evaluation) unrelated(ctx context.Context, rng *rand.Rand, maxID int64) (*submission, error) {
	for range 10000 {
		a, err := ev.original(ctx, 1+rng.Int64N(maxID))
		if err != nil {
			return nil, err
		}
		last, err := ev.otherSurname(ctx, rng, maxID, "")
		if err != nil {
			return nil, err
		}
		if a == nil || !isPlainName(a.first) {
			continue
		}
		var n int
		if err := ev.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_names WHERE given_norm = $1 AND family_norm = $2`,
			a.givenNorm, match.Fold(last)).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			continue
		}
		c := patchwork.Client{FirstName: a.first, LastName: last}
		if rng.IntN(3) > 0 {
			if c.Address, c.Postcode, err = ev.otherAddress(ctx, rng, maxID); err != nil {
				return nil, err
			}
		}
		dob := fmt.Sprintf("%02d/%02d/%04d", 1+rng.IntN(28), 1+rng.IntN(12), 1940+rng.IntN(85))
		return &submission{client: c, dobTyped: dob}, nil
	}
	return nil, errors.New("searcheval: found no unrelated name")
}

// otherAddress returns the address and postcode of a random client.
func (ev *evaluation) otherAddress(ctx context.Context, rng *rand.Rand, maxID int64) (string, string, error) {
	for range 1000 {
		var addr, pc string
		err := ev.read.QueryRowContext(ctx, `SELECT address, postcode FROM clients WHERE id = $1`, 1+rng.Int64N(maxID)).Scan(&addr, &pc)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		return addr, pc, err
	}
	return "", "", errors.New("searcheval: found no address")
}
