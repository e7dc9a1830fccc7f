package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"patchwork"
	"patchwork/match"
)

// AgencyService implements patchwork.AgencyService.
type AgencyService struct{ db *DB }

// NewAgencyService returns an AgencyService on db.
func NewAgencyService(db *DB) *AgencyService { return &AgencyService{db: db} }

const agencyColumns = `g.id, g.name, g.sector, g.phone, g.email, g.address, g.contact_route, g.sensitive, g.generic_label, g.email_domain,
	g.generic_email, g.generic_phone, g.publish_direct, g.status`

func scanAgency(sc interface{ Scan(...any) error }) (*patchwork.Agency, error) {
	g := &patchwork.Agency{}
	err := sc.Scan(&g.ID, &g.Name, &g.Sector, &g.Phone, &g.Email, &g.Address, &g.ContactRoute, &g.Sensitive, &g.GenericLabel, &g.EmailDomain,
		&g.GenericEmail, &g.GenericPhone, &g.PublishDirect, &g.Status)
	return g, err
}

// listedAgency is the condition on agencies g that the phone book lists
// them to c: approved and not suspended, or, to a system admin, any. An
// area admin administers the others of their districts at /admin/agencies;
// in the phone book they are as missing to them as to anyone.
func listedAgency(c *patchwork.Agent) string {
	if c.Admin {
		return "1 = 1"
	}
	return "g.status = '" + patchwork.AgencyActive + "'"
}

// FindAgencyByID returns an agency as the caller may see it.
func (s *AgencyService) FindAgencyByID(ctx context.Context, id int64) (*patchwork.Agency, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	g, err := scanAgency(s.db.read.QueryRowContext(ctx, `SELECT `+agencyColumns+` FROM agencies g WHERE g.id = $1 AND `+listedAgency(c), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, patchwork.ErrNotFound
	} else if err != nil {
		// A failing database is not a missing agency: it must surface as
		// an error (a 500), not as a 404 that hides the failure.
		return nil, fmt.Errorf("sqldb: find agency: %w", err)
	}
	if g.Areas, err = s.db.areasOf(ctx, s.db.read, "agency_areas", "agency_id", id); err != nil {
		return nil, err
	}
	return g.AsSeenBy(c), nil
}

// FindAgencies returns every agency listed to the caller, as they may see
// it, by name.
func (s *AgencyService) FindAgencies(ctx context.Context) ([]*patchwork.Agency, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return scanAll(ctx, s.db.read, `SELECT `+agencyColumns+` FROM agencies g WHERE `+listedAgency(c)+` ORDER BY g.name`,
		func(sc interface{ Scan(...any) error }) (*patchwork.Agency, error) {
			g, err := scanAgency(sc)
			if err != nil {
				return nil, err
			}
			return g.AsSeenBy(c), nil
		})
}

// seenAgencyName is the SQL of agency g's name as c sees it
// (patchwork.Agency.AsSeenBy), folded: its name_norm (match.Fold), or, for a
// sensitive agency to anyone but admins and its own staff, its generic
// label in lower case. Lists of agencies are ordered by it, so that a hidden
// name does not show through the place it would give.
func seenAgencyName(args *sqlArgs, c *patchwork.Agent) string {
	if c.Admin {
		return `g.name_norm`
	}
	return `CASE WHEN g.sensitive = 1 AND g.generic_label <> '' AND g.id <> ` + args.add(c.AgencyID) +
		` THEN lower(g.generic_label) ELSE g.name_norm END`
}

// FindListedAgencies returns a page of the listed agencies f selects; see
// patchwork.AgencyService. Names are compared and ordered as the caller
// sees them (seenAgencyName).
func (s *AgencyService) FindListedAgencies(ctx context.Context, f patchwork.AgencyListFilter) ([]*patchwork.Agency, int, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, 0, err
	}
	// build returns the agencies' conditions and, when sorted, the order,
	// each query with its own arguments: PostgreSQL refuses an argument
	// its statement does not use.
	build := func(sorted bool) (string, []any) {
		var args sqlArgs
		seen := func() string { return seenAgencyName(&args, c) }
		where := []string{listedAgency(c)}
		if q := strings.TrimSpace(f.Name); q != "" {
			cond := "1 = 0" // punctuation alone matches none (nameContains), and seen's argument is not added
			if match.Fold(q) != "" {
				cond = args.nameContains(seen(), q)
			}
			where = append(where, cond)
		}
		if f.Sector != "" {
			where = append(where, `g.sector = `+args.add(f.Sector))
		}
		q := ` FROM agencies g WHERE ` + strings.Join(where, " AND ")
		if sorted {
			q += ` ORDER BY ` + seen() + `, g.id`
		}
		return q, args
	}
	var total int
	q, args := build(false)
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+q, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = patchwork.AgencyListSize
	}
	q, args = build(true)
	list, err := scanAll(ctx, s.db.read, `SELECT `+agencyColumns+q+limitClause(limit)+` OFFSET `+itoa(max(f.Offset, 0)),
		func(sc interface{ Scan(...any) error }) (*patchwork.Agency, error) {
			g, err := scanAgency(sc)
			if err != nil {
				return nil, err
			}
			return g.AsSeenBy(c), nil
		}, args...)
	if err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

// CreateAgency adds an agency; see patchwork.AgencyService.
func (s *AgencyService) CreateAgency(ctx context.Context, g *patchwork.Agency) error {
	if _, err := administrator(ctx); err != nil {
		return err
	}
	if err := g.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error { return tx.insertAgency(ctx, g) })
}

// insertAgency adds g (validated) with its areas and domains, audited.
func (tx *Tx) insertAgency(ctx context.Context, g *patchwork.Agency) error {
	if g.Status == "" {
		g.Status = patchwork.AgencyActive
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO agencies (name, sector, phone, email, address, contact_route, sensitive,
		generic_label, email_domain, name_norm, created_at, generic_email, generic_phone, publish_direct, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		g.Name, g.Sector, g.Phone, g.Email, g.Address, g.ContactRoute, b2i(g.Sensitive), g.GenericLabel,
		strings.ToLower(g.EmailDomain), match.Fold(g.Name), micros(tx.now), g.GenericEmail, g.GenericPhone, b2i(g.PublishDirect),
		g.Status).Scan(&g.ID)
	if err != nil {
		return fmt.Errorf("sqldb: insert agency: %w", err)
	}
	for _, r := range g.Areas {
		if _, err := tx.ExecContext(ctx, `INSERT INTO agency_areas (agency_id, area_id) VALUES ($1, $2)`, g.ID, r.ID); err != nil {
			return err
		}
	}
	// An agency's own domain is the first it takes sign-ups from.
	domains := g.Domains
	if d := strings.ToLower(g.EmailDomain); d != "" && !slices.Contains(domains, d) {
		domains = append([]string{d}, domains...)
	}
	for _, d := range domains {
		if _, err := tx.ExecContext(ctx, `INSERT INTO agency_domains (agency_id, domain) VALUES ($1, $2)`, g.ID, d); err != nil {
			return err
		}
	}
	g.Domains = domains
	if err := tx.indexAgency(ctx, g.ID); err != nil {
		return err
	}
	return tx.audit(ctx, patchwork.AuditAgencyCreate, 0, fmt.Sprintf("agency=%d", g.ID))
}
