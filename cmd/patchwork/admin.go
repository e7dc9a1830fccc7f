package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"patchwork"
	"patchwork/demo"
	"patchwork/sqldb"
)

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dsn, audit)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(stdout, "Database is up to date.")
	return nil
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	var sw demo.Statewide
	fs.IntVar(&sw.Clients, "clients", 0, "load a statewide data set with this many clients (with --agents and --agencies)")
	fs.IntVar(&sw.Agents, "agents", 100000, "agents in a statewide data set")
	fs.IntVar(&sw.Agencies, "agencies", 5000, "agencies in a statewide data set")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dsn, audit)
	if err != nil {
		return err
	}
	defer db.Close()
	if seeded, err := demo.Seeded(ctx, db); err != nil {
		return err
	} else if seeded {
		return fmt.Errorf("the database already holds data; the demo network is seeded only into an empty database")
	}
	if sw.Clients > 0 {
		if sw.Agents < 1 || sw.Agencies < 1 {
			return fmt.Errorf("a statewide data set needs --agents and --agencies of at least 1")
		}
		if err := demo.LoadStatewide(ctx, db, sw, stdout); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "Statewide data set loaded. Run `patchwork serve --demo` to use it.")
		return nil
	}
	if err := demo.Seed(ctx, db, demo.DefaultSize); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Demo network seeded. Run `patchwork serve --demo` to use it.")
	return nil
}

// cmdCreateAgent adds an agent for real deployments. The password is read
// from PATCHWORK_PASSWORD or standard input, never from a flag (flags show
// up in process lists and shell history).
func cmdCreateAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin create-agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	email := fs.String("email", "", "sign-in email address (required)")
	name := fs.String("name", "", "full name (required)")
	role := fs.String("role", "", "role, such as Social worker")
	agencyID := fs.Int64("agency-id", 0, "id of the agent's agency (required)")
	agencyName := fs.String("agency", "", "create the agency with this name if --agency-id is not given")
	sector := fs.String("sector", "Other", "sector of a new agency")
	admin := fs.Bool("admin", false, "make the agent an administrator")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *name == "" || (*agencyID == 0 && *agencyName == "") {
		fs.Usage()
		return fmt.Errorf("--email, --name and --agency-id (or --agency) are required")
	}
	pw := os.Getenv("PATCHWORK_PASSWORD")
	if pw == "" {
		fmt.Fprint(stderr, "Password: ")
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("reading password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	db, err := openMigrated(ctx, *dsn, audit)
	if err != nil {
		return err
	}
	defer db.Close()
	// The operator at the shell is trusted with setup, like an admin.
	ctx = patchwork.NewSystemContext(ctx)
	if *agencyID == 0 {
		g := &patchwork.Agency{Name: *agencyName, Sector: *sector, EmailDomain: domainOf(*email)}
		if err := sqldb.NewAgencyService(db).CreateAgency(ctx, g); err != nil {
			for k, v := range patchwork.ErrorFields(err) {
				fmt.Fprintf(stderr, "%s: %s\n", k, v)
			}
			return fmt.Errorf("agency not created: %s", patchwork.ErrorMessage(err))
		}
		*agencyID = g.ID
	}
	a := &patchwork.Agent{Email: *email, Name: *name, Role: *role, AgencyID: *agencyID, Admin: *admin}
	if err := sqldb.NewAgentService(db).CreateAgent(ctx, a, pw); err != nil {
		if f := patchwork.ErrorFields(err); f != nil {
			for k, v := range f {
				fmt.Fprintf(stderr, "%s: %s\n", k, v)
			}
		}
		return fmt.Errorf("agent not created: %s", patchwork.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "Agent %d created: %s\n", a.ID, a.Email)
	return nil
}

func domainOf(email string) string {
	_, d, _ := strings.Cut(email, "@")
	return d
}

// cmdAddDomain lets an agency take sign-ups from a domain: anyone with an
// address at it can then sign up to the agency (several agencies may share
// a domain; whoever signs up chooses among them).
func cmdAddDomain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin add-domain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	audit := auditFlags(fs)
	agencyID := fs.Int64("agency-id", 0, "id of the agency (required)")
	domain := fs.String("domain", "", "email domain, such as council.example.org (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *agencyID == 0 || *domain == "" {
		fs.Usage()
		return fmt.Errorf("--agency-id and --domain are required")
	}
	db, err := openMigrated(ctx, *dsn, audit)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = patchwork.NewSystemContext(ctx)
	if err := sqldb.NewAgencyService(db).AddAgencyDomain(ctx, *agencyID, *domain); err != nil {
		if patchwork.ErrorCode(err) == patchwork.ENOTFOUND {
			return fmt.Errorf("no agency has id %d", *agencyID)
		}
		return fmt.Errorf("domain not added: %s", patchwork.ErrorMessage(err))
	}
	domains, err := db.FindAgencyDomains(ctx, *agencyID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Agency %d takes sign-ups from: %s\n", *agencyID, strings.Join(domains, ", "))
	return nil
}
