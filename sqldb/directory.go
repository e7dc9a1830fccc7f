package sqldb

import (
	"context"
	"strings"

	"patchwork"
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
		for _, w := range strings.Fields(foldText(t)) {
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
	areas, err := tx.areaNames(ctx, `SELECT r.name FROM agent_areas x JOIN areas r ON r.id = x.area_id WHERE x.agent_id = $1`, id)
	if err != nil {
		return err
	}
	return tx.writeWords(ctx, "agent_words", "agent_id", id, agentWords(a, areas))
}

// indexAgency rewrites the search words of one agency and of its agents,
// who are found by their agency's name too.
func (tx *Tx) indexAgency(ctx context.Context, id int64) error {
	g, err := scanAgency(tx.QueryRowContext(ctx, `SELECT `+agencyColumns+` FROM agencies g WHERE g.id = $1`, id))
	if err != nil {
		return err
	}
	areas, err := tx.areaNames(ctx, `SELECT r.name FROM agency_areas x JOIN areas r ON r.id = x.area_id WHERE x.agency_id = $1`, id)
	if err != nil {
		return err
	}
	if err := tx.writeWords(ctx, "agency_words", "agency_id", id, agencyWords(g, areas)); err != nil {
		return err
	}
	agents, err := queryIDs(ctx, tx, `SELECT id FROM agents WHERE agency_id = $1`, id)
	if err != nil {
		return err
	}
	for _, a := range agents {
		if err := tx.indexAgent(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) areaNames(ctx context.Context, q string, id int64) ([]string, error) {
	return queryColumn[string](ctx, tx, q, id)
}

// writeWords replaces the words of one row of table, keyed by column col.
// table and col are constants of this package.
func (tx *Tx) writeWords(ctx context.Context, table, col string, id int64, ws wordSet) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+col+` = $1`, id); err != nil {
		return err
	}
	if len(ws) == 0 {
		return nil
	}
	var args sqlArgs
	vals := make([]string, 0, len(ws))
	for w, private := range ws {
		vals = append(vals, "("+args.add(w)+", "+args.add(id)+", "+args.add(b2i(private))+")")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (word, `+col+`, private) VALUES `+strings.Join(vals, ", "), args...); err != nil {
		return err
	}
	args, vals = args[:0], vals[:0]
	for w := range ws {
		vals = append(vals, "("+args.add(w)+")")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO directory_vocab (word) VALUES `+strings.Join(vals, ", ")+` ON CONFLICT DO NOTHING`, args...)
	return err
}

// ReindexDirectory rebuilds the phone book's search index of every agent and
// agency. Migrate runs it once on databases made before the index existed,
// and the statewide loader after loading.
func (db *DB) ReindexDirectory(ctx context.Context) error {
	agencyAreas, err := db.allAreaNames(ctx, `SELECT x.agency_id, r.name FROM agency_areas x JOIN areas r ON r.id = x.area_id`)
	if err != nil {
		return err
	}
	agentAreas, err := db.allAreaNames(ctx, `SELECT x.agent_id, r.name FROM agent_areas x JOIN areas r ON r.id = x.area_id`)
	if err != nil {
		return err
	}
	agencyRows, err := wordRows(ctx, db, `SELECT `+agencyColumns+` FROM agencies g`, scanAgency,
		func(g *patchwork.Agency) (int64, wordSet) { return g.ID, agencyWords(g, agencyAreas[g.ID]) })
	if err != nil {
		return err
	}
	agentRows, err := wordRows(ctx, db, `SELECT `+agentColumns+agentFrom, scanAgent,
		func(a *patchwork.Agent) (int64, wordSet) { return a.ID, agentWords(a, agentAreas[a.ID]) })
	if err != nil {
		return err
	}
	vocab := map[string]bool{}
	for _, rs := range [][][]any{agencyRows, agentRows} {
		for _, r := range rs {
			vocab[r[0].(string)] = true
		}
	}
	var vocabRows [][]any
	for w := range vocab {
		vocabRows = append(vocabRows, []any{w})
	}
	for _, t := range []string{"agent_words", "agency_words", "directory_vocab"} {
		if _, err := db.write.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return err
		}
	}
	if _, err := db.BulkInsert(ctx, "directory_vocab", []string{"word"}, sliceRows(vocabRows)); err != nil {
		return err
	}
	if _, err := db.BulkInsert(ctx, "agency_words", []string{"word", "agency_id", "private"}, sliceRows(agencyRows)); err != nil {
		return err
	}
	_, err = db.BulkInsert(ctx, "agent_words", []string{"word", "agent_id", "private"}, sliceRows(agentRows))
	return err
}

func (db *DB) allAreaNames(ctx context.Context, q string) (map[int64][]string, error) {
	rows, err := db.read.QueryContext(ctx, q)
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

// wordRows reads every row of query and returns the rows (word, id,
// private) of the search index that words gives for each.
func wordRows[T any](ctx context.Context, db *DB, query string, scan func(interface{ Scan(...any) error }) (T, error),
	words func(T) (int64, wordSet)) ([][]any, error) {
	rows, err := db.read.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		id, ws := words(v)
		for w, private := range ws {
			out = append(out, []any{w, id, b2i(private)})
		}
	}
	return out, rows.Err()
}

// sliceRows feeds BulkInsert from rows held in memory.
func sliceRows(rows [][]any) RowSource {
	i := 0
	return func() ([]any, bool) {
		if i == len(rows) {
			return nil, false
		}
		i++
		return rows[i-1], true
	}
}

// ensureDirectoryIndex builds the phone book's search index once, for
// databases made before it existed.
func (db *DB) ensureDirectoryIndex(ctx context.Context) error {
	if v, err := db.Setting(ctx, "directory_indexed"); err != nil || v == "1" {
		return err
	}
	if err := db.ReindexDirectory(ctx); err != nil {
		return err
	}
	return db.SetSetting(ctx, "directory_indexed", "1")
}

// allocateAreas puts an agent in the local areas of a client they work
// with, so local-first search shows its clients first (they may remove the
// areas from their profile), and re-indexes the agent when that added any.
func (tx *Tx) allocateAreas(ctx context.Context, agentID, clientID int64) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO agent_areas (agent_id, area_id)
		SELECT $1, area_id FROM client_areas WHERE client_id = $2 ON CONFLICT DO NOTHING`, agentID, clientID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return tx.indexAgent(ctx, agentID)
}
