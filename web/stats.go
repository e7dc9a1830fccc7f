package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"patchwork"
)

// statsQuery reads the statistics filters: area={id}, from and to as
// YYYY-MM, and which measure the chart shows.
func statsQuery(r *http.Request) (patchwork.StatsQuery, string, map[string]string) {
	q := r.URL.Query()
	sq := patchwork.StatsQuery{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	var errs map[string]string
	if v := strings.TrimSpace(q.Get("area")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs = map[string]string{"area": "Choose an area from the list"}
		}
		sq.AreaID = id
	}
	measure := q.Get("measure")
	if patchwork.OptionLabel(patchwork.StatMeasures, measure) == measure {
		measure = patchwork.StatClients
	}
	return sq, measure, errs
}

// statShown is how a cell reads: a count, "<5", or for the median a time
// ("–" when there was nothing to measure).
func statShown(c patchwork.StatCell) string {
	if c.Suppressed {
		return "<5"
	}
	if c.Measure == patchwork.StatMedianFirstAck {
		if c.N == 0 {
			return "–"
		}
		return minutesText(c.Value)
	}
	return strconv.FormatInt(c.Value, 10)
}

// minutesText writes a duration in minutes as people read it.
func minutesText(m int64) string {
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m < 48*60:
		return fmt.Sprintf("%.1f h", float64(m)/60)
	}
	return fmt.Sprintf("%.1f days", float64(m)/(24*60))
}

// statsView is the statistics page.
type statsView struct {
	R        *patchwork.StatsReport
	Measure  string
	Label    string
	Chart    template.HTML
	Rows     []statsRow // the area, month by month
	Areas    []statsRow // each sub-area, in the last month
	Last     string
	Measures []patchwork.Option
	AreaList []*patchwork.Area
	CSV      string
}

type statsRow struct {
	Label string
	Link  string
	Cells []string
}

// stats is the network statistics page.
func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	sq, measure, errs := statsQuery(r)
	v := &statsView{Measure: measure, Label: patchwork.OptionLabel(patchwork.StatMeasures, measure), Measures: patchwork.StatMeasures}
	if areas, err := s.svc.Areas.FindAreas(r.Context()); err == nil {
		v.AreaList = areas
	}
	p := &page{Form: r.URL.Query(), Data: v}
	if errs == nil {
		rep, err := s.svc.Stats.FindStats(r.Context(), sq)
		if fields := patchwork.ErrorFields(err); fields != nil {
			errs = fields
		} else if err != nil {
			s.fail(w, r, err)
			return
		} else {
			v.R = rep
		}
	}
	if errs != nil {
		p.Errors = errs
		s.render(w, r, http.StatusBadRequest, "stats", p)
		return
	}
	rep := v.R
	if rep.Area != nil {
		q := r.URL.Query()
		q.Del("measure")
		v.CSV = "/admin/stats.csv?" + q.Encode()
		for _, m := range rep.Months {
			row := statsRow{Label: m}
			for _, ms := range patchwork.StatMeasures {
				row.Cells = append(row.Cells, statShown(rep.Cell(rep.Area.ID, m, ms.Value)))
			}
			v.Rows = append(v.Rows, row)
		}
		if len(rep.Months) > 0 {
			v.Last = rep.Months[len(rep.Months)-1]
			for _, c := range rep.Children {
				row := statsRow{Label: c.Name, Link: fmt.Sprintf("/admin/stats?area=%d&from=%s&to=%s", c.ID, rep.Months[0], v.Last)}
				for _, ms := range patchwork.StatMeasures {
					row.Cells = append(row.Cells, statShown(rep.Cell(c.ID, v.Last, ms.Value)))
				}
				v.Areas = append(v.Areas, row)
			}
		}
		v.Chart = statsChart(rep, measure, v.Label)
	}
	s.render(w, r, http.StatusOK, "stats", p)
}

// statsChart draws one measure of the area month by month as an SVG bar
// chart on the server, with a title and description for screen readers
// (the table below holds the same figures). A withheld month has no bar
// and reads "<5".
func statsChart(rep *patchwork.StatsReport, measure, label string) template.HTML {
	const w, h, top, bottom, left = 720, 240, 20, 40, 44
	n := len(rep.Months)
	if n == 0 {
		return ""
	}
	var max int64 = 1
	for _, m := range rep.Months {
		if c := rep.Cell(rep.Area.ID, m, measure); !c.Suppressed && c.Value > max {
			max = c.Value
		}
	}
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="pw-chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="chart-title chart-desc" focusable="false">`, w, h)
	fmt.Fprintf(&b, `<title id="chart-title">%s in %s, %s to %s</title>`, esc(label), esc(rep.Area.Name), rep.Months[0], rep.Months[n-1])
	var desc []string
	for _, m := range rep.Months {
		desc = append(desc, m+": "+statShown(rep.Cell(rep.Area.ID, m, measure)))
	}
	fmt.Fprintf(&b, `<desc id="chart-desc">%s. The table below holds every figure.</desc>`, esc(strings.Join(desc, "; ")))
	plot := float64(h - top - bottom)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#0b0c0c"/>`, left, h-bottom, w, h-bottom)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#0b0c0c">%s</text>`, left-6, top+4, esc(statShown(patchwork.StatCell{Measure: measure, Value: max, N: 1})))
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end" fill="#0b0c0c">0</text>`, left-6, h-bottom)
	slot := float64(w-left) / float64(n)
	for i, m := range rep.Months {
		c := rep.Cell(rep.Area.ID, m, measure)
		x := float64(left) + float64(i)*slot + slot*0.15
		bw := slot * 0.7
		if c.Suppressed {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" text-anchor="middle" fill="#505a5f">&lt;5</text>`, x+bw/2, h-bottom-6)
		} else if c.Value > 0 {
			bh := plot * float64(c.Value) / float64(max)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#1d70b8"/>`, x, float64(h-bottom)-bh, bw, bh)
		}
		if n <= 12 || i%((n+11)/12) == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12" text-anchor="middle" fill="#0b0c0c">%s</text>`, x+bw/2, h-bottom+16, m)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// statsCSV exports the same published cells as the page: the area and its
// sub-areas, one row per area, month and measure, withheld figures as
// "<5", and no totals over months or areas.
func (s *Server) statsCSV(w http.ResponseWriter, r *http.Request) {
	sq, _, errs := statsQuery(r)
	if errs != nil {
		s.fail(w, r, patchwork.Invalid(errs))
		return
	}
	rep, err := s.svc.Stats.FindStats(r.Context(), sq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cw := startCSV(w, "patchwork-statistics.csv")
	writeCSVRow(cw, []string{"area_id", "area", "area_kind", "month", "measure", "value"})
	if rep.Area != nil {
		for _, a := range append([]*patchwork.Area{rep.Area}, rep.Children...) {
			for _, m := range rep.Months {
				for _, ms := range patchwork.StatMeasures {
					c := rep.Cell(a.ID, m, ms.Value)
					v := statShown(c)
					if ms.Value == patchwork.StatMedianFirstAck && !c.Suppressed {
						v = ""
						if c.N > 0 {
							v = strconv.FormatInt(c.Value, 10)
						}
					}
					writeCSVRow(cw, []string{strconv.FormatInt(a.ID, 10), a.Name, a.Kind, m, ms.Value, v})
				}
			}
		}
	}
	cw.Flush()
}
