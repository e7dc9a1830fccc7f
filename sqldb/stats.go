package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"patchwork"
)

// JobStats rebuilds the network statistics (stats_cells). The worker
// schedules it daily; the statistics page asks for one when none was ever
// built.
const JobStats = "stats_rebuild"

// StatsJob is the statistics rebuild of now's day (UTC): one a day,
// however many instances schedule it.
func StatsJob(now time.Time) JobSpec {
	day := now.UTC().Truncate(24 * time.Hour)
	return JobSpec{Kind: JobStats, UniqueKey: "stats:" + day.Format(time.DateOnly), Priority: PriorityNormal, RunAt: day}
}

// statsMonths is how many calendar months the statistics keep.
const statsMonths = 60

// StatsService implements patchwork.StatsService.
type StatsService struct{ db *DB }

// NewStatsService returns a StatsService on db.
func NewStatsService(db *DB) *StatsService { return &StatsService{db: db} }

// monthOf is the calendar month (UTC) of stored microseconds.
func monthOf(us int64) string { return fromMicros(us).Format("2006-01") }

// statsBuild collects the figures of one rebuild.
type statsBuild struct {
	months []string
	ends   []int64 // each month's end (exclusive), in microseconds; the last is now
	index  map[string]int
	// leaf holds each local area's additive counts: area → measure → month index.
	leaf map[int64]map[string][]int64
	// acks holds each local area's minutes to a first acknowledgement,
	// by month raised.
	acks map[int64][][]int64
}

func (b *statsBuild) add(area int64, measure string, month int, n int64) {
	if area == 0 || month < 0 {
		return
	}
	m := b.leaf[area]
	if m == nil {
		m = map[string][]int64{}
		b.leaf[area] = m
	}
	if m[measure] == nil {
		m[measure] = make([]int64, len(b.months))
	}
	m[measure][month] += n
}

// monthIndex is the index of the month of us, -1 before the first month,
// and the last month for anything later.
func (b *statsBuild) monthIndex(us int64) int {
	if i, ok := b.index[monthOf(us)]; ok {
		return i
	}
	if us >= b.ends[len(b.ends)-1] {
		return len(b.months) - 1
	}
	return -1
}

// RebuildStats recomputes every statistics cell from the database and
// replaces the stored ones in one transaction. It reads ids, areas and
// times only: never a name or any other detail.
func (db *DB) RebuildStats(ctx context.Context) error {
	now := db.now()
	first := time.Date(now.Year(), now.Month()-statsMonths+1, 1, 0, 0, 0, 0, time.UTC)
	b := &statsBuild{index: map[string]int{}, leaf: map[int64]map[string][]int64{}, acks: map[int64][][]int64{}}
	for m := first; !m.After(now); m = m.AddDate(0, 1, 0) {
		b.index[m.Format("2006-01")] = len(b.months)
		b.months = append(b.months, m.Format("2006-01"))
		end := m.AddDate(0, 1, 0)
		if end.After(now) {
			end = now
		}
		b.ends = append(b.ends, micros(end))
	}
	q := db.read
	areas, err := scanAll(ctx, q, `SELECT id, COALESCE(parent_id, 0), kind FROM areas ORDER BY id`,
		func(sc interface{ Scan(...any) error }) ([3]any, error) {
			var id, parent int64
			var kind string
			err := sc.Scan(&id, &parent, &kind)
			return [3]any{id, parent, kind}, err
		})
	if err != nil {
		return err
	}
	// Cumulative counts: +1 in the month something began, -1 in the month
	// it ended, summed month by month below.
	cumulative := func(measure, query string) error {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var area, from, to int64
			if err := rows.Scan(&area, &from, &to); err != nil {
				return err
			}
			i := b.monthIndex(from)
			if i < 0 {
				i = 0
			}
			b.add(area, measure+"+", i, 1)
			if to != 0 {
				if j := b.monthIndex(to); j >= 0 {
					b.add(area, measure+"-", j, 1)
				}
			}
		}
		return rows.Err()
	}
	// A client, agent or agency counts in its first local area (by id), so
	// that a district is exactly the sum of its local areas.
	if err := cumulative(patchwork.StatClients, `SELECT COALESCE((SELECT MIN(area_id) FROM client_areas x WHERE x.client_id = c.id), 0),
		c.created_at, COALESCE(c.erased_at, 0) FROM clients c`); err != nil {
		return err
	}
	if err := cumulative(patchwork.StatAgencies, `SELECT COALESCE((SELECT MIN(x.area_id) FROM agency_areas x JOIN areas r ON r.id = x.area_id
		WHERE x.agency_id = g.id AND r.kind = 'local'), 0), g.created_at, 0 FROM agencies g`); err != nil {
		return err
	}
	if err := db.statsActiveAgents(ctx, b); err != nil {
		return err
	}
	if err := db.statsTeams(ctx, b); err != nil {
		return err
	}
	if err := db.statsAttentions(ctx, b); err != nil {
		return err
	}
	return db.writeStats(ctx, b, areas)
}

// clientArea is the SQL of a client's statistics area, for a row with
// client id column col.
func clientArea(col string) string {
	return `COALESCE((SELECT MIN(area_id) FROM client_areas x WHERE x.client_id = ` + col + `), 0)`
}

// statsActiveAgents counts, for each month's end, the agents who signed
// in within the 30 days before it, from the audit log's sign-ins.
func (db *DB) statsActiveAgents(ctx context.Context, b *statsBuild) error {
	areaOf := map[int64]int64{}
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, COALESCE((SELECT MIN(x.area_id) FROM agent_areas x JOIN areas r ON r.id = x.area_id
		WHERE x.agent_id = a.id AND r.kind = 'local'), 0) FROM agents a`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, area int64
		if err := rows.Scan(&id, &area); err != nil {
			rows.Close()
			return err
		}
		areaOf[id] = area
	}
	rows.Close()
	window := (30 * 24 * time.Hour).Microseconds()
	rows, err = db.read.QueryContext(ctx, `SELECT actor_id, at FROM audit_events WHERE action = $1 AND actor_id IS NOT NULL AND at >= $2
		ORDER BY actor_id, at`, patchwork.AuditLogin, b.ends[0]-(32*24*time.Hour).Microseconds()-window)
	if err != nil {
		return err
	}
	defer rows.Close()
	active := map[int64]map[int]bool{}
	for rows.Next() {
		var agent, at int64
		if err := rows.Scan(&agent, &at); err != nil {
			return err
		}
		// The month ends within 30 days after the sign-in.
		for i, end := range b.ends {
			if at < end && end-at <= window {
				if active[agent] == nil {
					active[agent] = map[int]bool{}
				}
				active[agent][i] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for agent, months := range active {
		for i := range months {
			b.add(areaOf[agent], patchwork.StatActiveAgents, i, 1)
		}
	}
	return nil
}

// statsTeams counts joins and leaves by month, and the clients whose team
// had two or more agencies at each month's end.
func (db *DB) statsTeams(ctx context.Context, b *statsBuild) error {
	rows, err := db.read.QueryContext(ctx, `SELECT m.client_id, `+clientArea("m.client_id")+`, a.agency_id, m.joined_at, COALESCE(m.left_at, 0)
		FROM memberships m JOIN agents a ON a.id = m.agent_id ORDER BY m.client_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	type span struct{ agency, from, to int64 }
	var client, area int64
	var spans []span
	flush := func() {
		for i, end := range b.ends {
			agencies := map[int64]bool{}
			for _, s := range spans {
				if s.from < end && (s.to == 0 || s.to >= end) {
					agencies[s.agency] = true
				}
			}
			if len(agencies) >= 2 {
				b.add(area, patchwork.StatMultiAgency, i, 1)
			}
		}
		spans = spans[:0]
	}
	for rows.Next() {
		var c, ar, agency, from, to int64
		if err := rows.Scan(&c, &ar, &agency, &from, &to); err != nil {
			return err
		}
		if c != client && len(spans) > 0 {
			flush()
		}
		client, area = c, ar
		spans = append(spans, span{agency, from, to})
		b.add(ar, patchwork.StatJoins, b.monthIndex(from), 1)
		if to != 0 {
			b.add(ar, patchwork.StatLeaves, b.monthIndex(to), 1)
		}
	}
	if len(spans) > 0 {
		flush()
	}
	return rows.Err()
}

// statsAttentions counts attentions raised and first acknowledged by
// month, and keeps the minutes to each first acknowledgement for the
// medians.
func (db *DB) statsAttentions(ctx context.Context, b *statsBuild) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+clientArea("t.client_id")+`, t.created_at,
		COALESCE((SELECT MIN(k.at) FROM attention_acks k WHERE k.attention_id = t.id), 0) FROM attentions t`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var area, raised, acked int64
		if err := rows.Scan(&area, &raised, &acked); err != nil {
			return err
		}
		i := b.monthIndex(raised)
		b.add(area, patchwork.StatAttentions, i, 1)
		if acked == 0 || area == 0 {
			continue
		}
		b.add(area, patchwork.StatAcknowledged, b.monthIndex(acked), 1)
		if i >= 0 {
			if b.acks[area] == nil {
				b.acks[area] = make([][]int64, len(b.months))
			}
			b.acks[area][i] = append(b.acks[area][i], (acked-raised)/time.Minute.Microseconds())
		}
	}
	return rows.Err()
}

// additive lists the measures summed up the area tree.
var additive = []string{patchwork.StatActiveAgents, patchwork.StatAgencies, patchwork.StatClients, patchwork.StatMultiAgency,
	patchwork.StatJoins, patchwork.StatLeaves, patchwork.StatAttentions, patchwork.StatAcknowledged}

// writeStats sums the local areas' figures up the tree, applies
// suppression and stores every cell, replacing the last build.
func (db *DB) writeStats(ctx context.Context, b *statsBuild, areas [][3]any) error {
	children := map[int64][]int64{}
	var order []int64 // children before parents
	kind := map[int64]string{}
	for _, a := range areas {
		id, parent := a[0].(int64), a[1].(int64)
		kind[id] = a[2].(string)
		if parent != 0 {
			children[parent] = append(children[parent], id)
		}
	}
	depth := map[int64]int{}
	var walk func(id int64, d int)
	walk = func(id int64, d int) {
		depth[id] = d
		for _, c := range children[id] {
			walk(c, d+1)
		}
	}
	for _, a := range areas {
		if a[1].(int64) == 0 {
			walk(a[0].(int64), 0)
		}
	}
	for id := range kind {
		order = append(order, id)
	}
	sort.Slice(order, func(i, j int) bool { return depth[order[i]] > depth[order[j]] })
	tree := make([]patchwork.StatNode, 0, len(order))
	for _, id := range order {
		tree = append(tree, patchwork.StatNode{ID: id, Children: children[id]})
	}
	n := len(b.months)
	values := map[int64]map[string][]int64{}
	acks := map[int64][][]int64{}
	for _, id := range order { // children first, so each parent sums finished figures
		v := map[string][]int64{}
		a := make([][]int64, n)
		if kind[id] == patchwork.AreaLocal {
			for _, m := range additive {
				v[m] = make([]int64, n)
				copy(v[m], b.leaf[id][m])
			}
			for _, m := range []string{patchwork.StatClients, patchwork.StatAgencies} {
				plus, minus, run := b.leaf[id][m+"+"], b.leaf[id][m+"-"], int64(0)
				for i := 0; i < n; i++ {
					if plus != nil {
						run += plus[i]
					}
					if minus != nil {
						run -= minus[i]
					}
					v[m][i] = run
				}
			}
			if b.acks[id] != nil {
				a = b.acks[id]
			}
		} else {
			for _, m := range additive {
				v[m] = make([]int64, n)
			}
			for _, c := range children[id] {
				for _, m := range additive {
					for i := 0; i < n; i++ {
						v[m][i] += values[c][m][i]
					}
				}
				for i := 0; i < n; i++ {
					a[i] = append(a[i], acks[c][i]...)
				}
			}
		}
		values[id], acks[id] = v, a
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM stats_cells`); err != nil {
			return err
		}
		var rows [][]any
		for i, month := range b.months {
			for _, m := range additive {
				vals := map[int64]int64{}
				for id := range kind {
					vals[id] = values[id][m][i]
				}
				hidden := patchwork.Suppress(tree, vals)
				for id := range kind {
					rows = append(rows, []any{id, month, m, vals[id], vals[id], b2i(hidden[id])})
				}
			}
			for id := range kind {
				d := append([]int64(nil), acks[id][i]...)
				sort.Slice(d, func(x, y int) bool { return d[x] < d[y] })
				var median int64
				if len(d) > 0 {
					median = d[len(d)/2]
					if len(d)%2 == 0 {
						median = (d[len(d)/2-1] + d[len(d)/2]) / 2
					}
				}
				// A median of fewer than five waits tells too much about each.
				rows = append(rows, []any{id, month, patchwork.StatMedianFirstAck, median, int64(len(d)),
					b2i(len(d) > 0 && len(d) < patchwork.SmallestShown)})
			}
		}
		if len(rows) > 0 {
			if err := tx.insertRows(ctx, "stats_cells", []string{"area_id", "month", "measure", "value", "n", "suppressed"}, rows, ""); err != nil {
				return fmt.Errorf("sqldb: write statistics: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('stats_built_at', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(micros(tx.now), 10))
		return err
	})
}

// validMonth reports whether s is a calendar month as YYYY-MM.
func validMonth(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil && len(s) == 7
}

// FindStats returns the published cells; see patchwork.StatsService.
func (s *StatsService) FindStats(ctx context.Context, q patchwork.StatsQuery) (*patchwork.StatsReport, error) {
	if _, err := administrator(ctx); err != nil {
		return nil, err
	}
	now := s.db.now()
	if q.To == "" {
		q.To = now.Format("2006-01")
	}
	if q.From == "" {
		t, _ := time.Parse("2006-01", q.To)
		q.From = t.AddDate(0, -11, 0).Format("2006-01")
	}
	f := map[string]string{}
	if !validMonth(q.From) {
		f["from"] = "Enter the first month as YYYY-MM, for example 2026-01"
	}
	if !validMonth(q.To) {
		f["to"] = "Enter the last month as YYYY-MM, for example 2026-12"
	}
	if len(f) == 0 && q.To < q.From {
		f["to"] = "The last month must be the same as or after the first month"
	}
	r := &patchwork.StatsReport{Cells: map[int64]map[string]map[string]patchwork.StatCell{}}
	areas, err := scanAll(ctx, s.db.read, `SELECT `+areaColumns+` FROM areas r
		ORDER BY CASE r.kind WHEN 'network' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, r.name`, scanArea)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*patchwork.Area{}
	for _, a := range areas {
		byID[a.ID] = a
		if q.AreaID == 0 && a.ParentID == 0 && r.Area == nil {
			r.Area = a
		}
	}
	if q.AreaID != 0 {
		r.Area = byID[q.AreaID]
		if r.Area == nil {
			f["area"] = "Choose an area from the list"
		}
	}
	if err := patchwork.Invalid(f); err != nil {
		return nil, err
	}
	if r.Area == nil {
		return r, nil // no areas yet
	}
	r.Parent = byID[r.Area.ParentID]
	for _, a := range areas {
		if a.ParentID == r.Area.ID {
			r.Children = append(r.Children, a)
		}
	}
	for m, _ := time.Parse("2006-01", q.From); m.Format("2006-01") <= q.To && len(r.Months) < statsMonths; m = m.AddDate(0, 1, 0) {
		r.Months = append(r.Months, m.Format("2006-01"))
	}
	ids := []int64{r.Area.ID}
	for _, c := range r.Children {
		ids = append(ids, c.ID)
	}
	var args sqlArgs
	ph := addAll(&args, ids)
	where := `area_id IN (` + joinComma(ph) + `) AND month >= ` + args.add(q.From) + ` AND month <= ` + args.add(q.To)
	cells, err := scanAll(ctx, s.db.read, `SELECT area_id, month, measure, value, n, suppressed FROM stats_cells WHERE `+where,
		func(sc interface{ Scan(...any) error }) (patchwork.StatCell, error) {
			var c patchwork.StatCell
			var hidden int
			err := sc.Scan(&c.AreaID, &c.Month, &c.Measure, &c.Value, &c.N, &hidden)
			c.Suppressed = hidden != 0
			if c.Suppressed {
				c.Value, c.N = 0, 0 // a withheld figure never leaves the store
			}
			return c, err
		}, args...)
	if err != nil {
		return nil, err
	}
	for _, c := range cells {
		if r.Cells[c.AreaID] == nil {
			r.Cells[c.AreaID] = map[string]map[string]patchwork.StatCell{}
		}
		if r.Cells[c.AreaID][c.Month] == nil {
			r.Cells[c.AreaID][c.Month] = map[string]patchwork.StatCell{}
		}
		r.Cells[c.AreaID][c.Month][c.Measure] = c
	}
	var built string
	err = s.db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'stats_built_at'`).Scan(&built)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if us, err := strconv.ParseInt(built, 10, 64); err == nil {
		r.BuiltAt = fromMicros(us)
	} else if _, _, err := s.db.EnqueueJob(ctx, StatsJob(now)); err != nil {
		return nil, err // never built: today's rebuild is asked for now
	}
	return r, nil
}

func joinComma(ph []string) string {
	out := ""
	for i, p := range ph {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}
