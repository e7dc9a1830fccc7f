package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"patchwork"
	"patchwork/sqldb"
)

// cmdBackup copies a live SQLite database to --out, and its audit key to
// OUT.audit-key, where `serve --db OUT` and `audit verify --db OUT` look for
// it. PostgreSQL is backed up with pg_dump (docs/deploy.md).
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	out := fs.String("out", "", "file to write the copy to; it must not exist (the audit key goes to FILE.audit-key)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup needs --out FILE")
	}
	cfg, err := audit.config(*dsn)
	if err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.BackupTo(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Database copied to %s.\n", *out)
	keyOut := sqldb.DefaultAuditKeyConfig(*out).KeyFile
	if cfg.KeyFile == "" {
		fmt.Fprintln(stdout, "The audit key comes from PATCHWORK_AUDIT_KEY: keep that value with the backup's records; it is not copied.")
		return nil
	}
	key, err := os.ReadFile(cfg.KeyFile)
	if err != nil {
		return fmt.Errorf("read the audit key: %w", err)
	}
	if err := os.WriteFile(keyOut, key, 0o600); err != nil {
		return fmt.Errorf("copy the audit key: %w", err)
	}
	fmt.Fprintf(stdout, "Audit key copied to %s. Store it apart from the database copy: whoever holds both can rewrite the audit log undetected.\n", keyOut)
	return verifyCopy(ctx, *out, stdout)
}

// verifyCopy opens the copy as a restore would — which signs its own
// checkpoint file, OUT.audit-checkpoint, from the copy's head — and checks
// its audit log, so a backup that would not restore is known at once.
func verifyCopy(ctx context.Context, path string, stdout io.Writer) error {
	db, err := openMigrated(ctx, path, &auditOpts{})
	if err != nil {
		return fmt.Errorf("the copy does not open: %w", err)
	}
	defer db.Close()
	n, err := sqldb.NewAuditService(db).VerifyAudit(patchwork.NewSystemContext(ctx))
	if err != nil {
		return fmt.Errorf("the copy's audit log does not verify: %w", err)
	}
	fmt.Fprintf(stdout, "Copy verified: it opens and its audit log is intact (%d rows).\n", n)
	return nil
}
