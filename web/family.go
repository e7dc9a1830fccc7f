package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"patchwork"
)

// familyPerson is one person in the team around the family: the client or
// someone in their circle, with what the viewer may see of their team.
type familyPerson struct {
	Name         string
	Relationship string // "" for the client at the centre
	Age          string
	URL          string // where the person's node links: their page, or the join page
	LinkText     string // "View team", "Join team"
	Agencies     []*patchwork.Agency
	Agents       []*patchwork.Agent // only for teams the viewer is on
	IsMember     bool
	TeamSize     int
}

// familyView is the family page: the picture and its table.
type familyView struct {
	Client  *patchwork.Client
	People  []familyPerson // the client first
	Picture template.HTML
}

// family shows the team around the family: the client at the centre, their
// circle around, and the agencies (and, for teams the viewer is on, the
// agents) working with each person. Only members of the client's team get
// it (s.profile answers anyone else as a missing client).
func (s *Server) family(w http.ResponseWriter, r *http.Request) {
	p, ok := s.profile(w, r)
	if !ok {
		return
	}
	c, err := s.svc.Circles.FindCircle(r.Context(), p.Client.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	age := func(dob string) string {
		if a := patchwork.AgeAt(dob, now); a >= 0 {
			return "age " + strconv.Itoa(a)
		}
		return ""
	}
	centre := familyPerson{Name: p.Client.Name(), Age: age(p.Client.DateOfBirth), URL: "/clients/" + strconv.FormatInt(p.Client.ID, 10),
		LinkText: "View team", Agencies: p.Agencies, IsMember: true, TeamSize: len(p.Team)}
	for _, m := range p.Team {
		centre.Agents = append(centre.Agents, m.Agent)
	}
	v := familyView{Client: p.Client, People: []familyPerson{centre}}
	for _, rc := range c.Related {
		fp := familyPerson{Name: rc.Name, Relationship: rc.Label(), Age: age(rc.DateOfBirth), Agencies: rc.Agencies,
			Agents: rc.Agents, IsMember: rc.IsMember, TeamSize: rc.TeamSize}
		if rc.IsMember {
			fp.URL, fp.LinkText = "/clients/"+strconv.FormatInt(rc.ID, 10), "View team"
		} else {
			fp.URL, fp.LinkText = "/clients/"+strconv.FormatInt(rc.ID, 10)+"/join?t="+url.QueryEscape(rc.JoinTicket), "Join team"
		}
		v.People = append(v.People, fp)
	}
	v.Picture = familySVG(v.People)
	s.render(w, r, http.StatusOK, "family", &page{Data: v})
}

// The picture's geometry, in SVG user units. The picture is 360 wide, so
// that on a 375 px phone it is drawn at about its own size and its 12-unit
// text stays readable: the client in the middle column, the circle in the
// columns either side, stacked from the middle out.
const (
	famWidth   = 360
	famBoxW    = 112
	famGap     = 12
	famLineH   = 15
	famPad     = 8
	famMaxText = 17 // characters that fit a box's line
	famMaxAgcy = 3  // agencies listed in a box before "and N more"
)

// clip shortens s to famMaxText characters, with an ellipsis.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= famMaxText {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:famMaxText-1])) + "…"
}

// boxLines is what a person's box says, line by line; the first is the
// name.
func boxLines(p familyPerson) []string {
	lines := []string{clip(p.Name)}
	second := p.Relationship
	if second == "" {
		second = "This client"
	}
	if p.Age != "" {
		second += ", " + p.Age
	}
	lines = append(lines, clip(second))
	for i, g := range p.Agencies {
		if i == famMaxAgcy {
			lines = append(lines, fmt.Sprintf("and %d more", len(p.Agencies)-famMaxAgcy))
			break
		}
		lines = append(lines, clip(g.Name))
	}
	if p.IsMember {
		lines = append(lines, clip(fmt.Sprintf("%d on the team", len(p.Agents))))
	} else {
		lines = append(lines, clip(p.LinkText))
	}
	return lines
}

func boxHeight(lines []string) int { return 2*famPad + len(lines)*famLineH }

// familySVG draws the people (the client first) as linked boxes, with a
// line from the client to each person in the circle. Every text goes
// through esc; links are the pages the viewer may open.
func familySVG(people []familyPerson) template.HTML {
	type box struct {
		x, y, h int
		lines   []string
		p       familyPerson
	}
	var left, right []*box
	for i, p := range people[1:] {
		b := &box{lines: boxLines(p), p: p}
		b.h = boxHeight(b.lines)
		if i%2 == 0 {
			left = append(left, b)
		} else {
			right = append(right, b)
		}
	}
	centre := &box{lines: boxLines(people[0]), p: people[0]}
	centre.h = boxHeight(centre.lines)
	stack := func(bs []*box) int {
		h := 0
		for i, b := range bs {
			if i > 0 {
				h += famGap
			}
			h += b.h
		}
		return h
	}
	height := max(centre.h, stack(left), stack(right)) + 2*famGap
	place := func(bs []*box, x int) {
		y := (height - stack(bs)) / 2
		for _, b := range bs {
			b.x, b.y = x, y
			y += b.h + famGap
		}
	}
	place(left, 4)
	place(right, famWidth-4-famBoxW)
	centre.x, centre.y = (famWidth-famBoxW)/2, (height-centre.h)/2

	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="pw-family__svg" viewBox="0 0 %d %d" role="group" aria-labelledby="family-picture-title" xmlns="http://www.w3.org/2000/svg">`,
		famWidth, height)
	sb.WriteString(`<title id="family-picture-title">` + esc(people[0].Name) + ` at the centre, with ` +
		esc(plural(len(people)-1, "person", "people")) + ` in the circle. The table below says the same.</title>`)
	cy := centre.y + centre.h/2
	for _, b := range append(append([]*box{}, left...), right...) {
		x := b.x + famBoxW // a left box's inner edge
		cx := centre.x
		if b.x > centre.x {
			x, cx = b.x, centre.x+famBoxW
		}
		fmt.Fprintf(&sb, `<line class="pw-family__link" x1="%d" y1="%d" x2="%d" y2="%d"/>`, cx, cy, x, b.y+b.h/2)
	}
	draw := func(b *box, main bool) {
		class := "pw-family__node"
		if main {
			class += " pw-family__node--centre"
		} else if !b.p.IsMember {
			class += " pw-family__node--other"
		}
		label := b.p.Name
		if b.p.Relationship != "" {
			label += ", " + b.p.Relationship
		}
		label += ": " + b.p.LinkText
		fmt.Fprintf(&sb, `<a href="%s" aria-label="%s" class="%s">`, esc(b.p.URL), esc(label), class)
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" rx="6"/>`, b.x, b.y, famBoxW, b.h)
		for i, l := range b.lines {
			cls := ""
			if i == 0 {
				cls = ` class="pw-family__name"`
			}
			fmt.Fprintf(&sb, `<text x="%d" y="%d"%s>%s</text>`, b.x+famPad, b.y+famPad+(i+1)*famLineH-4, cls, esc(l))
		}
		sb.WriteString(`</a>`)
	}
	draw(centre, true)
	for _, b := range left {
		draw(b, false)
	}
	for _, b := range right {
		draw(b, false)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
