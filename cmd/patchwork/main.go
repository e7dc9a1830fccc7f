// Command patchwork runs Patchwork: the web server and its background work,
// database migrations, the demo network and administration tasks.
//
//	patchwork serve [--addr 127.0.0.1:8080] [--db patchwork.db | --db postgres://…] [--demo]
//	patchwork migrate [--db …]
//	patchwork demo [--db …]
//	patchwork admin create-agent --email … --name … --agency-id … [--admin]
//	patchwork audit verify [--db …]
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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "patchwork:", err)
		}
		os.Exit(1)
	}
}

const usage = `Usage: patchwork <command> [flags]

Commands:
  serve                 run the web server (and background worker)
  migrate               apply database migrations
  demo                  seed the demo network into an empty database
  admin create-agent    add an agent (until sign-up exists)
  audit verify          check the audit log's hash chain

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
	case "audit":
		if len(args) > 1 && args[1] == "verify" {
			return cmdAuditVerify(ctx, args[2:], stdout, stderr)
		}
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

// dbFlag registers the --db flag shared by every command.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("PATCHWORK_DATABASE", "patchwork.db"),
		"SQLite file path or postgres:// URL (env PATCHWORK_DATABASE)")
}

// newLogger logs text to a terminal and JSON otherwise (env PATCHWORK_LOG_FORMAT overrides).
func newLogger(w io.Writer) *slog.Logger {
	format := envOr("PATCHWORK_LOG_FORMAT", "text")
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}
