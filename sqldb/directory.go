package sqldb

import (
	"context"
	"slices"
	"strings"

	"patchwork"
	"patchwork/match"
)

// The phone book's search index (agent_words, agency_words) holds the folded
// words an agent or agency can be found by. Which words are public follows
// AsSeenBy: what an outsider sees of an agent or agency is public; what only
// admins and the agency's own staff see (a sensitive role, a sensitive
// agency's real name) is private, so searching for it finds nothing for
// anyone else.

// wordSet maps each word to whether it is private.
type wordSet map[string]bool

// add puts the words of texts in the set; a word already public stays public.
func (ws wordSet) add(private bool, texts ...string) {
	for _, t := range texts {
		for _, w := range strings.Fields(match.Fold(t)) {
			if was, ok := ws[w]; !ok || was {
				ws[w] = private
			}
		}
	}
}

// agentWords returns the words agent a is found by; a.Agency must be set,
// and areas are the names of a's local areas.
func agentWords(a *patchwork.Agent, areas []string) wordSet {
	ws := wordSet{}
	pub := a.AsSeenBy(nil)
	ws.add(false, pub.Name, pub.Role, pub.Agency.Name, pub.Agency.Sector)
	ws.add(false, areas...)
	ws.add(true, a.Role, a.Agency.Name)
	return ws
}

// agencyWords returns the words agency g is found by.
func agencyWords(g *patchwork.Agency, areas []string) wordSet {
	ws := wordSet{}
	pub := g.AsSeenBy(nil)
	ws.add(false, pub.Name, pub.Sector)
	ws.add(false, areas...)
	ws.add(true, g.Name)
	return ws
}

// indexAgent rewrites the search words of one agent.
func (tx *Tx) indexAgent(ctx context.Context, id int64) error {
	a, err := scanAgent(tx.QueryRowContext(ctx, `SELECT `+agentColumns+agentFrom+` WHERE a.id = $1`, id))
	if err != nil {
		return err
	}
	areas, err := queryColumn[string](ctx, tx, `SELECT r.name FROM agent_areas x JOIN areas r ON r.id = x.area_id WHERE x.agent_id = $1`, id)
	if err != nil {
		return err
	}
	return tx.writeWords(ctx, "agent_words", "agent_id", id, agentWords(a, areas))
}

// indexAgency rewrites the search words of one agency. Changing an
// agency's name, label or sector must also re-index its agents, who are
// found by it (AgencyAdminService.UpdateAgency does).
func (tx *Tx) indexAgency(ctx context.Context, id int64) error {
	g, err := scanAgency(tx.QueryRowContext(ctx, `SELECT `+agencyColumns+` FROM agencies g WHERE g.id = $1`, id))
	if err != nil {
		return err
	}
	areas, err := queryColumn[string](ctx, tx, `SELECT r.name FROM agency_areas x JOIN areas r ON r.id = x.area_id WHERE x.agency_id = $1`, id)
	if err != nil {
		return err
	}
	return tx.writeWords(ctx, "agency_words", "agency_id", id, agencyWords(g, areas))
}

// writeWords replaces the words of one row of table, keyed by column col,
// and keeps the vocabulary to the words still in use: a word the row no
// longer has, and no other row has either, leaves directory_vocab too (a
// role of 150,000 words, once cleared, left them all behind). table and col
// are constants of this package.
func (tx *Tx) writeWords(ctx context.Context, table, col string, id int64, ws wordSet) error {
	if err := tx.lockDirectory(ctx, false); err != nil {
		return err
	}
	old, err := queryColumn[string](ctx, tx, `DELETE FROM `+table+` WHERE `+col+` = $1 RETURNING word`, id)
	if err != nil {
		return err
	}
	rows := wordRows(id, ws, nil)
	if err := tx.insertRows(ctx, table, []string{"word", col, "private"}, rows, ""); err != nil {
		return err
	}
	tx.afterCommit(tx.db.vocab.clear)
	if err := tx.insertRows(ctx, "directory_vocab", []string{"word"}, vocabRows(rows), ` ON CONFLICT DO NOTHING`); err != nil {
		return err
	}
	var gone []string
	for _, w := range old {
		if _, kept := ws[w]; !kept {
			gone = append(gone, w)
		}
	}
	slices.Sort(gone) // rows locked in one order by every writer, as in vocabRows
	return tx.dropUnusedVocab(ctx, gone)
}

// dropUnusedVocab deletes from directory_vocab those of words that neither
// word table holds any more, a few hundred at a time (both databases bound
// the parameters of one statement).
func (tx *Tx) dropUnusedVocab(ctx context.Context, words []string) error {
	for len(words) > 0 {
		n := min(len(words), 500)
		var args sqlArgs
		in := strings.Join(addAll(&args, words[:n]), ", ")
		if _, err := tx.ExecContext(ctx, `DELETE FROM directory_vocab WHERE word IN (`+in+`)
			AND NOT EXISTS (SELECT 1 FROM agent_words x WHERE x.word = directory_vocab.word)
			AND NOT EXISTS (SELECT 1 FROM agency_words x WHERE x.word = directory_vocab.word)`, args...); err != nil {
			return err
		}
		words = words[n:]
	}
	return nil
}

// wordRows appends to rows the rows (word, id, private) of ws.
func wordRows(id int64, ws wordSet, rows [][]any) [][]any {
	for w, private := range ws {
		rows = append(rows, []any{w, id, b2i(private)})
	}
	return rows
}

// vocabRows returns the distinct words of word rows, as rows, in order.
// The order matters on PostgreSQL: two profile changes adding the same new
// words wait for each other's uncommitted rows, and in a word set's random
// order one could hold "alpha" waiting for "beta" while the other held
// "beta" waiting for "alpha" — a deadlock, which aborted one of them.
func vocabRows(rows ...[][]any) [][]any {
	seen := map[string]bool{}
	var words []string
	for _, rs := range rows {
		for _, r := range rs {
			if w := r[0].(string); !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	slices.Sort(words)
	out := make([][]any, len(words))
	for i, w := range words {
		out[i] = []any{w}
	}
	return out
}

// lockDirectory serialises rebuilds of the phone book's index by instances
// starting together on one PostgreSQL database (SQLite has one writer).
// Writers of one agent's or agency's words take it shared: they wait for a
// rebuild in progress, whose inserts would otherwise collide with theirs,
// but not for each other. They take it before the audit lock, as every use
// case writes its words before its audit row.
func (tx *Tx) lockDirectory(ctx context.Context, exclusive bool) error {
	if tx.db.pool == nil {
		return nil
	}
	lock := advisory("pg_advisory_xact_lock_shared")
	if exclusive {
		lock = advisory("pg_advisory_xact_lock")
	}
	_, err := tx.ExecContext(ctx, lock, advisoryDirectory)
	return err
}

// reindexDirectory rebuilds the phone book's search index of every agent
// and agency in the caller's transaction, so searches see the old index or
// the new one, never a half-built one.
func (tx *Tx) reindexDirectory(ctx context.Context) error {
	if err := tx.lockDirectory(ctx, true); err != nil {
		return err
	}
	areaNames := func(q string) (map[int64][]string, error) {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[int64][]string{}
		for rows.Next() {
			var id int64
			var n string
			if err := rows.Scan(&id, &n); err != nil {
				return nil, err
			}
			out[id] = append(out[id], n)
		}
		return out, rows.Err()
	}
	agencyAreas, err := areaNames(`SELECT x.agency_id, r.name FROM agency_areas x JOIN areas r ON r.id = x.area_id`)
	if err != nil {
		return err
	}
	agentAreas, err := areaNames(`SELECT x.agent_id, r.name FROM agent_areas x JOIN areas r ON r.id = x.area_id`)
	if err != nil {
		return err
	}
	agencies, err := scanAll(ctx, tx, `SELECT `+agencyColumns+` FROM agencies g`, scanAgency)
	if err != nil {
		return err
	}
	agents, err := scanAll(ctx, tx, `SELECT `+agentColumns+agentFrom, scanAgent)
	if err != nil {
		return err
	}
	var agencyRows, agentRows [][]any
	for _, g := range agencies {
		agencyRows = wordRows(g.ID, agencyWords(g, agencyAreas[g.ID]), agencyRows)
	}
	for _, a := range agents {
		agentRows = wordRows(a.ID, agentWords(a, agentAreas[a.ID]), agentRows)
	}
	for _, t := range []string{"agent_words", "agency_words", "directory_vocab"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return err
		}
	}
	tx.afterCommit(tx.db.vocab.clear)
	if err := tx.insertRows(ctx, "directory_vocab", []string{"word"}, vocabRows(agencyRows, agentRows), ""); err != nil {
		return err
	}
	if err := tx.insertRows(ctx, "agency_words", []string{"word", "agency_id", "private"}, agencyRows, ""); err != nil {
		return err
	}
	return tx.insertRows(ctx, "agent_words", []string{"word", "agent_id", "private"}, agentRows, "")
}

// ReindexDirectory rebuilds the phone book's search index of every agent and
// agency in one transaction; the statewide loader calls it after loading.
func (db *DB) ReindexDirectory(ctx context.Context) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.reindexDirectory(ctx) })
}

// ensureDirectoryIndex builds the phone book's search index once, for
// databases made before it existed. Instances starting together wait for
// the one that builds it, then find it built.
func (db *DB) ensureDirectoryIndex(ctx context.Context) error {
	if v, err := db.Setting(ctx, "directory_indexed"); err != nil || v == "1" {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lockDirectory(ctx, true); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key = 'directory_indexed' AND value = '1'`).Scan(&n); err != nil || n > 0 {
			return err
		}
		if err := tx.reindexDirectory(ctx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('directory_indexed', '1')
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
		return err
	})
}

// allocateAreas puts an agent in the local areas of a client they work
// with, so local-first search shows its clients first, and re-indexes the
// agent when that added any. Each area added remembers the client whose
// team added it (from_client_id): the profile shows it as added
// automatically, and leaving the team takes it away again (releaseAreas).
// An area the agent already has keeps its origin.
func (tx *Tx) allocateAreas(ctx context.Context, agentID, clientID int64) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO agent_areas (agent_id, area_id, from_client_id)
		SELECT $1, area_id, $2 FROM client_areas WHERE client_id = $2 ON CONFLICT DO NOTHING`, agentID, clientID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return tx.indexAgent(ctx, agentID)
}

// releaseAreas undoes allocateAreas when an agent's membership of a
// client's team has ended: an area only that team added is removed; one
// that another of the agent's current teams is also in now belongs to that
// team; areas the agent chose stay.
func (tx *Tx) releaseAreas(ctx context.Context, agentID, clientID int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM agent_areas WHERE agent_id = $1 AND from_client_id = $2
		AND NOT EXISTS (SELECT 1 FROM memberships m JOIN client_areas ca ON ca.client_id = m.client_id
			WHERE m.agent_id = $1 AND m.left_at IS NULL AND ca.area_id = agent_areas.area_id)`, agentID, clientID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE agent_areas SET from_client_id = (SELECT MIN(m.client_id) FROM memberships m
			JOIN client_areas ca ON ca.client_id = m.client_id
			WHERE m.agent_id = $1 AND m.left_at IS NULL AND ca.area_id = agent_areas.area_id)
		WHERE agent_id = $1 AND from_client_id = $2`, agentID, clientID); err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return tx.indexAgent(ctx, agentID)
}
