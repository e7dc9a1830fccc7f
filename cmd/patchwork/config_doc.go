package main

import (
	"context"
	"flag"
	"fmt"
	"regexp"
	"strings"
)

// describeKey carries, in a context, a function that receives a command's
// flag set once it is defined; the command then returns without doing
// anything. The configuration table in docs/configuration.md is generated
// this way from the flags themselves, so it cannot drift from the code.
type describeKey struct{}

func withDescribe(ctx context.Context, fn func(*flag.FlagSet)) context.Context {
	return context.WithValue(ctx, describeKey{}, fn)
}

// describing hands fs to the describer in ctx, if there is one, and says
// whether the command should stop there.
func describing(ctx context.Context, fs *flag.FlagSet) bool {
	fn, ok := ctx.Value(describeKey{}).(func(*flag.FlagSet))
	if ok {
		fn(fs)
	}
	return ok
}

var envInUsage = regexp.MustCompile(`\s*\(env (PATCHWORK_[A-Z_]+(?:=[a-z]+)?)\)`)

// configurationDoc renders the serve command's flags as one Markdown table:
// flag, environment variable, default, meaning.
func configurationDoc() (string, error) {
	var b strings.Builder
	b.WriteString("# Configuration\n\n")
	b.WriteString("Generated from the code by `go test ./cmd/patchwork -run TestConfigurationDoc -update`; ")
	b.WriteString("a test fails when it is out of date. Every flag of `patchwork serve` can also be set by its ")
	b.WriteString("environment variable; a flag given on the command line wins.\n\n")
	b.WriteString("| Flag | Environment variable | Default | Meaning |\n|---|---|---|---|\n")
	var rows int
	ctx := withDescribe(context.Background(), func(fs *flag.FlagSet) {
		fs.VisitAll(func(f *flag.Flag) {
			usage := f.Usage
			env := ""
			if m := envInUsage.FindStringSubmatch(usage); m != nil {
				env = "`" + m[1] + "`"
				usage = envInUsage.ReplaceAllString(usage, "")
			}
			def := f.DefValue
			if def == "" {
				def = "(none)"
			} else {
				def = "`" + def + "`"
			}
			fmt.Fprintf(&b, "| `--%s` | %s | %s | %s |\n", f.Name, env, def, strings.ReplaceAll(usage, "|", `\|`))
			rows++
		})
	})
	if err := cmdServe(ctx, nil, nil, nil); err != nil {
		return "", err
	}
	if rows == 0 {
		return "", fmt.Errorf("serve described no flags")
	}
	b.WriteString("\nSecrets are never flags (they would show in process lists): the audit key comes from a file ")
	b.WriteString("(`--audit-key-file`) or `PATCHWORK_AUDIT_KEY`. `PATCHWORK_LOG_FORMAT=json` writes structured logs.\n")
	return b.String(), nil
}
