package searcheval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"patchwork/match"
)

// The queries of the search evaluation: a random client, and the text a
// worker would type for it with one corruption.

// target picks a random client to which kind applies and writes its
// query.
func (ev *evaluation) target(ctx context.Context, rng *rand.Rand, maxID int64, kind string) (*target, error) {
	for range 10000 {
		t := &target{id: 1 + rng.Int64N(maxID)}
		err := ev.read.QueryRowContext(ctx, `SELECT c.first_name, c.last_name, c.date_of_birth, n.given_norm, n.family_norm
			FROM clients c JOIN client_names n ON n.client_id = c.id AND n.is_alias = 0 WHERE c.id = $1`, t.id).
			Scan(&t.first, &t.last, &t.dob, &t.givenNorm, &t.famNorm)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var y, m, d int
		if _, err := fmt.Sscanf(t.dob, "%d-%d-%d", &y, &m, &d); err != nil || t.first == "" {
			continue
		}
		given, family := t.first, t.last
		date := fmt.Sprintf("%02d/%02d/%04d", d, m, y)
		ok := true
		switch kind {
		case Typo, TypoNoDOB:
			family, ok = typo(rng, family)
		case Phonetic, PhoneticNoDOB:
			if rng.IntN(2) == 0 {
				if family, ok = phoneticVariant(rng, family); !ok {
					family, given = t.last, t.first
					given, ok = phoneticVariant(rng, given)
				}
			} else if given, ok = phoneticVariant(rng, given); !ok {
				given = t.first
				family, ok = phoneticVariant(rng, family)
			}
		case Nickname:
			given, ok = nicknameOf(rng, given)
		case Swapped:
			given, family = family, given
		case DOBSwapped:
			ok = d <= 12 && d != m
			date = fmt.Sprintf("%02d/%02d/%04d", m, d, y)
		case BothTypo:
			if given, ok = typo(rng, given); ok {
				family, ok = typo(rng, family)
			}
		case DOBOther:
			ny, nm, nd := otherDate(rng, y, m, d)
			date = fmt.Sprintf("%02d/%02d/%04d", nd, nm, ny)
		case NewSurname:
			if family, err = ev.otherSurname(ctx, rng, maxID, t.famNorm); err != nil {
				return nil, err
			}
		case NoGiven:
			given = ""
		}
		if !ok {
			continue
		}
		switch kind {
		case NoDOB, TypoNoDOB, PhoneticNoDOB:
			date = ""
		}
		t.text = strings.TrimSpace(given + " " + family + " " + date)
		t.query = match.ParseQuery(t.text, ev.db.Now())
		t.baselineName = match.Fold(strings.Join(t.query.Names, " "))
		if t.query.Date.Day != 0 {
			t.bDOB = t.query.Date.String()
		}
		if err := ev.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_names
			WHERE family_norm = $1 AND given_norm = $2 AND is_alias = 0`, t.famNorm, t.givenNorm).Scan(&t.sameName); err != nil {
			return nil, err
		}
		return t, nil
	}
	return nil, fmt.Errorf("searcheval: found no client for a %q query", kind)
}

// otherSurname returns the surname of a random client whose surname is
// not famNorm: a realistic new surname (a parent's new partner's, a
// stepfamily's).
func (ev *evaluation) otherSurname(ctx context.Context, rng *rand.Rand, maxID int64, famNorm string) (string, error) {
	for range 1000 {
		var last string
		err := ev.read.QueryRowContext(ctx, `SELECT last_name FROM clients WHERE id = $1`, 1+rng.Int64N(maxID)).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", err
		}
		if isPlainName(last) && match.Fold(last) != famNorm {
			return last, nil
		}
	}
	return "", errors.New("searcheval: found no other surname")
}
