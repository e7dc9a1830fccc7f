package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"patchwork"
)

// auditFilterFields are the audit viewer's filters, in the page's order.
var auditFilterFields = []string{"actor", "action", "client", "agency", "from", "to"}

// parseAuditFilter reads the audit viewer's filters from the query string:
// ids (a client also as its reference, P-000123), an action, and days as
// YYYY-MM-DD. Each value it cannot read gets a message under its name.
func parseAuditFilter(q url.Values) (patchwork.AuditFilter, map[string]string) {
	var f patchwork.AuditFilter
	errs := map[string]string{}
	id := func(name, label string) int64 {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return 0
		}
		if name == "client" {
			v = strings.TrimLeft(strings.TrimPrefix(strings.ToUpper(v), "P-"), "0")
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs[name] = "Enter the " + label + " as a number"
			return 0
		}
		return n
	}
	day := func(name, label string) time.Time {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			errs[name] = label + " must be a date as YYYY-MM-DD, for example 2026-11-30"
		}
		return t
	}
	f.ActorID = id("actor", "agent's number")
	f.ClientID = id("client", "client's number or reference")
	f.AgencyID = id("agency", "agency's number")
	f.Action = strings.TrimSpace(q.Get("action"))
	if len(f.Action) > 100 || !patchwork.ValidText(f.Action) {
		errs["action"] = "Enter an action such as client.view"
	}
	f.From, f.To = day("from", "The first day"), day("to", "The last day")
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		errs["to"] = "The last day must be the same as or after the first day"
	}
	if b, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && b > 0 {
		f.Before = b
	}
	if len(errs) == 0 {
		errs = nil
	}
	return f, errs
}

// auditView is the audit viewer page.
type auditView struct {
	// System is false for an area admin, who reads one agent's rows:
	// no client or agency filter, no export, no access report.
	System  bool
	Entries []*patchwork.AuditEntry
	Next    string // the next (older) page, "" if none
	CSV     string // the export of the same filter
	First   string // the newest page, when not on it
}

// auditFilterQuery is q without the paging, for links that keep the filter.
func auditFilterQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range auditFilterFields {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// auditLog is the audit viewer: GET /admin/audit with the filters of
// parseAuditFilter, 50 rows a page, newest first.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, errs := parseAuditFilter(q)
	system := patchwork.CanAdminister(patchwork.CallerFromContext(r.Context()))
	p := &page{Form: q, Errors: errs, Data: &auditView{System: system}}
	if errs != nil {
		s.render(w, r, http.StatusBadRequest, "audit", p)
		return
	}
	entries, more, err := s.svc.Audit.FindAudit(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keep := auditFilterQuery(q)
	v := &auditView{System: system, Entries: entries}
	if system {
		v.CSV = "/admin/audit.csv?" + keep.Encode()
	}
	if more && len(entries) > 0 {
		next := auditFilterQuery(q)
		next.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		v.Next = "/admin/audit?" + next.Encode()
	}
	if f.Before != 0 {
		v.First = "/admin/audit?" + keep.Encode()
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "audit", p)
}

// auditCSV exports the rows the filters select as CSV, newest first.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request) {
	f, errs := parseAuditFilter(r.URL.Query())
	if errs != nil {
		s.render(w, r, http.StatusBadRequest, "audit", &page{Form: r.URL.Query(), Errors: errs, Data: &auditView{}})
		return
	}
	f.Before = 0
	header := []string{"id", "time_utc", "actor_id", "actor", "actor_agency", "action", "client", "detail", "ip"}
	s.streamCSV(w, r, "patchwork-audit.csv", header, func(write func(...string) error) error {
		return s.svc.Audit.ExportAudit(r.Context(), f, func(e *patchwork.AuditEntry) error {
			client, actor := "", ""
			if e.ClientID != 0 {
				client = patchwork.ClientRef(e.ClientID)
			}
			if e.ActorID != 0 {
				actor = strconv.FormatInt(e.ActorID, 10)
			}
			return write(strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339), actor, e.ActorName,
				e.Agency, e.Action, client, e.Detail, e.IP)
		})
	})
}

// accessReport is the subject-access report of one client: a printable
// page, or JSON with ?format=json.
func (s *Server) accessReport(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, patchwork.ErrNotFound)
		return
	}
	rep, err := s.svc.Audit.AccessReport(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "json" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="access-report-`+patchwork.ClientRef(id)+`.json"`)
		w.Write(append(b, '\n'))
		return
	}
	s.render(w, r, http.StatusOK, "access_report", &page{Data: rep})
}
