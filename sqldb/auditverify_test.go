package sqldb_test

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// headRow is the database's checkpoint as someone with database access can
// read and write it back.
type headRow struct {
	keyedFrom, headID, at int64
	headHash, mac         string
}

func readHeadRow(t *testing.T, db *sqldb.DB) headRow {
	t.Helper()
	var h headRow
	if err := db.QueryRowForTest(`SELECT keyed_from, head_id, head_hash, at, mac FROM audit_head`).
		Scan(&h.keyedFrom, &h.headID, &h.headHash, &h.at, &h.mac); err != nil {
		t.Fatal(err)
	}
	return h
}

// dropHeadGuard drops the triggers that keep the database's checkpoint
// moving forward.
func dropHeadGuard(t *testing.T, db *sqldb.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_head_forward`, `DROP TRIGGER audit_head_no_delete`}
	if db.Dialect.Name == "postgres" {
		stmts = []string{`DROP TRIGGER audit_head_forward ON audit_head`, `DROP TRIGGER audit_head_no_truncate ON audit_head`}
	}
	for _, s := range stmts {
		if _, err := db.ExecForTest(s); err != nil {
			t.Fatal(err)
		}
	}
}

func mustExec(t *testing.T, db *sqldb.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.ExecForTest(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// appendAudit appends n audit rows through the batcher, each its own commit.
func appendAudit(t *testing.T, db *sqldb.DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := db.AuditRead(sqldbtest.System(), "test.view", 0, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// waitCheckpointFile waits until this instance's checkpoint file records
// row id (the file is written just after the commit).
func waitCheckpointFile(t *testing.T, db *sqldb.DB, id int64) {
	t.Helper()
	path := sqldbtest.AuditConfig(t, db).CheckpointFile
	sqldbtest.Eventually(t, 5*time.Second, "checkpoint file at row "+strconv.FormatInt(id, 10), func() bool {
		b, _ := os.ReadFile(path)
		return strings.Contains(string(b), " head="+strconv.FormatInt(id, 10)+" ")
	})
}

// rehashRows re-chains rows from..to with the unkeyed hash, as someone who
// can write to the database but has no key would after editing a row (the
// unkeyed chain without checkpoints passed such a log).
func rehashRows(t *testing.T, db *sqldb.DB, from, to int64) {
	t.Helper()
	var prev string
	if err := db.QueryRowForTest(`SELECT hash FROM audit_events WHERE id = $1`, from-1).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	for id := from; id <= to; id++ {
		var at, actor, client int64
		var action, detail, ip string
		if err := db.QueryRowForTest(`SELECT at, COALESCE(actor_id, 0), COALESCE(client_id, 0), action, detail, ip
			FROM audit_events WHERE id = $1`, id).Scan(&at, &actor, &client, &action, &detail, &ip); err != nil {
			t.Fatal(err)
		}
		h := sqldb.UnkeyedAuditHash(prev, id, at, actor, client, action, detail, ip)
		mustExec(t, db, `UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE id = $3`, prev, h, id)
		prev = h
	}
}

// TestAuditVerifyDetectsTampering: someone with full database access (who
// drops the append-only triggers first) but without the key edits, deletes,
// truncates, forges or re-chains the log, or rewinds the database's
// checkpoint; verify reports each with the first row affected, on both
// databases. Deleted last rows, the emptied table, the re-chained log and the
// forged row all passed the unkeyed chain without checkpoints.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, db *sqldb.DB, at8 headRow)
		row     int64
		message string
	}{
		{"edited row", func(t *testing.T, db *sqldb.DB, _ headRow) {
			mustExec(t, db, `UPDATE audit_events SET detail = 'tampered' WHERE id = 3`)
		}, 3, "row 3 was altered"},
		{"deleted middle row", func(t *testing.T, db *sqldb.DB, _ headRow) {
			mustExec(t, db, `DELETE FROM audit_events WHERE id = 3`)
		}, 3, "row 3 is missing"},
		{"deleted last rows", func(t *testing.T, db *sqldb.DB, _ headRow) {
			mustExec(t, db, `DELETE FROM audit_events WHERE id > 8`)
		}, 9, "rows 9 to 10 are missing: the log ends at row 8 but the database's checkpoint"},
		{"deleted last rows and rewound the database's checkpoint", func(t *testing.T, db *sqldb.DB, at8 headRow) {
			mustExec(t, db, `DELETE FROM audit_events WHERE id > 8`)
			mustExec(t, db, `UPDATE audit_head SET head_id = $1, head_hash = $2, at = $3, mac = $4`, at8.headID, at8.headHash, at8.at, at8.mac)
		}, 9, "rows 9 to 10 are missing: the log ends at row 8 but the checkpoint file"},
		{"deleted last rows and the database's checkpoint", func(t *testing.T, db *sqldb.DB, _ headRow) {
			mustExec(t, db, `DELETE FROM audit_events WHERE id > 8`)
			mustExec(t, db, `DELETE FROM audit_head`)
		}, 9, "the log was cut short"},
		{"truncated table", func(t *testing.T, db *sqldb.DB, _ headRow) {
			if db.Dialect.Name == "postgres" {
				mustExec(t, db, `TRUNCATE audit_events`)
			} else {
				mustExec(t, db, `DELETE FROM audit_events`)
			}
		}, 1, "the audit log is empty but the database's checkpoint (row 10"},
		{"re-hashed without the key", func(t *testing.T, db *sqldb.DB, _ headRow) {
			mustExec(t, db, `UPDATE audit_events SET detail = 'tampered' WHERE id = 3`)
			rehashRows(t, db, 3, 10)
		}, 3, "row 3 was altered (its hash is not the keyed hash of its content: edited, or re-hashed without the key)"},
		{"row forged at the end", func(t *testing.T, db *sqldb.DB, _ headRow) {
			var prev string
			if err := db.QueryRowForTest(`SELECT hash FROM audit_events WHERE id = 10`).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			h := sqldb.UnkeyedAuditHash(prev, 11, 1, 0, 0, "client.view", "", "")
			mustExec(t, db, `INSERT INTO audit_events (id, at, action, prev_hash, hash) VALUES (11, 1, 'client.view', $1, $2)`, prev, h)
		}, 11, "row 11 was altered"},
		{"database's checkpoint forged", func(t *testing.T, db *sqldb.DB, _ headRow) {
			mustExec(t, db, `UPDATE audit_head SET head_id = 5`)
		}, 0, "the database's checkpoint is not signed with this key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				appendAudit(t, db, 8)
				at8 := readHeadRow(t, db)
				appendAudit(t, db, 2)
				waitCheckpointFile(t, db, 10)
				audit := sqldb.NewAuditService(db)
				if n, err := audit.VerifyAudit(sqldbtest.System()); err != nil || n != 10 {
					t.Fatalf("before tampering: %d rows, %v", n, err)
				}
				dropGuard(t, db)
				dropHeadGuard(t, db)
				c.tamper(t, db, at8)
				_, err := audit.VerifyAudit(sqldbtest.System())
				var report *sqldb.AuditError
				if !errors.As(err, &report) {
					t.Fatalf("verify after tampering: %v, want an AuditError", err)
				}
				if report.FirstRow() != c.row || !strings.Contains(err.Error(), c.message) {
					t.Fatalf("verify: first row %d, %v\nwant first row %d and %q", report.FirstRow(), err, c.row, c.message)
				}
			})
		})
	}
}

// TestAuditCutShortToldOnce: the checkpoint file may trail the database
// by a second of commits, so two checks of one cut-off log can find the
// file at different rows. The loss is told once, in the same words either
// way, so that the scheduled check does not alert on it twice
// (RecordAuditCheck compares the words).
func TestAuditCutShortToldOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		path := sqldbtest.AuditConfig(t, db).CheckpointFile
		appendAudit(t, db, 8)
		waitCheckpointFile(t, db, 8)
		at8, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		appendAudit(t, db, 2)
		waitCheckpointFile(t, db, 10)
		dropGuard(t, db)
		mustExec(t, db, `DELETE FROM audit_events WHERE id > 5`)
		audit := sqldb.NewAuditService(db)
		verify := func(file string) string {
			t.Helper()
			_, err := audit.VerifyAudit(sqldbtest.System())
			var report *sqldb.AuditError
			if !errors.As(err, &report) {
				t.Fatalf("verify with the file %s: %v, want an AuditError", file, err)
			}
			if len(report.Problems) != 1 || report.FirstRow() != 6 ||
				!strings.Contains(err.Error(), "rows 6 to 10 are missing: the log ends at row 5 but the database's checkpoint") {
				t.Fatalf("verify with the file %s: %v\nwant rows 6 to 10 missing, told once, from the database's checkpoint", file, err)
			}
			return err.Error()
		}
		current := verify("up to date")
		if err := os.WriteFile(path, at8, 0o600); err != nil {
			t.Fatal(err)
		}
		if trailing := verify("a second behind"); trailing != current {
			t.Fatalf("the same loss in other words:\n%s\n%s", current, trailing)
		}
	})
}

// TestAuditRehashPassesUnkeyedCheck shows that the re-chained log of
// TestAuditVerifyDetectsTampering is what an unkeyed chain cannot catch:
// every row links to the one before and carries the SHA-256 of its content.
func TestAuditRehashPassesUnkeyedCheck(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		appendAudit(t, db, 5)
		dropGuard(t, db)
		mustExec(t, db, `UPDATE audit_events SET detail = 'tampered' WHERE id = 3`)
		rehashRows(t, db, 3, 5)
		var prev string
		if err := db.QueryRowForTest(`SELECT hash FROM audit_events WHERE id = 2`).Scan(&prev); err != nil {
			t.Fatal(err)
		}
		for id := int64(3); id <= 5; id++ {
			var at, actor, client int64
			var action, detail, ip, prevHash, hash string
			if err := db.QueryRowForTest(`SELECT at, COALESCE(actor_id, 0), COALESCE(client_id, 0), action, detail, ip, prev_hash, hash
				FROM audit_events WHERE id = $1`, id).Scan(&at, &actor, &client, &action, &detail, &ip, &prevHash, &hash); err != nil {
				t.Fatal(err)
			}
			if prevHash != prev || hash != sqldb.UnkeyedAuditHash(prev, id, at, actor, client, action, detail, ip) {
				t.Fatalf("row %d does not pass the unkeyed check", id)
			}
			prev = hash
		}
		if _, err := sqldb.NewAuditService(db).VerifyAudit(sqldbtest.System()); err == nil || !strings.Contains(err.Error(), "row 3 was altered") {
			t.Fatalf("verify: %v", err)
		}
	})
}

// TestAuditTruncateRefused: the log and its checkpoint refuse TRUNCATE on
// PostgreSQL, where row triggers do not fire for it, and refuse DELETE and
// UPDATE, and rewinding the checkpoint, on both databases.
func TestAuditTruncateRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		appendAudit(t, db, 3)
		refused := []string{`DELETE FROM audit_events`, `UPDATE audit_events SET detail = 'x'`,
			`DELETE FROM audit_head`, `UPDATE audit_head SET head_id = 1`}
		if db.Dialect.Name == "postgres" {
			refused = append(refused, `TRUNCATE audit_events`, `TRUNCATE audit_head`, `TRUNCATE audit_events CASCADE`)
		}
		for _, q := range refused {
			if _, err := db.ExecForTest(q); err == nil {
				t.Errorf("%s was allowed", q)
			}
		}
		if n := sqldbtest.MustCount(t, db, `SELECT COUNT(*) FROM audit_events`); n != 3 {
			t.Fatalf("%d rows left, want 3", n)
		}
		if n, err := sqldb.NewAuditService(db).VerifyAudit(sqldbtest.System()); err != nil || n != 3 {
			t.Fatalf("verify: %d, %v", n, err)
		}
	})
}
