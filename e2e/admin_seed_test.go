package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"patchwork"
	"patchwork/importer"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
)

// adminWorld is what the admin pages journey seeds on top of the demo
// network, so that no admin list it opens is empty: a pending invitation to
// a new colleague, an access request, a failed email and a failed job, two
// imports, a likely duplicate pair (merged and unmerged on the way), an
// alert, a warned agent and the statistics. Everything an area admin is to
// see lies in agent2's district, which the area admin administers.
type adminWorld struct {
	agentID             int64 // agent2, in the area admin's district
	agentName           string
	agencyID            int64 // agent2's agency
	agencyName          string
	localID             int64 // one of agent2's local areas
	localName           string
	areaAdmin           string // email of the area admin of agent2's district
	spareID             int64  // another agent of the district, to deactivate and reactivate
	spareName           string
	keepID, mergeID     int64 // the likely duplicate pair, both on agent2's team
	invitationID        int64 // pending, to an address with no account
	accessRequestID     int64
	jobID               int64 // a failed job that is not an email
	warnedID            int64 // an agent warned for not signing in
	warnedName          string
	clientID            int64 // a demo client, for the access report and erasure
	clientName, network string
}

// seedAdminWorld seeds what the admin pages show, through the store's
// functions where it has them.
func seedAdminWorld(t *testing.T, db *sqldb.DB) *adminWorld {
	t.Helper()
	ctx := context.Background()
	w := &adminWorld{}
	if err := db.QueryRowForTest(`SELECT a.id, a.name, g.id, g.name FROM agents a JOIN agencies g ON g.id = a.agency_id
		WHERE a.email = $1`, agentEmail).Scan(&w.agentID, &w.agentName, &w.agencyID, &w.agencyName); err != nil {
		t.Fatalf("find %s: %v", agentEmail, err)
	}
	var district int64
	if err := db.QueryRowForTest(`SELECT ar.id, ar.name, ar.parent_id FROM agent_areas aa JOIN areas ar ON ar.id = aa.area_id
		WHERE aa.agent_id = $1 AND ar.kind = 'local' ORDER BY ar.id LIMIT 1`, w.agentID).Scan(&w.localID, &w.localName, &district); err != nil {
		t.Fatalf("find agent2's local area: %v", err)
	}
	var areaAdminID int64
	if err := db.QueryRowForTest(`SELECT id, email FROM agents WHERE is_admin = 0 AND active = 1 AND id <> $1 AND email LIKE 'agent%'
		ORDER BY id LIMIT 1`, w.agentID).Scan(&areaAdminID, &w.areaAdmin); err != nil {
		t.Fatalf("find an agent to make area admin: %v", err)
	}
	must(t, sqldb.NewAdminService(db).SetAdminDistricts(sqldbtest.System(), areaAdminID, []int64{district}))
	if err := db.QueryRowForTest(`SELECT a.id, a.name FROM agents a WHERE a.active = 1 AND a.is_admin = 0 AND a.id NOT IN ($1, $2)
		AND EXISTS (SELECT 1 FROM agent_areas aa JOIN areas ar ON ar.id = aa.area_id WHERE aa.agent_id = a.id AND ar.parent_id = $3)
		AND (SELECT COUNT(*) FROM agents b WHERE b.name = a.name) = 1
		ORDER BY a.id LIMIT 1`, w.agentID, areaAdminID, district).Scan(&w.spareID, &w.spareName); err != nil {
		t.Fatalf("find another agent of agent2's district: %v", err)
	}

	agent, err := sqldb.NewAgentService(db).FindCaller(ctx, w.agentID)
	must(t, err)
	clients := sqldb.NewClientService(db)
	keep := &patchwork.Client{FirstName: "Jordan", LastName: "Merriweather", DateOfBirth: "04/05/2011",
		Address: "1 Test Street", Postcode: "AB1 2CD"}
	dup := &patchwork.Client{FirstName: "Jordan", LastName: "Merriwether", DateOfBirth: "04/05/2011",
		Address: "1 Test Street", Postcode: "AB1 2CD"}
	must(t, clients.CreateClient(sqldbtest.As(agent), keep))
	must(t, clients.CreateClient(sqldbtest.As(agent), dup))
	if _, err := sqldb.NewMergeService(db).ScanDuplicates(sqldbtest.System()); err != nil {
		t.Fatalf("scan for duplicates: %v", err)
	}
	var a, b int64
	if err := db.QueryRowForTest(`SELECT client_a, client_b FROM duplicate_pairs WHERE status = 'open'
		AND client_a IN ($1, $2) AND client_b IN ($1, $2)`, keep.ID, dup.ID).Scan(&a, &b); err != nil {
		t.Fatalf("the duplicate scan did not pair %d and %d: %v", keep.ID, dup.ID, err)
	}
	w.keepID, w.mergeID = a, b

	secret, err := db.Secret(ctx)
	must(t, err)
	inv, err := sqldb.NewInvitationService(db, secret).CreateInvitation(sqldbtest.As(agent), keep.ID,
		patchwork.InvitationRequest{Email: "new.colleague@example.org"})
	must(t, err)
	w.invitationID = inv.ID

	now := time.Now().UnixMicro()
	if err := db.QueryRowForTest(`INSERT INTO access_requests (email, agency_name, manager_name, manager_email, reason, status, created_at)
		VALUES ('sam.outreach-worker@harbouroutreachtrust.example.org', 'Harbour Outreach Trust', 'Morgan Lead', 'morgan.lead@harbourtrust.example',
		'I support families our outreach team meets at the harbour.', 'pending', $1) RETURNING id`, now).Scan(&w.accessRequestID); err != nil {
		t.Fatal(err)
	}
	// A failed email (for the failed emails page) and a failed job that is
	// not an email (for the failed jobs page).
	if _, err := db.ExecForTest(`INSERT INTO jobs (kind, payload, priority, run_at, attempts, max_attempts, status, last_error, created_at, done_at)
		SELECT 'account_email', '{"kind":"password_changed","agent_id":' || CAST(id AS TEXT) || '}', 10, $1, 8, 8, 'failed',
			'mail: send via mail.example:587: permanent failure: 550 5.1.1 No such user here', $1, $1
		FROM agents WHERE email = 'admin@patchwork.test'`, now); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowForTest(`INSERT INTO jobs (kind, payload, priority, run_at, attempts, max_attempts, status, last_error, created_at, done_at)
		VALUES ('duplicate_scan', '{}', 50, $1, 3, 3, 'failed',
			'search: rebuild the index: open /var/lib/patchwork/search/district-4/segment_000123.idx: no such file or directory', $1, $1)
		RETURNING id`, now).Scan(&w.jobID); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"name,sector,local_areas\nAdmin Pages Trust,Charity,\n",
		"name,sector,local_areas\nNowhere Trust,Charity,Narnia\n"} {
		if _, err := importer.ImportAgencies(sqldbtest.System(), db, strings.NewReader(file), importer.Options{FileName: "agencies.csv"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecForTest(`INSERT INTO admin_alerts (kind, detail, created_at, agent_id, pattern_day, pattern_rows)
		VALUES ('team_churn', 'joined and then left 6 client teams in one day (the threshold is 5)', $1, $2, $3, 6)`,
		now, w.agentID, time.Now().Truncate(24*time.Hour).UnixMicro()); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowForTest(`UPDATE agents SET inactivity_warned_at = 1 WHERE id = (SELECT MAX(id) FROM agents
		WHERE active = 1 AND is_admin = 0 AND id NOT IN ($1, $2, $3)) RETURNING id, name`, w.agentID, areaAdminID, w.spareID).
		Scan(&w.warnedID, &w.warnedName); err != nil {
		t.Fatal(err)
	}
	must(t, db.RebuildStats(ctx))
	if err := db.QueryRowForTest(`SELECT name FROM areas WHERE parent_id IS NULL ORDER BY name LIMIT 1`).Scan(&w.network); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowForTest(`SELECT id, first_name || ' ' || last_name FROM clients ORDER BY id LIMIT 1`).Scan(&w.clientID, &w.clientName); err != nil {
		t.Fatal(err)
	}
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
