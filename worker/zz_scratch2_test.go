package worker_test

import ("context";"database/sql";"fmt";"os";"testing";"time";"patchwork";"patchwork/sqldb/sqldbtest"
 _ "github.com/jackc/pgx/v5/stdlib")

func TestScratchExplain(t *testing.T) {
	e := newEnv(t, sqldbtest.MustOpen(t, "postgres"))
	clients, teams := fastTeams(&testing.B{}, e, 50, 10)
	drain(t, e.w)
	ctx := context.Background()
	for day := 23; day < 30; day++ {
		for k, c := range clients { for j := 0; j < 3; j++ { e.db.RecordTeamEventForTest(ctx, c, teams[k][j], patchwork.ActivityMemberJoined, "consent") } }
		e.clk.Set(time.Date(2026, 11, day, 7, 0, 0, 0, e.loc))
		if day < 29 { drain(t, e.w) } else { e.w.RunOnce(ctx) }
	}
	var schema string
	e.db.QueryRowForTest(`SELECT current_schema()`).Scan(&schema)
	var jobID int64
	e.db.QueryRowForTest(`SELECT MAX(id) FROM jobs WHERE kind='send_email'`).Scan(&jobID)
	raw, _ := sql.Open("pgx", sqldbtest.PostgresDSN()+"&search_path="+schema)
	defer raw.Close()
	for _, q := range []string{`EXPLAIN ANALYZE SELECT n.id, n.agent_id, n.kind, n.delivery, t.client_id, t.detail,
		t.created_at, actor.name, r.name, r.email, r.active, COALESCE(p.mode, ''),
		(SELECT COUNT(*) FROM memberships m WHERE m.client_id = t.client_id AND m.agent_id = n.agent_id AND m.left_at IS NULL)
		FROM notifications n
		JOIN activities t ON t.id = n.activity_id
		JOIN agents actor ON actor.id = t.agent_id
		JOIN agents r ON r.id = n.agent_id
		LEFT JOIN notification_prefs p ON p.agent_id = n.agent_id AND p.kind = n.kind
		WHERE n.job_id = $1 AND n.handled_at IS NULL
		ORDER BY t.created_at, n.id`, `EXPLAIN ANALYZE UPDATE notifications SET handled_at = 1 WHERE job_id = $1 AND handled_at IS NULL`} {
		rows, err := raw.Query(q, jobID)
		if err != nil { t.Fatal(err) }
		for rows.Next() { var s string; rows.Scan(&s); fmt.Fprintln(os.Stderr, s) }
		rows.Close()
	}
}
