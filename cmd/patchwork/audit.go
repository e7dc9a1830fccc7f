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

// auditOpts are the flags that say where the audit chain's key and this
// instance's checkpoint file live (docs/security.md).
type auditOpts struct {
	keyFile, checkpointFile string
}

// auditFlags registers --audit-key-file and --audit-checkpoint-file. The key
// itself may come from PATCHWORK_AUDIT_KEY, never from a flag: flags show up
// in process lists and shell history.
func auditFlags(fs *flag.FlagSet) *auditOpts {
	o := &auditOpts{}
	fs.StringVar(&o.keyFile, "audit-key-file", envOr("PATCHWORK_AUDIT_KEY_FILE", ""),
		"file holding the audit log's secret key, created (mode 0600) at first start; default: next to the SQLite file "+
			"(DB.audit-key); required on PostgreSQL unless PATCHWORK_AUDIT_KEY holds the key in hex or base64 (env PATCHWORK_AUDIT_KEY_FILE)")
	fs.StringVar(&o.checkpointFile, "audit-checkpoint-file", envOr("PATCHWORK_AUDIT_CHECKPOINT_FILE", ""),
		"file holding this instance's signed checkpoint of the audit log; default: next to the key file (…-checkpoint) "+
			"(env PATCHWORK_AUDIT_CHECKPOINT_FILE)")
	return o
}

// config resolves the flags for dsn.
func (o *auditOpts) config(dsn string) (sqldb.AuditKeyConfig, error) {
	cfg := sqldb.DefaultAuditKeyConfig(dsn)
	if o.keyFile != "" {
		cfg.KeyFile = o.keyFile
		cfg.CheckpointFile = sqldb.CheckpointFileFor(o.keyFile)
	}
	if o.checkpointFile != "" {
		cfg.CheckpointFile = o.checkpointFile
	}
	cfg.Key = os.Getenv("PATCHWORK_AUDIT_KEY")
	switch {
	case cfg.Key == "" && cfg.KeyFile == "":
		return cfg, errors.New("PostgreSQL needs the audit key: --audit-key-file (or PATCHWORK_AUDIT_KEY_FILE), or PATCHWORK_AUDIT_KEY with --audit-checkpoint-file (docs/security.md)")
	case cfg.CheckpointFile == "":
		return cfg, errors.New("with PATCHWORK_AUDIT_KEY on PostgreSQL, --audit-checkpoint-file (or PATCHWORK_AUDIT_CHECKPOINT_FILE) says where this instance keeps its checkpoint (docs/security.md)")
	}
	return cfg, nil
}

// cmdAuditVerify checks the audit log and exits non-zero unless it is
// intact: every row there, unaltered, keyed, and the chain reaching the
// signed checkpoints.
func cmdAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
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
	db.SetAuditKeyConfig(cfg)
	n, err := sqldb.NewAuditService(db).VerifyAudit(patchwork.NewSystemContext(ctx))
	var report *sqldb.AuditError
	if errors.As(err, &report) {
		fmt.Fprintf(stdout, "Audit log is NOT intact (%d rows read). First row affected: %d.\n", n, report.FirstRow())
		for _, p := range report.Problems {
			fmt.Fprintf(stdout, "  row %d: %s\n", p.Row, p.Text)
		}
		return fmt.Errorf("audit log is NOT intact: first row affected %d", report.FirstRow())
	}
	if err != nil {
		return fmt.Errorf("audit log not verified: %w", err)
	}
	fmt.Fprintf(stdout, "Audit log intact: %d rows verified against the key and the checkpoints.\n", n)
	return nil
}
