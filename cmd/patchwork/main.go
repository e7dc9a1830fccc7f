// Command patchwork runs Patchwork: the web server and its background work,
// database migrations, the demo network and administration tasks.
//
//	patchwork serve [--addr 127.0.0.1:8080] [--db patchwork.db | --db postgres://…] [--demo]
//	patchwork migrate [--db …]
//	patchwork demo [--db …]
//	patchwork admin create-agent --email … --name … --agency-id … [--admin]
//	patchwork admin add-domain --agency-id … --domain …
//	patchwork admin scan-duplicates [--db …]
//	patchwork admin rebuild-stats [--db …]
//	patchwork audit verify [--db …] [--audit-key-file …] [--audit-checkpoint-file …]
//	patchwork import [--dry-run] --kind clients|agencies FILE
//	patchwork backup [--db …] --out FILE
//	patchwork load [--url …] [--users 16] [--duration 60s]
//	patchwork search-eval [--db …] [--queries 1000] [--seed 1]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "patchwork:", err)
		}
		var ec *exitCode
		if errors.As(err, &ec) {
			os.Exit(ec.code)
		}
		os.Exit(1)
	}
}

const usage = `Usage: patchwork <command> [flags]

Commands:
  serve                 run the web server (and background worker)
  migrate               apply database migrations
  demo                  seed the demo network into an empty database
  admin create-agent    add an agent (the first admin; others can sign up)
  admin add-domain      let an agency take sign-ups from an email domain
  admin scan-duplicates refresh the duplicates queue now, as the nightly job does, and time it
  admin rebuild-stats   rebuild the network statistics now, as the daily job does, and time it
  audit verify          check the audit log's keyed hash chain and checkpoints (exit 1 unless intact)
  import                load agencies, agents, clients or areas from a CSV file (--dry-run checks and changes nothing; exit 1 if any row has a problem, 2 if the file cannot be read)
  backup                copy a live SQLite database and its audit key (PostgreSQL: pg_dump)
  load                  run a realistic mix of requests against a running Patchwork and report latency per kind
  search-eval           measure client search recall and latency on a loaded database

Run "patchwork <command> -h" for a command's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, args[1:], stdout, stderr)
	case "demo":
		return cmdDemo(ctx, args[1:], stdout, stderr)
	case "admin":
		if len(args) > 1 && args[1] == "create-agent" {
			return cmdCreateAgent(ctx, args[2:], stdout, stderr)
		}
		if len(args) > 1 && args[1] == "add-domain" {
			return cmdAddDomain(ctx, args[2:], stdout, stderr)
		}
		if len(args) > 1 && args[1] == "scan-duplicates" {
			return cmdScanDuplicates(ctx, args[2:], stdout, stderr)
		}
		if len(args) > 1 && args[1] == "rebuild-stats" {
			return cmdRebuildStats(ctx, args[2:], stdout, stderr)
		}
	case "audit":
		if len(args) > 1 && args[1] == "verify" {
			return cmdAuditVerify(ctx, args[2:], stdout, stderr)
		}
	case "search-eval":
		return cmdSearchEval(ctx, args[1:], stdout, stderr)
	case "import":
		return cmdImport(ctx, args[1:], stdout, stderr)
	case "backup":
		return cmdBackup(ctx, args[1:], stdout, stderr)
	case "load":
		return cmdLoad(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// envOr returns the environment variable key, or def when it is unset.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// envInt returns the integer environment variable key, or def.
func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

// envDuration reads a duration such as 30m from the environment. A value
// that does not parse gives 0, which the timeouts refuse, rather than
// silently falling back to the default.
func envDuration(key string, def time.Duration) time.Duration {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0
	}
	return d
}

// dbFlag registers the --db flag shared by every command.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("PATCHWORK_DATABASE", "patchwork.db"),
		"SQLite file path or postgres:// URL (env PATCHWORK_DATABASE)")
}

// redactedKeys are log attribute names that could carry client data. No
// code logs them today; the rule stops a future slip from reaching the logs
// (docs/security.md, rule 6).
var redactedKeys = map[string]bool{
	"name": true, "first_name": true, "last_name": true, "date_of_birth": true, "dob": true, "address": true,
	"postcode": true, "phone": true, "message": true, "note": true, "q": true, "query": true, "aliases": true,
}

// redact is a slog ReplaceAttr that blanks attributes named in redactedKeys.
func redact(_ []string, a slog.Attr) slog.Attr {
	if redactedKeys[a.Key] {
		return slog.String(a.Key, "[redacted]")
	}
	return a
}

// newLogger logs text by default and JSON with PATCHWORK_LOG_FORMAT=json.
func newLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{ReplaceAttr: redact}
	if envOr("PATCHWORK_LOG_FORMAT", "text") == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
