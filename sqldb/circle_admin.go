package sqldb

import (
	"context"

	"patchwork"
)

// Circle links when a client record goes away. Administration's use cases
// call these inside their own transaction (one transaction per use case):
//
//   - merging from into to: reassignCircleLinks(ctx, tx, from, to) before
//     from is deleted or marked merged;
//   - erasing a client: deleteCircleLinks(ctx, tx, actorID, client) before
//     its identifying data is erased.
//
// Neither checks who the caller is: the admin use case has done that.

// reassignCircleLinks re-points every circle link of from to to, keeping
// each relationship as it reads from the other client's side. A link
// between from and to themselves is dropped, and a link to a client that to
// is already linked with is dropped as a duplicate (to's own link, and its
// relationship, win). It records nothing on the trail: the merge's own
// activity says what happened.
func reassignCircleLinks(ctx context.Context, tx *Tx, from, to int64) error {
	type link struct {
		other     int64
		rel, note string // rel: what other is to from
		by, at    int64
	}
	links, err := scanAll(ctx, tx, `SELECT client_b, relationship, note, created_by, created_at FROM circle_links WHERE client_a = $1
		UNION ALL SELECT client_a, relationship, note, created_by, created_at FROM circle_links WHERE client_b = $1`,
		func(sc interface{ Scan(...any) error }) (link, error) {
			var l link
			err := sc.Scan(&l.other, &l.rel, &l.note, &l.by, &l.at)
			return l, err
		}, from)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM circle_links WHERE client_a = $1 OR client_b = $1`, from); err != nil {
		return err
	}
	for _, l := range links {
		if l.other == to {
			continue
		}
		rel := l.rel
		if l.other < from { // stored as what from is to other
			rel = patchwork.ReciprocalRelationship(l.rel)
		}
		a, b, stored := circlePair(to, l.other, rel)
		if _, err := tx.ExecContext(ctx, `INSERT INTO circle_links (client_a, client_b, relationship, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_a, client_b) DO NOTHING`, a, b, stored, l.note, l.by, l.at); err != nil {
			return err
		}
	}
	return nil
}

// deleteCircleLinks removes every circle link of client, and for each
// writes a "circle changed" activity on the other client, telling that
// client's team (actorID, the admin erasing, is the one who acted). No
// activity goes on client itself, whose record is being erased.
func deleteCircleLinks(ctx context.Context, tx *Tx, actorID, client int64) error {
	type link struct {
		other int64
		rel   string // what client is to other
	}
	links, err := scanAll(ctx, tx, `SELECT client_b, relationship FROM circle_links WHERE client_a = $1
		UNION ALL SELECT client_a, relationship FROM circle_links WHERE client_b = $1`,
		func(sc interface{ Scan(...any) error }) (link, error) {
			var l link
			var stored string
			if err := sc.Scan(&l.other, &stored); err != nil {
				return l, err
			}
			l.rel = stored // stored: what b is to a
			if l.other > client {
				l.rel = patchwork.ReciprocalRelationship(stored) // client is a: what a is to b
			}
			return l, nil
		}, client)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM circle_links WHERE client_a = $1 OR client_b = $1`, client); err != nil {
		return err
	}
	for _, l := range links {
		if err := tx.recordTeamEvent(ctx, l.other, actorID, patchwork.ActivityCircleChanged, circleRemoved+l.rel); err != nil {
			return err
		}
	}
	return nil
}

// ReassignCircleLinksForTest and DeleteCircleLinksForTest run the two in a
// transaction of their own; tests use them until the admin use cases that
// call them exist.
func (db *DB) ReassignCircleLinksForTest(ctx context.Context, from, to int64) error {
	return db.inTx(ctx, func(tx *Tx) error { return reassignCircleLinks(ctx, tx, from, to) })
}

// DeleteCircleLinksForTest: see ReassignCircleLinksForTest.
func (db *DB) DeleteCircleLinksForTest(ctx context.Context, actorID, client int64) error {
	return db.inTx(ctx, func(tx *Tx) error { return deleteCircleLinks(ctx, tx, actorID, client) })
}
