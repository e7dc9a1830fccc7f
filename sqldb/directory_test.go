package sqldb_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"patchwork"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestReindexDirectoryMatchesIncremental checks that rebuilding the phone
// book's word index from scratch (as migrate and the statewide loader do)
// gives exactly what creating and updating agents one by one wrote.
func TestReindexDirectoryMatchesIncremental(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Priya Okafor", w.Council, w.LocalB)
		w.MustAgent(t, "Cora Colleague", w.Sensitive, w.LocalA)
		hidden := mustSensitiveAgent(t, db, w, "Outreach worker")
		w.MustJoin(t, hidden, w.MustClient(t, a, "Tess", "Tester", "2012-05-06"))
		type digest struct{ n, sum int64 }
		snapshot := func() map[string]digest {
			out := map[string]digest{}
			for table, q := range map[string]string{
				"agent_words":     `SELECT COUNT(*), COALESCE(SUM(LENGTH(word) * agent_id * (private + 1)), 0) FROM agent_words`,
				"agency_words":    `SELECT COUNT(*), COALESCE(SUM(LENGTH(word) * agency_id * (private + 1)), 0) FROM agency_words`,
				"private_words":   `SELECT COUNT(*), COALESCE(SUM(agent_id), 0) FROM agent_words WHERE private = 1`,
				"directory_vocab": `SELECT COUNT(*), COALESCE(SUM(LENGTH(word)), 0) FROM directory_vocab`,
			} {
				var d digest
				if err := db.QueryRowForTest(q).Scan(&d.n, &d.sum); err != nil {
					t.Fatal(err)
				}
				out[table] = d
			}
			return out
		}
		before := snapshot()
		if before["agent_words"].n == 0 || before["private_words"].n == 0 || before["agency_words"].n == 0 {
			t.Fatalf("incremental index is missing rows: %+v", before)
		}
		if err := db.ReindexDirectory(ctx); err != nil {
			t.Fatal(err)
		}
		if after := snapshot(); !maps.Equal(after, before) {
			t.Fatalf("reindex differs from incremental index:\nbefore %+v\nafter  %+v", before, after)
		}
		if db.Dialect.Name != "postgres" {
			return
		}
		// Two instances starting together on a database whose index was
		// never built: one builds it, the other waits and finds it built;
		// both start.
		var schema string
		if err := db.QueryRowForTest(`SELECT current_schema()`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`DELETE FROM settings WHERE key = 'directory_indexed'`, `DELETE FROM agent_words`,
			`DELETE FROM agency_words`, `DELETE FROM directory_vocab`} {
			if _, err := db.ExecForTest(q); err != nil {
				t.Fatal(err)
			}
		}
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				other, err := sqldb.OpenPostgresSchema(ctx, sqldbtest.PostgresDSN(), schema)
				if err == nil {
					err = other.Migrate(ctx)
					other.Close()
				}
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("instance starting alongside another: %v", err)
			}
		}
		if after := snapshot(); !maps.Equal(after, before) {
			t.Fatalf("index built at start differs:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

// TestClearedWordsLeaveVocabulary: the words of a role that is changed
// leave the phone book's vocabulary (a role of 150,000 words, once cleared,
// used to leave them all behind), except those another agent or agency is
// still found by.
func TestClearedWordsLeaveVocabulary(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := sqldbtest.MustWorld(t, db)
		a := w.MustAgent(t, "Vic Vocab", w.Council, w.LocalA)
		other := w.MustAgent(t, "Wren Words", w.Council, w.LocalA)
		agents := sqldb.NewAgentService(db)
		set := func(who *patchwork.Agent, role string) {
			t.Helper()
			if _, err := agents.UpdateProfile(sqldbtest.As(who), patchwork.AgentUpdate{Name: who.Name, Role: role,
				PreferredContact: patchwork.ContactEmail}); err != nil {
				t.Fatal(err)
			}
		}
		var words []string
		for i := range 12 { // 95 characters: a role is at most 100
			words = append(words, "qz"+string(rune('a'+i))+"lum")
		}
		set(a, strings.Join(words, " "))
		set(other, "qzalum keeper")
		vocab := func(q string) int {
			return sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM directory_vocab WHERE word `+q)
		}
		if n := vocab(`LIKE 'qz%'`); n != 12 {
			t.Fatalf("vocabulary holds %d of the role's 12 words", n)
		}
		set(a, "Social worker")
		if n := vocab(`LIKE 'qz%'`); n != 1 || vocab(`= 'qzalum'`) != 1 {
			t.Fatalf("after the role was changed the vocabulary holds %d of its words, want only the one another agent has", n)
		}
		if n, want := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM directory_vocab`),
			sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM (SELECT word FROM agent_words UNION SELECT word FROM agency_words) u`); n != want {
			t.Fatalf("vocabulary holds %d words, the index %d", n, want)
		}
		// Words still in use stay: the agent's name, the other agent's role.
		if vocab(`= 'vic'`) != 1 || vocab(`= 'keeper'`) != 1 || vocab(`= 'worker'`) != 1 {
			t.Fatal("a word still in use left the vocabulary")
		}
	})
}
