package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// TestMain lets a test run the real command, exit status included: the
// test binary re-executed with PATCHWORK_TEST_RUN_MAIN=1 is `patchwork`.
func TestMain(m *testing.M) {
	if os.Getenv("PATCHWORK_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runPatchwork runs the command with args and returns its exit status and
// standard output.
func runPatchwork(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PATCHWORK_TEST_RUN_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), stdout.String() + stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String() + stderr.String()
}

// TestAuditVerifyExitStatus: `patchwork audit verify` exits 0 on an intact
// log and 1, naming the first row affected, on each kind of tampering by
// someone with database access, on SQLite and PostgreSQL; without the key
// it cannot verify and says so.
func TestAuditVerifyExitStatus(t *testing.T) {
	cases := []verifyCase{
		{"intact", nil, nil, "Audit log intact: 6 rows verified"},
		{"edited row", []string{`UPDATE audit_events SET detail = 'x' WHERE id = 2`}, nil, "First row affected: 2."},
		{"deleted middle row", []string{`DELETE FROM audit_events WHERE id = 3`}, nil, "First row affected: 3."},
		{"deleted last rows", []string{`DELETE FROM audit_events WHERE id > 4`}, nil, "First row affected: 5."},
		{"truncated", []string{`DELETE FROM audit_events`}, []string{`TRUNCATE audit_events`}, "First row affected: 1."},
	}
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) { testAuditVerifyExitStatus(t, dialect, cases) })
	}
}

// verifyCase is a tampering and what verify must say about it.
type verifyCase struct {
	name   string
	tamper []string // run after the append-only triggers are dropped
	pg     []string // instead of tamper, on PostgreSQL
	want   string
}

func testAuditVerifyExitStatus(t *testing.T, dialect string, cases []verifyCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := sqldbtest.MustOpen(t, dialect)
			for i := 0; i < 6; i++ {
				if _, err := sqldb.NewAuditService(db).FindAuditForClient(sqldbtest.System(), 0); err != nil {
					t.Fatal(err)
				}
			}
			cfg := sqldbtest.AuditConfig(t, db)
			sqldbtest.Eventually(t, 5*time.Second, "checkpoint file at row 6", func() bool {
				b, _ := os.ReadFile(cfg.CheckpointFile)
				return strings.Contains(string(b), " head=6 ")
			})
			stmts := c.tamper
			if db.Dialect.Name == "postgres" {
				stmts = append([]string{`DROP TRIGGER audit_no_update ON audit_events`, `DROP TRIGGER audit_no_truncate ON audit_events`}, stmts...)
				if c.pg != nil {
					stmts = append(stmts[:2], c.pg...)
				}
			} else {
				stmts = append([]string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}, stmts...)
			}
			for _, s := range stmts {
				if _, err := db.ExecForTest(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			code, out := runPatchwork(t, "audit", "verify", "--db", sqldbtest.DSN(t, db),
				"--audit-key-file", cfg.KeyFile, "--audit-checkpoint-file", cfg.CheckpointFile)
			wantCode := 1
			if c.tamper == nil {
				wantCode = 0
			}
			if code != wantCode || !strings.Contains(out, c.want) {
				t.Fatalf("exit %d, want %d and %q:\n%s", code, wantCode, c.want, out)
			}
		})
	}
	t.Run("no key", func(t *testing.T) {
		db := sqldbtest.MustOpen(t, dialect)
		cfg := sqldbtest.AuditConfig(t, db)
		if err := os.Rename(cfg.KeyFile, cfg.KeyFile+".elsewhere"); err != nil {
			t.Fatal(err)
		}
		code, out := runPatchwork(t, "audit", "verify", "--db", sqldbtest.DSN(t, db),
			"--audit-key-file", cfg.KeyFile, "--audit-checkpoint-file", cfg.CheckpointFile)
		if code != 1 || !strings.Contains(out, "without the key the chain cannot be checked") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
}
