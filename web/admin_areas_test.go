package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"patchwork"
	"patchwork/sqldb/sqldbtest"
)

// postFile sends a multipart form with one file, as the upload form does.
func (b *browser) postFile(path, field, name, content string, values url.Values) response {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range values {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if name != "" {
		fw, _ := mw.CreateFormFile(field, name)
		_, _ = fw.Write([]byte(content))
	}
	_ = mw.Close()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, b.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// TestAdminAreasOverHTTP: the areas pages show an area admin their
// districts only; adding, renaming and moving answer 303, and a wrong
// name or place is shown next to its field, keeping what was typed and
// changing nothing.
func TestAdminAreasOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		south := e.MustElsewhere(t)
		sys := e.signedIn(t, e.MustSystemAdmin(t, "Sid System", e.Council))
		north := e.signedIn(t, e.MustAreaAdmin(t, "Nadia North", e.Council, e.District))
		e.MustAgent(t, "Ash Agent", e.Council, e.LocalA)
		localA := "/admin/areas/" + strconv.FormatInt(e.LocalA.ID, 10)
		district := "/admin/areas/" + strconv.FormatInt(e.District.ID, 10)
		areas := func() int { return mustCount(t, e, `SELECT COUNT(*) FROM areas`) }
		n := areas()
		runScenarios(t,
			scenario{name: "the hierarchy", as: sys, path: "/admin/areas", status: http.StatusOK,
				contains: []string{"Test network", "North district", "Ashford", "Croydon", "Add a network", "Import an area list"}},
			scenario{name: "an area admin's districts only", as: north, path: "/admin/areas", status: http.StatusOK,
				contains: []string{"North district", "Ashford", "Bexley"}, notContains: []string{"Croydon", "Test network", "Add a network", "Import an area list"}},
			scenario{name: "a local area's page", as: north, path: localA, status: http.StatusOK,
				contains: []string{"Local area in North district", "Ashford Children", `href="/admin/agents?area=` + strconv.FormatInt(e.LocalA.ID, 10)}},
			scenario{name: "another district's area", as: north, path: "/admin/areas/" + strconv.FormatInt(south.Local.ID, 10),
				status: http.StatusNotFound},
			scenario{name: "an empty name", as: north, method: "POST", path: localA, form: url.Values{"name": {" "}, "parent_id": {strconv.FormatInt(e.District.ID, 10)}},
				status: http.StatusUnprocessableEntity, contains: []string{"There is a problem", "Enter the local area&#39;s name", `href="#name"`}},
			scenario{name: "another area's name", as: north, method: "POST", path: localA, form: url.Values{"name": {"BEXLEY"}},
				status: http.StatusUnprocessableEntity, contains: []string{"There is already a local area called", `value="BEXLEY"`}},
			scenario{name: "moving out of the admin's districts", as: north, method: "POST", path: localA,
				form:   url.Values{"name": {"Ashford"}, "parent_id": {strconv.FormatInt(south.District.ID, 10)}},
				status: http.StatusUnprocessableEntity, contains: []string{"Choose the district this local area belongs to"}},
			scenario{name: "a new local area with another's name", as: north, method: "POST", path: district + "/children",
				form: url.Values{"child_name": {"ashford"}}, status: http.StatusUnprocessableEntity,
				contains: []string{"There is already a local area called", `value="ashford"`, `href="#child_name"`}},
			scenario{name: "no local area under a local area", as: sys, method: "POST", path: localA + "/children",
				form: url.Values{"child_name": {"Tiny"}}, status: http.StatusNotFound},
			scenario{name: "no network for an area admin", as: north, method: "POST", path: "/admin/areas",
				form: url.Values{"name": {"Mine"}}, status: http.StatusNotFound},
			scenario{name: "refused changes changed nothing", as: sys, path: localA, status: http.StatusOK,
				contains: []string{"<h1 class=\"govuk-heading-l\">Ashford</h1>"},
				after: func(t *testing.T, _ response) {
					if areas() != n {
						t.Errorf("areas %d, want %d", areas(), n)
					}
				}},
			scenario{name: "add a local area", as: north, method: "POST", path: district + "/children",
				form: url.Values{"child_name": {"Canterbury"}}, status: http.StatusSeeOther, location: district},
			scenario{name: "it is there", as: north, path: district, status: http.StatusOK, contains: []string{"Canterbury was added to North district", "Canterbury"}},
			scenario{name: "rename", as: north, method: "POST", path: localA,
				form: url.Values{"name": {"Kennington"}, "parent_id": {strconv.FormatInt(e.District.ID, 10)}}, status: http.StatusSeeOther, location: localA},
			scenario{name: "renamed", as: north, path: localA, status: http.StatusOK, contains: []string{"The area was saved", ">Kennington</h1>"}},
			scenario{name: "a system admin moves it south", as: sys, method: "POST", path: localA,
				form: url.Values{"name": {"Kennington"}, "parent_id": {strconv.FormatInt(south.District.ID, 10)}}, status: http.StatusSeeOther},
			scenario{name: "now outside the north admin's reach", as: north, path: localA, status: http.StatusNotFound},
			scenario{name: "add a network", as: sys, method: "POST", path: "/admin/areas", form: url.Values{"name": {"Second network"}},
				status: http.StatusSeeOther, locationPrefix: "/admin/areas/"},
		)
		if n := mustCount(t, e, `SELECT COUNT(*) FROM audit_events WHERE action IN ($1, $2)`, patchwork.AuditAreaCreate, patchwork.AuditAreaUpdate); n < 4 {
			t.Errorf("%d area audit rows", n)
		}
	})
}

// TestAdminMovesOverHTTP: an admin moves an agent and a client to other
// areas through their pages; an empty choice is refused next to
// the field; another district's admin meets each as missing.
func TestAdminMovesOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		south := e.MustElsewhere(t)
		north := e.signedIn(t, e.MustAreaAdmin(t, "Nadia North", e.Council, e.District))
		southB := e.signedIn(t, e.MustAreaAdmin(t, "Sol South", south.Agency, south.District))
		agent := e.MustAgent(t, "Mo Mover", e.Council, e.LocalA)
		cl := e.MustClient(t, agent, "Perpetua", "Quillfeather", "05/06/2013")
		agentPath := "/admin/agents/" + strconv.FormatInt(agent.ID, 10)
		b := strconv.FormatInt(e.LocalB.ID, 10)
		runScenarios(t,
			scenario{name: "the agent's page links their areas", as: north, path: agentPath, status: http.StatusOK,
				contains: []string{`href="` + agentPath + `/areas"`}},
			scenario{name: "the agent's areas", as: north, path: agentPath + "/areas", status: http.StatusOK,
				contains: []string{"Areas of Mo Mover", `value="` + strconv.FormatInt(e.LocalA.ID, 10) + `" checked`}, notContains: []string{"Croydon"}},
			scenario{name: "no area", as: north, method: "POST", path: agentPath + "/areas", status: http.StatusUnprocessableEntity,
				contains: []string{"There is a problem", "Choose at least one local area the agent works in", `href="#areas"`}},
			scenario{name: "move the agent", as: north, method: "POST", path: agentPath + "/areas", form: url.Values{"areas": {b}},
				status: http.StatusSeeOther, location: agentPath},
			scenario{name: "moved", as: north, path: agentPath, status: http.StatusOK, contains: []string{"The agent&#39;s areas were saved", "Bexley"}},
			scenario{name: "another district's admin: the agent", as: southB, method: "POST", path: agentPath + "/areas",
				form: url.Values{"areas": {strconv.FormatInt(south.Local.ID, 10)}}, status: http.StatusNotFound},
			scenario{name: "the client to move", as: north, path: "/admin/clients/area?client=" + patchwork.ClientRef(cl.ID), status: http.StatusOK,
				contains: []string{"Perpetua Quillfeather", "Ashford", "Move " + patchwork.ClientRef(cl.ID)}},
			scenario{name: "no client given", as: north, path: "/admin/clients/area?client=+", status: http.StatusUnprocessableEntity,
				contains: []string{"There is a problem", "Enter the client&#39;s reference, like P-000123", `href="#client"`}},
			scenario{name: "no client reference", as: north, path: "/admin/clients/area?client=Perpetua", status: http.StatusUnprocessableEntity,
				contains: []string{"Enter the client&#39;s reference, like P-000123", `value="Perpetua"`}},
			scenario{name: "another district's admin: the client", as: southB, path: "/admin/clients/area?client=" + patchwork.ClientRef(cl.ID),
				status: http.StatusNotFound, notContains: []string{"Perpetua"}},
			scenario{name: "no such area", as: north, method: "POST", path: "/admin/clients/area",
				form:   url.Values{"client": {patchwork.ClientRef(cl.ID)}, "area_id": {strconv.FormatInt(south.Local.ID, 10)}},
				status: http.StatusUnprocessableEntity, contains: []string{"Choose the local area to move them to", "Perpetua"}},
			scenario{name: "move the client", as: north, method: "POST", path: "/admin/clients/area",
				form: url.Values{"client": {patchwork.ClientRef(cl.ID)}, "area_id": {b}}, status: http.StatusSeeOther, location: "/admin/clients/area",
				after: func(t *testing.T, _ response) {
					if n := mustCount(t, e, `SELECT COUNT(*) FROM client_areas WHERE client_id = $1 AND area_id = $2`, cl.ID, e.LocalB.ID); n != 1 {
						t.Error("the client is not in Bexley")
					}
				}},
			scenario{name: "the flash names no client", as: north, path: "/admin/clients/area", status: http.StatusOK,
				contains: []string{patchwork.ClientRef(cl.ID) + " was moved"}, notContains: []string{"Perpetua"}},
		)
		for _, action := range []string{patchwork.AuditAgentAreas, patchwork.AuditClientAreaMove} {
			if n := mustCount(t, e, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, action); n != 1 {
				t.Errorf("%s: %d audit rows, want 1", action, n)
			}
		}
	})
}

// TestAdminAreaUpload: a system admin uploads an area list; the dry run
// lists the problem rows and adds nothing; the real run adds the good
// rows, as an import job the page links to and /admin/imports lists with
// its outcome and problems; the same file again changes nothing; a file
// that is no area list is shown next to the field, and records no job.
func TestAdminAreaUpload(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		sys := e.signedIn(t, e.MustSystemAdmin(t, "Sid System", e.Council))
		const file = "network,district,local_area\nTest network,North district,Canterbury\nTest network,East district,Bexley\n"
		n := mustCount(t, e, `SELECT COUNT(*) FROM areas`)
		r := sys.postFile("/admin/areas/import", "file", "areas.csv", file, url.Values{"dry_run": {"yes"}})
		r.must(t, http.StatusUnprocessableEntity, "Dry run of the area list", "1 area would be added", "row 3: local_area: &#34;Bexley&#34; is already a local area of North district")
		if mustCount(t, e, `SELECT COUNT(*) FROM areas`) != n {
			t.Fatal("the dry run added areas")
		}
		if n := mustCount(t, e, `SELECT COUNT(*) FROM imports`); n != 0 {
			t.Fatalf("the dry run recorded %d jobs", n)
		}
		r = sys.postFile("/admin/areas/import", "file", "areas.csv", file, nil)
		r.must(t, http.StatusUnprocessableEntity, "Area list imported", "Added 1 area;", "row 3: local_area:")
		if mustCount(t, e, `SELECT COUNT(*) FROM areas`) != n+1 {
			t.Fatal("the import did not add Canterbury alone")
		}
		var job int64
		if err := e.DB.QueryRowForTest(`SELECT id FROM imports WHERE kind = 'areas' AND file_name = 'areas.csv' AND status = 'done'
			AND imported = 1 AND problems = 1`).Scan(&job); err != nil {
			t.Fatalf("the upload is not a job done with its counts: %v", err)
		}
		r.must(t, http.StatusUnprocessableEntity, fmt.Sprintf(`href="/admin/imports#import-%d"`, job))
		imports := sys.get("/admin/imports")
		imports.must(t, http.StatusOK, fmt.Sprintf(`id="import-%d"`, job), "areas from areas.csv", "Done", "2 of 2",
			"1 areas; 0 rows there already", "row 3: local_area: &#34;Bexley&#34; is already a local area of North district")
		good := "network,district,local_area\nTest network,North district,Canterbury\n"
		sys.postFile("/admin/areas/import", "file", "areas.csv", good, nil).must(t, http.StatusOK, "Nothing changed: all 1 rows are there already.", "Canterbury")
		sys.postFile("/admin/areas/import", "file", "areas.csv", "what,is,this\n", nil).must(t, http.StatusUnprocessableEntity,
			"There is a problem", `href="#file"`, "The file cannot be read: unknown column")
		sys.postFile("/admin/areas/import", "file", "", "", nil).must(t, http.StatusUnprocessableEntity, "The file cannot be read: the file is empty")
		area := e.signedIn(t, e.MustAreaAdmin(t, "Nadia North", e.Council, e.District))
		if r := area.postFile("/admin/areas/import", "file", "areas.csv", good, nil); r.status != http.StatusNotFound {
			t.Errorf("an area admin's upload: %d, want 404", r.status)
		}
		if n := sqldbtest.MustCount(t, e.DB, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, patchwork.AuditAreaImport); n != 1 {
			t.Errorf("%d import audit rows, want 1", n)
		}
		if n := mustCount(t, e, `SELECT COUNT(*) FROM imports`); n != 2 {
			t.Errorf("%d jobs, want the two uploads that could be read", n)
		}
	})
}
