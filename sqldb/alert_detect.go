package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"patchwork"
)

// JobUnusualAccess looks for unusual access in the audit log once an hour.
const JobUnusualAccess = "unusual_access"

// AccountEmailUnusualAccess tells an admin that an unusual-access alert
// was opened. It names the kind of pattern and the day, never the agent
// or a client: the alert page does, behind sign-in.
const AccountEmailUnusualAccess = "unusual_access"

// UnusualAccessJob is the detection run of now's hour (UTC).
func UnusualAccessJob(now time.Time) JobSpec {
	hour := now.UTC().Truncate(time.Hour)
	return JobSpec{Kind: JobUnusualAccess, UniqueKey: "unusual-access:" + hour.Format("2006-01-02T15"), Priority: PriorityNormal, RunAt: hour}
}

// The detection queries, each of one action on one day ($2 to $3):
// audit_action_at finds the day's rows of the action and carries the
// actor and the client, so each reads one range of the index and never
// the table (TestUnusualAccessPlans). Team churn pairs the day's first
// join and last leave of each agent and client.
const (
	teamChurnSQL = `SELECT j.actor_id, COUNT(*) FROM
		(SELECT actor_id, client_id, MIN(at) AS first_at FROM audit_events
			WHERE action = $1 AND at >= $2 AND at < $3 AND actor_id IS NOT NULL AND client_id IS NOT NULL
			GROUP BY actor_id, client_id) j
		JOIN (SELECT actor_id, client_id, MAX(at) AS last_at FROM audit_events
			WHERE action = $4 AND at >= $2 AND at < $3 AND actor_id IS NOT NULL AND client_id IS NOT NULL
			GROUP BY actor_id, client_id) l
		ON l.actor_id = j.actor_id AND l.client_id = j.client_id AND l.last_at >= j.first_at
		GROUP BY j.actor_id HAVING COUNT(*) >= $5 ORDER BY j.actor_id`
	outsideViewsSQL = `SELECT v.actor_id, COUNT(DISTINCT v.client_id) FROM audit_events v
		JOIN agents a ON a.id = v.actor_id
		WHERE v.action = $1 AND v.at >= $2 AND v.at < $3 AND v.client_id IS NOT NULL
		AND EXISTS (SELECT 1 FROM client_areas ca WHERE ca.client_id = v.client_id)
		AND NOT EXISTS (SELECT 1 FROM client_areas ca JOIN areas ar ON ar.id = ca.area_id
			WHERE ca.client_id = v.client_id AND ` + districtOfAr + ` IN (
				SELECT ` + districtOfX + ` FROM areas x WHERE x.id IN (
					SELECT aa.area_id FROM agent_areas aa WHERE aa.agent_id = a.id AND aa.from_client_id IS NULL
					UNION SELECT ga.area_id FROM agency_areas ga WHERE ga.agency_id = a.agency_id)))
		GROUP BY v.actor_id HAVING COUNT(DISTINCT v.client_id) >= $4 ORDER BY v.actor_id`
	searchCountsSQL = `SELECT actor_id, COUNT(*) FROM audit_events
		WHERE action = $1 AND at >= $2 AND at < $3 AND actor_id IS NOT NULL GROUP BY actor_id ORDER BY actor_id`
)

// suspect is one agent whose rows of one day show a pattern.
type suspect struct {
	agentID int64
	rows    int
	detail  string
}

// districtOfAr and districtOfX are the district of the area aliased ar
// or x: itself, or a local area's parent (a network is its own).
const (
	districtOfAr = `CASE WHEN ar.kind = '` + patchwork.AreaLocal + `' THEN ar.parent_id ELSE ar.id END`
	districtOfX  = `CASE WHEN x.kind = '` + patchwork.AreaLocal + `' THEN x.parent_id ELSE x.id END`
)

// RunUnusualAccess looks for the patterns of a curious insider in
// yesterday's and today's audit rows (days in UTC, today so far) and opens
// one alert per kind, agent and day, however often it runs: see
// patchwork.AlertThresholds. Each new alert is audited and emailed, in its
// own transaction, to every active system admin and to the area admins of
// the agent's districts (never to the agent). It returns how many alerts
// it opened.
func (db *DB) RunUnusualAccess(ctx context.Context) (int, error) {
	today := db.now().UTC().Truncate(24 * time.Hour)
	opened := 0
	for _, day := range []time.Time{today.AddDate(0, 0, -1), today} {
		n, err := db.detectDay(ctx, day)
		opened += n
		if err != nil {
			return opened, err
		}
	}
	return opened, nil
}

// detectDay runs every pattern over the day starting at day.
func (db *DB) detectDay(ctx context.Context, day time.Time) (int, error) {
	t := db.Alerts.WithDefaults()
	from, to := micros(day), micros(day.AddDate(0, 0, 1))
	opened := 0
	open := func(kind string, list []suspect) error {
		for _, s := range list {
			ok, err := db.openAlert(ctx, kind, day, s)
			if err != nil {
				return err
			}
			if ok {
				opened++
			}
		}
		return nil
	}
	if t.TeamChurn > 0 {
		list, err := db.teamChurn(ctx, from, to, t.TeamChurn)
		if err == nil {
			err = open(patchwork.AlertTeamChurn, list)
		}
		if err != nil {
			return opened, err
		}
	}
	if t.OutsideViews > 0 {
		list, err := db.outsideViews(ctx, from, to, t.OutsideViews)
		if err == nil {
			err = open(patchwork.AlertOutsideViews, list)
		}
		if err != nil {
			return opened, err
		}
	}
	if t.SearchFactor > 0 && t.SearchMinimum > 0 {
		list, err := db.searchVolume(ctx, from, to, t.SearchFactor, t.SearchMinimum)
		if err == nil {
			err = open(patchwork.AlertSearchVolume, list)
		}
		if err != nil {
			return opened, err
		}
	}
	return opened, nil
}

// countSuspects runs a query of (agent, count) rows.
func (db *DB) countSuspects(ctx context.Context, query string, describe func(n int) string, args ...any) ([]suspect, error) {
	return scanAll(ctx, db.read, query, func(sc interface{ Scan(...any) error }) (suspect, error) {
		var s suspect
		err := sc.Scan(&s.agentID, &s.rows)
		s.detail = describe(s.rows)
		return s, err
	}, args...)
}

// teamChurn finds the agents who joined and then, the same day, left at
// least min client teams.
func (db *DB) teamChurn(ctx context.Context, from, to int64, min int) ([]suspect, error) {
	return db.countSuspects(ctx, teamChurnSQL,
		func(n int) string {
			return fmt.Sprintf("joined and then left %d client teams in one day (the threshold is %d)", n, min)
		},
		patchwork.AuditTeamJoin, from, to, patchwork.AuditTeamLeave, min)
}

// outsideViews finds the agents who viewed at least min different
// clients none of whose areas lies in a district of the areas the agent
// chose or their agency's (not those a join added: joining a client adds
// its area to the agent's). A district, not a local area, is the line:
// practitioners routinely work across the local areas of their district.
// A client with no area is never counted.
func (db *DB) outsideViews(ctx context.Context, from, to int64, min int) ([]suspect, error) {
	return db.countSuspects(ctx, outsideViewsSQL,
		func(n int) string {
			return fmt.Sprintf("viewed %d clients outside the districts of their areas in one day (the threshold is %d)", n, min)
		},
		patchwork.AuditClientView, from, to, min)
}

// searchVolume finds the agents who searched at least min times and more
// than factor times the median of the agents who searched that day.
func (db *DB) searchVolume(ctx context.Context, from, to int64, factor, min int) ([]suspect, error) {
	counts, err := db.countSuspects(ctx, searchCountsSQL,
		func(int) string { return "" }, patchwork.AuditClientSearch, from, to)
	if err != nil || len(counts) == 0 {
		return nil, err
	}
	ns := make([]int, len(counts))
	for i, c := range counts {
		ns[i] = c.rows
	}
	slices.Sort(ns)
	// The median of an even count is the mean of the middle two, kept in
	// halves so the comparison stays in integers: n > factor × median.
	twiceMedian := ns[len(ns)/2] * 2
	if len(ns)%2 == 0 {
		twiceMedian = ns[len(ns)/2-1] + ns[len(ns)/2]
	}
	var out []suspect
	for _, c := range counts {
		if c.rows >= min && 2*c.rows > factor*twiceMedian {
			c.detail = fmt.Sprintf("searched %d times in one day, more than %d times the median of the %d agents who searched (%s); the minimum is %d",
				c.rows, factor, len(ns), halves(twiceMedian), min)
			out = append(out, c)
		}
	}
	return out, nil
}

// halves writes n/2 with at most one decimal.
func halves(n int) string {
	if n%2 == 0 {
		return fmt.Sprint(n / 2)
	}
	return fmt.Sprintf("%d.5", n/2)
}

// openAlert opens the alert of kind about s on day unless one is open
// already (admin_alerts_pattern), and then audits and emails it in the
// same transaction. It reports whether it opened one.
func (db *DB) openAlert(ctx context.Context, kind string, day time.Time, s suspect) (bool, error) {
	opened := false
	err := db.inTx(ctx, func(tx *Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO admin_alerts (kind, detail, created_at, agent_id, pattern_day, pattern_rows)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
			kind, s.detail, micros(tx.now), s.agentID, micros(day), s.rows).Scan(&id)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil // told already
			}
			return err
		}
		to, err := alertRecipients(ctx, tx, s.agentID)
		if err != nil {
			return err
		}
		for _, admin := range to {
			if err := tx.enqueueAlertEmail(ctx, admin, id); err != nil {
				return err
			}
		}
		opened = true
		return tx.auditAs(ctx, 0, patchwork.AuditUnusualAccess, 0, fmt.Sprintf("alert=%d kind=%s agent=%d", id, kind, s.agentID))
	})
	return opened, err
}

// alertRecipients returns the active admins an alert about agentID goes
// to: every system admin, and the area admins of a district that one of
// the agent's areas or their agency's lies in (the agents an area admin
// reaches); never the agent themselves.
func alertRecipients(ctx context.Context, q querier, agentID int64) ([]int64, error) {
	return queryIDs(ctx, q, `SELECT id FROM agents WHERE active = 1 AND id <> $1 AND (is_admin = 1 OR id IN (
		SELECT d.agent_id FROM admin_districts d JOIN areas rl ON rl.id = d.district_id OR rl.parent_id = d.district_id
		WHERE rl.id IN (SELECT aa.area_id FROM agent_areas aa WHERE aa.agent_id = $1
			UNION SELECT ga.area_id FROM agency_areas ga JOIN agents s ON s.agency_id = ga.agency_id WHERE s.id = $1)))
		ORDER BY id`, agentID)
}
