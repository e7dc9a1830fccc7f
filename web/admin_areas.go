package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"patchwork"
)

// The admin areas pages: the network → district → local area hierarchy,
// and moving agencies, agents and clients between areas. What an admin
// reaches is decided by AreaAdminService; these handlers only show it.

// areaNode is an area with the areas under it, for the hierarchy's list.
type areaNode struct {
	Area     *patchwork.Area
	Children []*areaNode
}

// areaTree arranges areas (networks, then districts, then local areas) as
// nested lists; an area whose parent is not in areas (an area admin's
// district) is at the top.
func areaTree(areas []*patchwork.Area) []*areaNode {
	nodes := map[int64]*areaNode{}
	var top []*areaNode
	for _, a := range areas {
		n := &areaNode{Area: a}
		nodes[a.ID] = n
		if p, ok := nodes[a.ParentID]; ok {
			p.Children = append(p.Children, n)
		} else {
			top = append(top, n)
		}
	}
	return top
}

// adminAreasData is what the areas page shows.
type adminAreasData struct {
	Tree   []*areaNode
	Import *patchwork.AreaImportResult // after an upload
}

// maxAreaUpload bounds an uploaded area list.
const maxAreaUpload = 4 << 20

func (s *Server) adminAreas(w http.ResponseWriter, r *http.Request) {
	s.renderAdminAreas(w, r, http.StatusOK, nil, nil, nil)
}

func (s *Server) renderAdminAreas(w http.ResponseWriter, r *http.Request, status int, form url.Values, errs map[string]string, imp *patchwork.AreaImportResult) {
	areas, err := s.svc.AreaAdmin.FindAdminAreas(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "admin_areas", &page{Form: form, Errors: errs, Data: adminAreasData{Tree: areaTree(areas), Import: imp}})
}

// createNetwork adds a network (POST /admin/areas): system admins only.
func (s *Server) createNetwork(w http.ResponseWriter, r *http.Request) {
	a := &patchwork.Area{Kind: patchwork.AreaNetwork, Name: r.PostFormValue("name")}
	if err := s.svc.Areas.CreateArea(r.Context(), a); err != nil {
		if fields := patchwork.ErrorFields(err); fields != nil {
			s.renderAdminAreas(w, r, http.StatusUnprocessableEntity, r.PostForm, fields, nil)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "The network "+a.Name+" was added.")
	http.Redirect(w, r, "/admin/areas/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
}

// importAreas checks an uploaded area list and, unless it is a dry run,
// adds what it lacks (POST /admin/areas/import), with the importer the
// command line uses: a real run is an import job, shown on /admin/imports
// too. The service refuses anyone but a system admin before it reads the
// file.
func (s *Server) importAreas(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxAreaUpload+64<<10)
	var file io.ReadSeeker = bytes.NewReader(nil)
	name, dry := "", false
	if err := r.ParseMultipartForm(maxAreaUpload); err == nil {
		dry = r.PostForm.Get("dry_run") == "yes"
		if f, h, err := r.FormFile("file"); err == nil {
			defer f.Close()
			file, name = f, h.Filename
		}
	} else if errors.Is(err, http.ErrNotMultipart) {
		dry = r.PostFormValue("dry_run") == "yes"
	}
	res, err := s.svc.ImportAreas(r.Context(), file, name, dry)
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.renderAdminAreas(w, r, http.StatusUnprocessableEntity, r.PostForm, fields, nil)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if len(res.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.renderAdminAreas(w, r, status, r.PostForm, nil, res)
}

// adminAreaData is what an area's page shows.
type adminAreaData struct {
	*patchwork.AdminArea
	Parents   []*patchwork.Area // where it may move to
	ChildKind string            // what may be added under it; "" for a local area
}

// childKinds is what each kind of area holds.
var childKinds = map[string]string{patchwork.AreaNetwork: patchwork.AreaDistrict, patchwork.AreaDistrict: patchwork.AreaLocal}

func (s *Server) adminArea(w http.ResponseWriter, r *http.Request) {
	s.renderAdminArea(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderAdminArea(w http.ResponseWriter, r *http.Request, status int, form url.Values, errs map[string]string) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	a, err := s.svc.AreaAdmin.FindAdminArea(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := s.svc.AreaAdmin.FindAdminAreas(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := adminAreaData{AdminArea: a, ChildKind: childKinds[a.Area.Kind]}
	for _, p := range all {
		if childKinds[p.Kind] == a.Area.Kind {
			d.Parents = append(d.Parents, p)
		}
	}
	if form == nil {
		form = url.Values{"name": {a.Area.Name}, "parent_id": {strconv.FormatInt(a.Area.ParentID, 10)}}
	}
	s.render(w, r, status, "admin_area", &page{Form: form, Errors: errs, Data: d})
}

// updateArea renames or moves the area in the path (POST /admin/areas/{id}).
func (s *Server) updateArea(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	parent, _ := strconv.ParseInt(r.PostFormValue("parent_id"), 10, 64)
	err := s.svc.AreaAdmin.UpdateArea(r.Context(), id, patchwork.AreaUpdate{Name: r.PostFormValue("name"), ParentID: parent})
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.renderAdminArea(w, r, http.StatusUnprocessableEntity, r.PostForm, fields)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "The area was saved.")
	http.Redirect(w, r, "/admin/areas/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// createChildArea adds an area under the one in the path (POST
// /admin/areas/{id}/children): a district to a network, a local area to a
// district.
func (s *Server) createChildArea(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	parent, err := s.svc.AreaAdmin.FindAdminArea(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kind := childKinds[parent.Area.Kind]
	if kind == "" {
		s.notFound(w, r)
		return
	}
	a := &patchwork.Area{Kind: kind, Name: r.PostFormValue("child_name"), ParentID: id}
	if err := s.svc.Areas.CreateArea(r.Context(), a); err != nil {
		if fields := patchwork.ErrorFields(err); fields != nil {
			// The form of this page that failed is the one to add an area.
			errs := map[string]string{"child_name": fields["name"]}
			if errs["child_name"] == "" {
				errs["child_name"] = patchwork.ErrorMessage(err)
			}
			form := url.Values{"name": {parent.Area.Name}, "parent_id": {strconv.FormatInt(parent.Area.ParentID, 10)},
				"child_name": {r.PostFormValue("child_name")}}
			s.renderAdminArea(w, r, http.StatusUnprocessableEntity, form, errs)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", a.Name+" was added to "+parent.Area.Name+".")
	http.Redirect(w, r, "/admin/areas/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// setAreasData is what the page that sets an agent's areas shows.
type setAreasData struct {
	Title  string // the agent's name
	Action string // where the form posts
	Back   string
	// Choices are the local areas in the caller's reach; Others the
	// record's areas outside it, which the form leaves as they are.
	Choices []*patchwork.Area
	Others  []*patchwork.Area
}

// setAreasPage renders the form for the areas of an agent.
func (s *Server) setAreasPage(w http.ResponseWriter, r *http.Request, status int, d setAreasData, has []*patchwork.Area,
	form url.Values, errs map[string]string) {
	all, err := s.svc.AreaAdmin.FindAdminAreas(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reach := map[int64]bool{}
	for _, a := range all {
		if a.Kind == patchwork.AreaLocal {
			d.Choices = append(d.Choices, a)
			reach[a.ID] = true
		}
	}
	if form == nil {
		form = url.Values{}
		for _, a := range has {
			form.Add("areas", strconv.FormatInt(a.ID, 10))
		}
	}
	for _, a := range has {
		if !reach[a.ID] {
			d.Others = append(d.Others, a)
		}
	}
	s.render(w, r, status, "admin_set_areas", &page{Form: form, Errors: errs, Data: d})
}

// formIDs reads the ids a form sent under key; any that is not a number
// is 0, which no area has.
func formIDs(form url.Values, key string) []int64 {
	var ids []int64
	for _, v := range form[key] {
		id, _ := strconv.ParseInt(v, 10, 64)
		ids = append(ids, id)
	}
	return ids
}

func (s *Server) agentAreasForm(w http.ResponseWriter, r *http.Request) {
	s.renderAgentAreas(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderAgentAreas(w http.ResponseWriter, r *http.Request, status int, form url.Values, errs map[string]string) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	a, err := s.svc.Admin.FindAdminAgent(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/admin/agents/" + strconv.FormatInt(id, 10)
	s.setAreasPage(w, r, status, setAreasData{Title: a.Agent.Name, Action: back + "/areas", Back: back}, a.Agent.Areas, form, errs)
}

// setAgentAreas moves an agent to other areas (POST /admin/agents/{id}/areas).
func (s *Server) setAgentAreas(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	_ = r.ParseForm()
	err := s.svc.AreaAdmin.SetAgentAreas(r.Context(), id, formIDs(r.PostForm, "areas"))
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.renderAgentAreas(w, r, http.StatusUnprocessableEntity, r.PostForm, fields)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "The agent's areas were saved.")
	http.Redirect(w, r, "/admin/agents/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// clientAreaData is what the page that moves a client shows: the form
// asking which client, then the client and the local areas to choose.
type clientAreaData struct {
	Client *patchwork.AdminClient
	Areas  []*patchwork.Area
}

// clientAreaForm asks which client to move (GET /admin/clients/area) and,
// once given (?client=P-000123), shows them with the areas to move to. The
// form sent empty, or with what is no client reference, says so next to
// the field.
func (s *Server) clientAreaForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("client") {
		s.render(w, r, http.StatusOK, "admin_client_area", &page{Data: clientAreaData{}})
		return
	}
	if clientNumber(q.Get("client")) == 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "admin_client_area", &page{Form: q, Data: clientAreaData{},
			Errors: map[string]string{"client": "Enter the client's reference, like P-000123"}})
		return
	}
	s.renderClientArea(w, r, http.StatusOK, q, nil)
}

func (s *Server) renderClientArea(w http.ResponseWriter, r *http.Request, status int, form url.Values, errs map[string]string) {
	id := clientNumber(form.Get("client"))
	c, err := s.svc.AreaAdmin.FindClientToMove(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := s.svc.AreaAdmin.FindAdminAreas(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := clientAreaData{Client: c}
	for _, a := range all {
		if a.Kind == patchwork.AreaLocal {
			d.Areas = append(d.Areas, a)
		}
	}
	if form.Get("area_id") == "" && len(c.Areas) > 0 {
		form = url.Values{"client": {form.Get("client")}, "area_id": {strconv.FormatInt(c.Areas[0].ID, 10)}}
	}
	s.render(w, r, status, "admin_client_area", &page{Form: form, Errors: errs, Data: d})
}

// moveClient moves a client to another local area (POST /admin/clients/area).
func (s *Server) moveClient(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id := clientNumber(r.PostForm.Get("client"))
	area, _ := strconv.ParseInt(r.PostForm.Get("area_id"), 10, 64)
	err := s.svc.AreaAdmin.MoveClient(r.Context(), id, area)
	if fields := patchwork.ErrorFields(err); fields != nil {
		s.renderClientArea(w, r, http.StatusUnprocessableEntity, r.PostForm, fields)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", "Client "+patchwork.ClientRef(id)+" was moved. Search finds them in their new area at once.")
	http.Redirect(w, r, "/admin/clients/area", http.StatusSeeOther)
}
