package web_test

import (
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"patchwork"
	"patchwork/app"
	"patchwork/sqldb"
	"patchwork/sqldb/sqldbtest"
	"patchwork/web"
)

// adminRouteKind says who an admin route is for.
type adminRouteKind int

const (
	forSystemAdmins adminRouteKind = iota // system admins only
	forAnyAdmin                           // any admin; it lists only what is in their reach
	onAgent                               // {id} is an agent: reach decides
	onClients                             // acts on clients named in the form: reach decides
	onAgency                              // {id} is an agency: reach decides
	createsAgency                         // adds an agency in the form's areas: reach decides
	onArea                                // {id} is an area of the record's district: reach decides
)

// adminCase says who an admin route is for and, for a POST, the form it
// sends about record id.
type adminCase struct {
	kind adminRouteKind
	form func(id int64) url.Values
}

func fixed(v url.Values) func(int64) url.Values { return func(int64) url.Values { return v } }

// adminMatrix is every admin route with who it is for and the form a POST
// sends. TestAdminAuthorizationMatrix fails for a route missing here.
// keepID is the client a merge keeps; localA and localB are local areas,
// and district their district, of the records (an agency is added in
// localA).
func adminMatrix(agencyID, keepID, district, localA, localB int64) map[string]adminCase {
	id := func(n int64) []string { return []string{strconv.FormatInt(n, 10)} }
	agencyForm := func(name string) func(int64) url.Values {
		return fixed(url.Values{"name": {name}, "sector": {"Health"}, "areas": id(localA),
			"domains": {"matrix.example.org"}, "status": {"active"}})
	}
	return map[string]adminCase{
		"GET /admin/agencies":                      {forAnyAdmin, nil},
		"GET /admin/agencies.csv":                  {forAnyAdmin, nil},
		"GET /admin/agencies/new":                  {forAnyAdmin, nil},
		"POST /admin/agencies":                     {createsAgency, agencyForm("Matrix Health Centre")},
		"GET /admin/agencies/{id}":                 {onAgency, nil},
		"GET /admin/agencies/{id}/edit":            {onAgency, nil},
		"POST /admin/agencies/{id}/edit":           {onAgency, agencyForm("Target Youth Hub")},
		"POST /admin/agencies/{id}/approve":        {onAgency, nil},
		"POST /admin/agencies/{id}/suspend":        {onAgency, nil},
		"POST /admin/agencies/{id}/unsuspend":      {onAgency, nil},
		"GET /admin":                               {forAnyAdmin, nil},
		"GET /admin/agents":                        {forAnyAdmin, nil},
		"GET /admin/agents.csv":                    {forAnyAdmin, nil},
		"GET /admin/agents/{id}":                   {onAgent, nil},
		"POST /admin/agents/{id}/move":             {onAgent, fixed(url.Values{"agency_id": {strconv.FormatInt(agencyID, 10)}})},
		"POST /admin/agents/{id}/deactivate":       {onAgent, nil},
		"POST /admin/agents/{id}/reactivate":       {onAgent, nil},
		"POST /admin/agents/{id}/two-factor/reset": {onAgent, nil},
		"GET /admin/agents/{id}/areas":             {onAgent, nil},
		"POST /admin/agents/{id}/areas":            {onAgent, fixed(url.Values{"areas": id(localA)})},
		"GET /admin/areas":                         {forAnyAdmin, nil},
		"POST /admin/areas":                        {forSystemAdmins, fixed(url.Values{"name": {"Matrix network"}})},
		"POST /admin/areas/import":                 {forSystemAdmins, nil},
		"GET /admin/areas/{id}":                    {onArea, nil},
		"POST /admin/areas/{id}":                   {onArea, fixed(url.Values{"name": {"Ashford"}, "parent_id": id(district)})},
		"POST /admin/areas/{id}/children":          {onArea, fixed(url.Values{"child_name": {"Matrix local"}})},
		"GET /admin/clients/area":                  {forAnyAdmin, nil},
		"POST /admin/clients/area": {onClients, func(c int64) url.Values {
			return url.Values{"client": {patchwork.ClientRef(c)}, "area_id": id(localB)}
		}},
		"GET /admin/clients/merge": {forAnyAdmin, nil},
		"POST /admin/clients/merge": {onClients, func(id int64) url.Values {
			return url.Values{"keep_id": {strconv.FormatInt(keepID, 10)}, "merge_id": {strconv.FormatInt(id, 10)}}
		}},
		"GET /admin/merges":                     {forAnyAdmin, nil},
		"GET /admin/merges.csv":                 {forAnyAdmin, nil},
		"POST /admin/merges/{id}/undo":          {onClients, nil},
		"GET /admin/duplicates":                 {forAnyAdmin, nil},
		"GET /admin/duplicates.csv":             {forAnyAdmin, nil},
		"POST /admin/duplicates/scan":           {forAnyAdmin, nil},
		"POST /admin/duplicates/{id}/dismiss":   {onClients, nil},
		"GET /admin/jobs":                       {forSystemAdmins, nil},
		"GET /admin/jobs.csv":                   {forSystemAdmins, nil},
		"GET /admin/imports":                    {forSystemAdmins, nil},
		"GET /admin/imports.csv":                {forSystemAdmins, nil},
		"POST /admin/jobs/{id}/retry":           {forSystemAdmins, nil},
		"GET /admin/invitations":                {forAnyAdmin, nil},
		"GET /admin/invitations.csv":            {forAnyAdmin, nil},
		"POST /admin/invitations/{id}/resend":   {onClients, nil},
		"GET /admin/emails":                     {forSystemAdmins, nil},
		"GET /admin/emails.csv":                 {forSystemAdmins, nil},
		"POST /admin/emails/{id}/retry":         {forSystemAdmins, nil},
		"POST /admin/emails/{id}/discard":       {forSystemAdmins, nil},
		"POST /admin/emails/retry":              {forSystemAdmins, fixed(url.Values{"id": {"1"}, "confirm": {"yes"}})},
		"POST /admin/emails/discard":            {forSystemAdmins, fixed(url.Values{"id": {"1"}, "confirm": {"yes"}})},
		"GET /admin/clients/{id}/erase":         {forSystemAdmins, nil},
		"POST /admin/clients/{id}/erase":        {forSystemAdmins, fixed(url.Values{"reason": {"Asked to be forgotten"}, "confirm": {"yes"}})},
		"GET /admin/clients/{id}/access-report": {forSystemAdmins, nil},
		"GET /admin/audit":                      {forSystemAdmins, nil},
		"GET /admin/audit.csv":                  {forSystemAdmins, nil},
		"GET /admin/stats":                      {forSystemAdmins, nil},
		"GET /admin/alerts":                     {forAnyAdmin, nil},
		"GET /admin/alerts.csv":                 {forAnyAdmin, nil},
		"GET /admin/retention":                  {forSystemAdmins, nil},
		"GET /admin/retention.csv":              {forSystemAdmins, nil},
		"GET /admin/retention-agents.csv":       {forSystemAdmins, nil},
		"GET /admin/stats.csv":                  {forSystemAdmins, nil},
		"GET /admin/access-requests":            {forSystemAdmins, nil},
		"GET /admin/access-requests.csv":        {forSystemAdmins, nil},
		"POST /admin/access-requests/{id}/approve": {forSystemAdmins, fixed(url.Values{"agency": {strconv.FormatInt(agencyID, 10)},
			"add_domain": {"yes"}})},
		"POST /admin/access-requests/{id}/refuse": {forSystemAdmins, nil},
	}
}

// TestAdminAuthorizationMatrix sends every admin route as an agent, an
// area admin of another district, the area admin of the record's district
// and a system admin. Every refusal is byte for byte the page the same
// viewer gets for a missing record, and changes nothing; a list shows an
// area admin nothing of another district.
func TestAdminAuthorizationMatrix(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		south := e.MustElsewhere(t)
		target := e.MustAgent(t, "Tara Target", e.Council, e.LocalA)
		agent := e.MustAgent(t, "Nell Nonadmin", e.Council, e.LocalA)
		southAdmin := e.MustAreaAdmin(t, "Sol Southadmin", south.Agency, south.District)
		northAdmin := e.MustAreaAdmin(t, "Nadia Northadmin", e.Council, e.District)
		sys := e.MustSystemAdmin(t, "Sid System", e.Council)
		client := e.MustClient(t, target, "Cara", "Client", "03/04/2012")
		// An agency of the North district waiting for approval, with one
		// agent, for the agency routes (in the order approve, suspend,
		// unsuspend).
		hub := &patchwork.Agency{Name: "Target Youth Hub", Sector: "Youth services", EmailDomain: "targethub.test",
			Areas: []*patchwork.Area{e.LocalA}, Status: patchwork.AgencyPending}
		if err := sqldb.NewAgencyAdminService(e.DB).CreateAdminAgency(sqldbtest.System(), hub); err != nil {
			t.Fatal(err)
		}
		e.MustAgent(t, "Hana Hubworker", hub, e.LocalA)
		// An admin whose live session outlives their deactivation.
		gone := e.MustSystemAdmin(t, "Gil Gone", e.Council)
		goneB := e.signedIn(t, gone)
		if err := sqldb.NewAdminService(e.DB).DeactivateAgent(sqldbtest.System(), gone.ID); err != nil {
			t.Fatal(err)
		}
		// A likely duplicate pair for the queue, a merge to undo and two
		// clients to merge, all in the North district.
		mk := func(first, last, dob string) *patchwork.Client {
			return e.MustCreateClient(t, target, &patchwork.Client{FirstName: first, LastName: last, DateOfBirth: dob, AreaIDs: []int64{e.LocalA.ID}})
		}
		mk("Jordan", "Merriweather", "04/05/2011")
		mk("Jordan", "Merriwether", "04/05/2011")
		undoKeep, undoMerge := mk("Ula", "Undoable", "01/01/2001"), mk("Una", "Undone", "02/02/2002")
		keep, merge := mk("Kit", "Kept", "03/03/2003"), mk("Max", "Merged", "04/04/2004")
		merges := sqldb.NewMergeService(e.DB)
		if n, err := merges.ScanDuplicates(sqldbtest.System()); err != nil || n == 0 {
			t.Fatalf("scan: %d pairs, %v", n, err)
		}
		pairID := int64(mustCount(t, e, `SELECT MIN(id) FROM duplicate_pairs`))
		setup := e.MustSystemAdmin(t, "Set Up", e.Council)
		undo, err := merges.MergeClients(sqldbtest.As(setup), undoKeep.ID, undoMerge.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A pending invitation of a new colleague onto the client's team,
		// to email again.
		inv, err := sqldb.NewInvitationService(e.DB, []byte("matrix secret")).CreateInvitation(sqldbtest.As(target), client.ID,
			patchwork.InvitationRequest{Email: "nico.newcomer@ashford.test"})
		if err != nil {
			t.Fatal(err)
		}
		matrix := adminMatrix(e.Council.ID, keep.ID, e.District.ID, e.LocalA.ID, e.LocalB.ID)
		srv := mustServer(t, e)
		var patterns []string
		for _, p := range web.RoutePatterns(srv) {
			if web.RouteAccess(p) != "admin" {
				continue
			}
			if _, ok := matrix[p]; !ok {
				t.Errorf("%s is not in adminMatrix: say who it is for", p)
				continue
			}
			patterns = append(patterns, p)
		}
		// {id} is the client in a client's route and the agent elsewhere;
		// a missing record is missingID in both.
		send := func(b *browser, pattern string, id int64) response {
			if id == target.ID {
				switch {
				case strings.Contains(pattern, "/clients/{id}"), strings.Contains(pattern, "/clients/area"):
					id = client.ID
				case strings.HasSuffix(pattern, "/areas/{id}/children"):
					id = e.District.ID
				case strings.Contains(pattern, "/areas/{id}"):
					id = e.LocalA.ID
				case strings.Contains(pattern, "/clients/merge"):
					id = merge.ID
				case strings.Contains(pattern, "/merges/"):
					id = undo.ID
				case strings.Contains(pattern, "/duplicates/"):
					id = pairID
				case strings.Contains(pattern, "/agencies/{id}"):
					id = hub.ID
				case strings.Contains(pattern, "/invitations/"):
					id = inv.ID
				}
			}
			method, path := requestFor(pattern, id)
			if method == http.MethodPost {
				var form url.Values
				if f := matrix[pattern].form; f != nil {
					form = f(id)
				}
				return b.post(path, form)
			}
			return b.get(path)
		}
		const missingID = 999999
		state := func(t *testing.T) [9]int {
			t.Helper()
			return [9]int{
				mustCount(t, e, `SELECT COUNT(*) FROM invitations WHERE resent_at IS NOT NULL`),
				mustCount(t, e, `SELECT COUNT(*) FROM agents WHERE active = 1`),
				mustCount(t, e, `SELECT COUNT(*) FROM clients WHERE merged_into IS NULL AND first_name <> ''`),
				mustCount(t, e, `SELECT COUNT(*) FROM client_merges WHERE undone_at IS NULL`),
				mustCount(t, e, `SELECT COUNT(*) FROM duplicate_pairs WHERE status = 'open'`),
				mustCount(t, e, `SELECT COUNT(*) FROM agencies`),
				mustCount(t, e, `SELECT COUNT(*) FROM agencies WHERE status = 'active'`),
				mustCount(t, e, `SELECT COUNT(*) FROM agency_domains`),
				mustCount(t, e, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, sqldb.JobDuplicateScan),
			}
		}
		unchanged := func(t *testing.T) {
			t.Helper()
			if n := mustCount(t, e, `SELECT COUNT(*) FROM agents WHERE id = $1 AND active = 1 AND agency_id = $2`,
				target.ID, e.Council.ID); n != 1 {
				t.Fatal("a refused request changed the agent")
			}
			if n := mustCount(t, e, `SELECT COUNT(*) FROM clients WHERE id = $1 AND first_name = 'Cara'`, client.ID); n != 1 {
				t.Fatal("a refused request changed the client")
			}
			if n := mustCount(t, e, `SELECT COUNT(*) FROM client_merges WHERE undone_at IS NULL`); n != 1 {
				t.Fatal("a refused request merged or undid")
			}
			if n := mustCount(t, e, `SELECT COUNT(*) FROM duplicate_pairs WHERE id = $1 AND status = 'open'`, pairID); n != 1 {
				t.Fatal("a refused request dismissed the pair")
			}
			if n := mustCount(t, e, `SELECT COUNT(*) FROM agencies WHERE id = $1 AND status = 'pending' AND name = $2`,
				hub.ID, hub.Name); n != 1 {
				t.Fatal("a refused request changed the agency")
			}
		}
		refusedLikeMissing := func(t *testing.T, who string, b *browser, pattern string) {
			t.Helper()
			before := state(t)
			defer func() {
				if after := state(t); after != before {
					t.Errorf("%s: a refused %s changed something: %v → %v", who, pattern, before, after)
				}
			}()
			got, missing := send(b, pattern, target.ID), send(b, pattern, missingID)
			if got.status != http.StatusNotFound || got.body != missing.body {
				t.Errorf("%s: %s answered %d, want the 404 of a missing record\n%s", who, pattern, got.status, got.body)
			}
			if missingPage := b.get("/admin/no-such-page"); got.body != missingPage.body {
				t.Errorf("%s: %s's 404 differs from a missing page's", who, pattern)
			}
			if strings.Contains(got.body, target.Email) || strings.Contains(got.body, hub.Name) {
				t.Errorf("%s: %s shows the agent or the agency", who, pattern)
			}
		}
		agentB, southB, northB, sysB := e.signedIn(t, agent), e.signedIn(t, southAdmin), e.signedIn(t, northAdmin), e.signedIn(t, sys)
		for _, p := range patterns {
			t.Run("agent "+p, func(t *testing.T) { refusedLikeMissing(t, "agent", agentB, p) })
			t.Run("deactivated admin "+p, func(t *testing.T) {
				before := state(t)
				if r := send(goneB, p, target.ID); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
					t.Errorf("deactivated admin: %s answered %d %q, want a redirect to sign in", p, r.status, r.location)
				}
				if after := state(t); after != before {
					t.Errorf("deactivated admin: %s changed something: %v → %v", p, before, after)
				}
			})
			t.Run("other district "+p, func(t *testing.T) {
				switch matrix[p].kind {
				case createsAgency:
					// The North district's areas are not theirs to choose:
					// the form says so, and nothing is added.
					before := state(t)
					r := send(southB, p, target.ID)
					if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Select the agency&#39;s local areas from the list") ||
						strings.Contains(r.body, e.LocalA.Name) {
						t.Errorf("%s answered %d to another district's admin, want the areas' message without North's areas\n%s", p, r.status, r.body)
					}
					if after := state(t); after != before {
						t.Errorf("other district's admin: %s changed something: %v → %v", p, before, after)
					}
				case forAnyAdmin:
					r := send(southB, p, target.ID)
					if r.status == http.StatusSeeOther {
						r = southB.get(r.location) // the list it leads to, which also clears the flash
					}
					if r.status != http.StatusOK || strings.Contains(r.body, target.Email) || strings.Contains(r.body, hub.Name) ||
						strings.Contains(r.body, "Merriwe") || strings.Contains(r.body, patchwork.ClientRef(undoKeep.ID)) {
						t.Errorf("%s answered %d to another district's admin, or showed the agent or agency\n%s", p, r.status, r.body)
					}
				default:
					refusedLikeMissing(t, "other district's admin", southB, p)
				}
			})
		}
		unchanged(t)
		// Then what the district's own admin may do, in the list's order
		// (deactivate before reactivate).
		for _, p := range patterns {
			t.Run("area admin "+p, func(t *testing.T) {
				switch matrix[p].kind {
				case forSystemAdmins:
					refusedLikeMissing(t, "area admin", northB, p)
				default:
					r := send(northB, p, target.ID)
					if r.status != http.StatusOK && r.status != http.StatusSeeOther {
						t.Errorf("%s answered %d to the district's admin\n%s", p, r.status, r.body)
					}
					if r.status == http.StatusSeeOther {
						northB.get(r.location).must(t, http.StatusOK) // shows, and so clears, the flash
					}
				}
			})
		}
		// A system admin reaches every page, in every district.
		for _, p := range patterns {
			if method, _ := requestFor(p, 0); method != http.MethodGet {
				continue
			}
			r := send(sysB, p, target.ID)
			if r.status != http.StatusOK {
				t.Errorf("system admin: %s answered %d", p, r.status)
			}
		}
		if r := sysB.get("/admin/agents?q=southadmin"); !strings.Contains(r.body, southAdmin.Email) {
			t.Errorf("the system admin's list misses another district's agent\n%s", r.body)
		}
	})
}

// TestAdminHomeLinksEveryPage: the admin home links every admin page a
// system admin can open (every GET route under /admin/ without a path
// parameter); an area admin is not shown the system admins' pages; anyone
// else gets the usual 404.
func TestAdminHomeLinksEveryPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		sys := e.MustSystemAdmin(t, "Sid System", e.Council)
		area := e.MustAreaAdmin(t, "Nadia Northadmin", e.Council, e.District)
		agent := e.MustAgent(t, "Nell Nonadmin", e.Council, e.LocalA)
		home := e.signedIn(t, sys).get("/admin")
		home.must(t, http.StatusOK, "Administration")
		for _, p := range web.RoutePatterns(mustServer(t, e)) {
			method, path, _ := strings.Cut(p, " ")
			if method != http.MethodGet || !strings.HasPrefix(path, "/admin/") || strings.Contains(path, "{") || strings.HasSuffix(path, ".csv") {
				continue
			}
			if !strings.Contains(home.body, `href="`+path+`"`) {
				t.Errorf("the admin home does not link %s: add it to adminPages", path)
			}
		}
		areaHome := e.signedIn(t, area).get("/admin")
		areaHome.must(t, http.StatusOK, `href="/admin/agents"`)
		if strings.Contains(areaHome.body, `href="/admin/jobs"`) {
			t.Error("an area admin is shown the failed jobs")
		}
		b := e.signedIn(t, agent)
		if r := b.get("/admin"); r.status != http.StatusNotFound || r.body != b.get("/admin/no-such-page").body {
			t.Errorf("an agent's /admin: %d, want the missing page's 404", r.status)
		}
		if r := e.anonymous(t).get("/admin"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
			t.Errorf("signed out /admin: %d %q, want a redirect to sign in", r.status, r.location)
		}
	})
}

// TestAdminDeactivateOverHTTP: POST /admin/agents/{id}/deactivate answers
// 303; the agent's live session ends at once; reactivating lets them sign
// in again.
func TestAdminDeactivateOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		sys := e.MustSystemAdmin(t, "Sid System", e.Council)
		leaver := e.MustAgent(t, "Lee Leaver", e.Council, e.LocalA)
		live := e.signedIn(t, leaver)
		live.get("/").must(t, http.StatusOK)
		admin := e.signedIn(t, sys)
		id := strconv.FormatInt(leaver.ID, 10)
		runScenarios(t,
			scenario{name: "deactivate", as: admin, method: "POST", path: "/admin/agents/" + id + "/deactivate",
				status: http.StatusSeeOther, location: "/admin/agents/" + id},
			scenario{name: "the live session is over", as: live, path: "/",
				status: http.StatusSeeOther, locationPrefix: "/login"},
			scenario{name: "the agent page says so", as: admin, path: "/admin/agents/" + id,
				status: http.StatusOK, contains: []string{"Deactivated", "Reactivate Lee Leaver"}},
			scenario{name: "reactivate", as: admin, method: "POST", path: "/admin/agents/" + id + "/reactivate",
				status: http.StatusSeeOther, location: "/admin/agents/" + id},
			scenario{name: "a move needs an agency", as: admin, method: "POST", path: "/admin/agents/" + id + "/move",
				form: url.Values{"agency_id": {"999999"}}, status: http.StatusUnprocessableEntity,
				contains: []string{"There is a problem", "Select the agency to move them to"}},
		)
		e.signedIn(t, leaver).get("/").must(t, http.StatusOK)
	})
}

// TestAgentExportIsFormulaSafe: the people list's CSV export holds every
// agent the filters select, and a cell a spreadsheet would run as a
// formula is written as text.
func TestAgentExportIsFormulaSafe(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		sys := e.MustSystemAdmin(t, "Sid System", e.Council)
		evil := []string{"=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)"}
		for _, name := range evil {
			e.MustAgent(t, name, e.Council, e.LocalA)
		}
		r := e.signedIn(t, sys).get("/admin/agents.csv?area=" + strconv.FormatInt(e.LocalA.ID, 10))
		r.must(t, http.StatusOK)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("Content-Type %q", ct)
		}
		rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+len(evil) || rows[0][1] != "name" {
			t.Fatalf("export has %d rows, want a header and %d agents:\n%s", len(rows), len(evil), r.body)
		}
		got := map[string]bool{}
		for _, row := range rows[1:] {
			got[row[1]] = true
		}
		for _, name := range evil {
			if !got["'"+name] {
				t.Errorf("%q is not written as text: %v", name, got)
			}
		}
		if n := mustCount(t, e, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditAgentExport); n != 1 {
			t.Errorf("export audit rows = %d, want 1", n)
		}
	})
}

// mustServer builds a server on e's database, for reading its route list.
func mustServer(t *testing.T, e *env) *web.Server {
	t.Helper()
	srv, err := app.NewServer(e.DB, app.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func mustCount(t *testing.T, e *env, q string, args ...any) int {
	t.Helper()
	return sqldbtest.MustCount(t, e.DB, q, args...)
}
