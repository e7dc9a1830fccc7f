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

// The picture is drawn twice, and CSS shows the one that fits: on a phone a
// column (the client on top, each person in the circle below, joined to
// them), 320 units wide so that its 14-unit text is drawn at about 15 px on
// a 375 px screen; from tablet width up the client in the middle and the
// circle on either side. Only the one shown is in the accessibility tree.

// famLayout is one of the two drawings.
type famLayout struct {
	name          string // "narrow" or "wide", for the class and ids
	width         int    // the viewBox's width
	boxW, centreW int
	chars         int // characters that fit a box's line
}

var (
	famNarrow = famLayout{name: "narrow", width: 320, boxW: 284, centreW: 312, chars: 32}
	famWide   = famLayout{name: "wide", width: 720, boxW: 210, centreW: 210, chars: 24}
)

const (
	famGap     = 14
	famLineH   = 19
	famPad     = 9
	famFont    = 14
	famMaxList = 3 // agencies or agents listed in a box before "and N more"
)

// clip shortens s to n characters, with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// boxLines is what a person's box says, line by line; the first is the
// name.
func boxLines(p familyPerson, n int) []string {
	second := p.Relationship
	if second == "" {
		second = "This client"
	}
	if p.Age != "" {
		second += ", " + p.Age
	}
	// The name is bold, so fewer of its characters fit.
	lines := []string{clip(p.Name, n*85/100), clip(second, n)}
	list := func(items []string) {
		for i, it := range items {
			if i == famMaxList {
				lines = append(lines, fmt.Sprintf("  and %d more", len(items)-famMaxList))
				return
			}
			lines = append(lines, clip("· "+it, n))
		}
	}
	var agencies []string
	for _, g := range p.Agencies {
		agencies = append(agencies, g.Name)
	}
	lines = append(lines, "Agencies:")
	if len(agencies) == 0 {
		agencies = []string{"none"}
	}
	list(agencies)
	if p.IsMember {
		var agents []string
		for _, a := range p.Agents {
			agents = append(agents, a.Name)
		}
		lines = append(lines, "Practitioners:")
		list(agents)
	} else {
		lines = append(lines, clip(plural(p.TeamSize, "practitioner", "practitioners")+" · "+p.LinkText, n))
	}
	return lines
}

func boxHeight(lines []string) int { return 2*famPad + len(lines)*famLineH }

// famBox is one person's box in a drawing.
type famBox struct {
	x, y, w, h int
	lines      []string
	p          familyPerson
}

// familySVG draws both layouts of the people (the client first).
func familySVG(people []familyPerson) template.HTML {
	return familyDrawing(people, famNarrow) + familyDrawing(people, famWide)
}

// familyDrawing draws the people as linked boxes, with a line from the
// client to each person in the circle. Every text goes through esc; links
// are the pages the viewer may open.
func familyDrawing(people []familyPerson, l famLayout) template.HTML {
	centre := &famBox{w: l.centreW, lines: boxLines(people[0], l.chars*l.centreW/l.boxW), p: people[0]}
	centre.h = boxHeight(centre.lines)
	var others []*famBox
	for _, p := range people[1:] {
		b := &famBox{w: l.boxW, lines: boxLines(p, l.chars), p: p}
		b.h = boxHeight(b.lines)
		others = append(others, b)
	}
	var height int
	var links strings.Builder
	if l.name == "narrow" {
		centre.x, centre.y = (l.width-l.centreW)/2, famGap
		y := centre.y + centre.h + famGap
		spine := 18
		for _, b := range others {
			b.x, b.y = l.width-4-l.boxW, y
			y += b.h + famGap
			fmt.Fprintf(&links, `<line class="pw-family__link" x1="%d" y1="%d" x2="%d" y2="%d"/>`, spine, b.y+b.h/2, b.x, b.y+b.h/2)
		}
		height = y
		if len(others) > 0 {
			last := others[len(others)-1]
			fmt.Fprintf(&links, `<line class="pw-family__link" x1="%d" y1="%d" x2="%d" y2="%d"/>`, spine, centre.y+centre.h, spine, last.y+last.h/2)
		}
	} else {
		var left, right []*famBox
		for i, b := range others {
			if i%2 == 0 {
				left = append(left, b)
			} else {
				right = append(right, b)
			}
		}
		stack := func(bs []*famBox) int {
			h := 0
			for i, b := range bs {
				if i > 0 {
					h += famGap
				}
				h += b.h
			}
			return h
		}
		height = max(centre.h, stack(left), stack(right)) + 2*famGap
		place := func(bs []*famBox, x int) {
			y := (height - stack(bs)) / 2
			for _, b := range bs {
				b.x, b.y = x, y
				y += b.h + famGap
			}
		}
		place(left, 4)
		place(right, l.width-4-l.boxW)
		centre.x, centre.y = (l.width-l.centreW)/2, (height-centre.h)/2
		cy := centre.y + centre.h/2
		for _, b := range others {
			x, cx := b.x+b.w, centre.x
			if b.x > centre.x {
				x, cx = b.x, centre.x+centre.w
			}
			fmt.Fprintf(&links, `<line class="pw-family__link" x1="%d" y1="%d" x2="%d" y2="%d"/>`, cx, cy, x, b.y+b.h/2)
		}
	}

	var sb strings.Builder
	title := "family-picture-" + l.name
	fmt.Fprintf(&sb, `<svg class="pw-family__svg pw-family__svg--%s" viewBox="0 0 %d %d" font-size="%d" role="group" aria-labelledby="%s" xmlns="http://www.w3.org/2000/svg">`,
		l.name, l.width, height, famFont, title)
	sb.WriteString(`<title id="` + title + `">` + esc(people[0].Name) + ` at the centre, with ` +
		esc(plural(len(people)-1, "person", "people")) + ` in the circle. The table below says the same.</title>`)
	sb.WriteString(links.String())
	for _, b := range append([]*famBox{centre}, others...) {
		class := "pw-family__node"
		if b == centre {
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
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" rx="6"/>`, b.x, b.y, b.w, b.h)
		for i, line := range b.lines {
			cls := ""
			switch {
			case i == 0:
				cls = ` class="pw-family__name"`
			case line == "Agencies:" || line == "Practitioners:":
				cls = ` class="pw-family__label"`
			}
			fmt.Fprintf(&sb, `<text x="%d" y="%d"%s>%s</text>`, b.x+famPad, b.y+famPad+(i+1)*famLineH-5, cls, esc(line))
		}
		sb.WriteString(`</a>`)
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
