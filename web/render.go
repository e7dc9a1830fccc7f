package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"
	"time"

	"patchwork"
	"patchwork/ui"
)

// views holds the parsed templates (parsed once, at start) and the static
// file URLs.
type views struct {
	pages map[string]*template.Template
	// fields lists each page's form fields in the order the page shows
	// them, read from its templates once at start, so that every form's
	// error summary follows its fields without a list to keep in step.
	fields map[string][]string
	static map[string]string
	demo   bool
}

// page is what every template receives.
type page struct {
	Caller *patchwork.Agent
	Demo   bool
	Flash  string
	// Notice is shown in an important notification banner above the page.
	Notice string
	Query  string
	// Path is the request's path, for the navigation to mark its section.
	Path   string
	Errors map[string]string
	// ErrorList is Errors in the order of the page's fields (render fills
	// it), for the error summary: a map ranged over would list them
	// alphabetically by field name.
	ErrorList []fieldError
	Form      url.Values
	Data      any
	// Banners are the first-run next steps shown above the content (see
	// guided).
	Banners []banner
}

func newViews(demo bool, now func() time.Time) (*views, error) {
	static, err := ui.StaticURLs()
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}, fields: map[string][]string{}, static: static, demo: demo}
	base, err := template.New("base").Funcs(templateFuncs(v, now)).ParseFS(ui.Templates(), "layout.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	names, err := fs.Glob(ui.Templates(), "pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		t, err := template.Must(base.Clone()).ParseFS(ui.Templates(), n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		name := strings.TrimSuffix(path.Base(n), ".html")
		v.pages[name] = t
		v.fields[name] = formFields(t)
	}
	return v, nil
}

// staticHandler serves /static/<hash>/<name> with a long cache lifetime; the
// hash changes whenever the file does.
func (v *views) staticHandler() http.Handler {
	files := http.FileServerFS(ui.Static())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, "/static/")
		_, name, ok := strings.Cut(rest, "/")
		if !ok || v.static[name] != r.URL.Path {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		files.ServeHTTP(w, r2)
	})
}

// render writes a page: it renders into a buffer first so that a template
// error becomes a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.views.pages[name]
	if !ok {
		s.serverError(w, r, fmt.Errorf("web: no template %q", name))
		return
	}
	p.Caller = patchwork.CallerFromContext(r.Context())
	p.Demo = s.cfg.Demo
	p.Path = r.URL.Path
	if p.Notice == "" {
		p.Notice, _ = r.Context().Value(noticeKey{}).(string)
	}
	if p.Form == nil {
		p.Form = url.Values{}
	}
	p.ErrorList = orderErrors(p.Errors, s.views.fields[name])
	if p.Flash == "" && p.Caller != nil {
		p.Flash = s.sessions.PopString(r.Context(), "flash")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// fieldError is one line of the error summary: the field's id, which its
// link goes to, and the message.
type fieldError struct{ Field, Message string }

// orderErrors lists errs in the order of fields; a message for a field the
// page does not name (a field whose name is computed) comes after, by name.
func orderErrors(errs map[string]string, fields []string) []fieldError {
	if len(errs) == 0 {
		return nil
	}
	list := make([]fieldError, 0, len(errs))
	for _, f := range fields {
		if m, ok := errs[f]; ok {
			list = append(list, fieldError{f, m})
		}
	}
	var rest []string
	for f := range errs {
		if !slices.Contains(fields, f) {
			rest = append(rest, f)
		}
	}
	slices.Sort(rest)
	for _, f := range rest {
		list = append(list, fieldError{f, errs[f]})
	}
	return list
}

// formFields reads the names of a page's form fields in the order the page
// renders them: each (fld … "Name" "x" …) call, following the partials the
// page calls ({{template "client-fields"}}), from the "content" block down.
func formFields(t *template.Template) []string {
	var names []string
	seen, called := map[string]bool{}, map[string]bool{}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			if len(n.Args) > 0 {
				if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "fld" {
					for i := 1; i+1 < len(n.Args); i++ {
						k, ok1 := n.Args[i].(*parse.StringNode)
						v, ok2 := n.Args[i+1].(*parse.StringNode)
						if ok1 && ok2 && k.Text == "Name" && !seen[v.Text] {
							seen[v.Text] = true
							names = append(names, v.Text)
						}
					}
				}
			}
			for _, c := range n.Args {
				walk(c)
			}
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
			if sub := t.Lookup(n.Name); sub != nil && sub.Tree != nil && !called[n.Name] {
				called[n.Name] = true
				walk(sub.Tree.Root)
			}
		}
	}
	if content := t.Lookup("content"); content != nil && content.Tree != nil {
		walk(content.Tree.Root)
	}
	return names
}

// renderError shows an error page. A 404 says the same whether the thing
// does not exist or the caller may not see it.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.render(w, r, status, "error", &page{Data: map[string]string{"Title": title, "Message": msg}})
}

// serverError logs err and shows a page without details. When the
// database does not answer either, the page says so with a 503 and
// Retry-After, so a practitioner knows to wait a minute rather than report
// a fault, and a load balancer or script knows to retry.
//
// A write refused because the disk is full is a 503 too, with its own page:
// nothing of the request was saved (the transaction rolled back), and it
// will work again once the operators free space, without a restart.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	data := map[string]string{"Title": "Sorry, there is a problem", "Message": "Please try again later."}
	if s.cfg.StorageFull != nil && s.cfg.StorageFull(err) {
		s.log.Error("storage full: a write was refused for lack of space", "path", r.URL.Path, "err", err)
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "300")
		data = map[string]string{"Title": "Patchwork cannot save anything just now",
			"Message": "Patchwork's server has run out of storage space, so what you sent was not saved. " +
				"Please try again later. If this goes on, tell your IT team."}
		s.writeErrorPage(w, status, data)
		return
	}
	s.log.Error("internal error", "path", r.URL.Path, "err", err)
	if s.databaseDown(r.Context()) {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "30")
		data = map[string]string{"Title": "Patchwork is unavailable for a moment",
			"Message": "Patchwork cannot reach its database just now. If you were saving something, it may not have been saved: " +
				"please check before you send it again. Try again in a minute."}
	}
	s.writeErrorPage(w, status, data)
}

// writeErrorPage writes the error page with data's title and message,
// never cached, falling back to plain text if the template fails.
func (s *Server) writeErrorPage(w http.ResponseWriter, status int, data map[string]string) {
	t := s.views.pages["error"]
	var buf bytes.Buffer
	if t == nil || t.ExecuteTemplate(&buf, "layout", &page{Demo: s.cfg.Demo, Form: url.Values{}, Data: data}) != nil {
		http.Error(w, data["Title"]+". "+data["Message"], status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// databaseDown asks the database, briefly, whether it answers.
func (s *Server) databaseDown(ctx context.Context) bool {
	if s.cfg.DatabaseUp == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	return s.cfg.DatabaseUp(ctx) != nil
}

// codeStatus maps each error code to the one HTTP status it is answered
// with. EUNAUTHORIZED is a 401, which a page answers by sending the visitor
// to sign in.
var codeStatus = map[string]int{
	patchwork.ECONFLICT:       http.StatusConflict,
	patchwork.EINVALID:        http.StatusUnprocessableEntity,
	patchwork.EUNAUTHORIZED:   http.StatusUnauthorized,
	patchwork.EFORBIDDEN:      http.StatusForbidden,
	patchwork.ENOTFOUND:       http.StatusNotFound,
	patchwork.ETOOMANYREQUEST: http.StatusTooManyRequests,
	patchwork.EINTERNAL:       http.StatusInternalServerError,
}

// errorStatus returns the HTTP status of err (500 for an unknown code).
func errorStatus(err error) int {
	if status, ok := codeStatus[patchwork.ErrorCode(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// errorTitles head the error page of each status that shows the error's
// own message.
var errorTitles = map[int]string{
	http.StatusConflict:            "This could not be done",
	http.StatusUnprocessableEntity: "This could not be done",
	http.StatusForbidden:           "Request refused",
	http.StatusTooManyRequests:     "Too many requests",
}

// fail answers a service error with its status (codeStatus): ENOTFOUND is
// the one 404 page that reveals nothing, EUNAUTHORIZED sends the visitor to
// sign in, anything unexpected is a 500 without details. Forms that show
// field errors render themselves and call fail only for the rest.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch status := errorStatus(err); status {
	case http.StatusNotFound:
		s.notFound(w, r)
	case http.StatusUnauthorized:
		s.signIn(w, r)
	case http.StatusInternalServerError:
		s.serverError(w, r, err)
	default:
		s.renderError(w, r, status, errorTitles[status], patchwork.ErrorMessage(err))
	}
}

// profile loads the client named by the {id} path value for a team member,
// or answers with the same 404 as for a client that does not exist (and
// returns ok false).
func (s *Server) profile(w http.ResponseWriter, r *http.Request) (*patchwork.ClientProfile, bool) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return nil, false
	}
	p, err := s.svc.Clients.FindClientProfile(r.Context(), id)
	if err != nil {
		s.failClient(w, r, id, err)
		return nil, false
	}
	return p, true
}

// failClient answers a failed read of client id: a merged client's
// address leads the kept client's members there (GET only); anyone else
// meets the missing client, and other errors their usual page.
func (s *Server) failClient(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if patchwork.ErrorCode(err) == patchwork.ENOTFOUND && r.Method == http.MethodGet {
		if to, merr := s.svc.Clients.FindMergedClient(r.Context(), id); merr == nil {
			target := "/clients/" + strconv.FormatInt(to, 10)
			if rest := strings.TrimPrefix(r.URL.Path, "/clients/"+strconv.FormatInt(id, 10)); rest != r.URL.Path {
				target += rest
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
	}
	s.fail(w, r, err)
}

// pathID parses the {id} path value; a malformed id is simply not found.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// backLink is where a page's back link goes: the page of this site the
// agent came from (the form posts it back as "back", so a form shown again
// after an error still leads there), else the search page. Only a path on
// this site is used (safeNext).
func backLink(r *http.Request) string {
	if b := r.PostFormValue("back"); b != "" {
		return safeNext(b)
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != r.URL.Path {
		return safeNext(ref.RequestURI())
	}
	return "/search"
}
