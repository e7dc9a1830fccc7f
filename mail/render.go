package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"patchwork"
)

//go:embed templates
var templatesFS embed.FS

// Paths of the pages emails link to, behind sign-in.
const (
	PrefsPath       = "/settings/notifications"
	UnsubscribePath = "/unsubscribe"
)

// ClientPath is the page a notification about clientID links to: the
// client's page, or for an invitation the page to join its team.
func ClientPath(kind string, clientID int64) string {
	if kind == patchwork.ActivityTeamInvited {
		return fmt.Sprintf("/clients/%d/join", clientID)
	}
	if kind == patchwork.ActivityClientRemoved {
		return "/" // the client's page is gone for good
	}
	return fmt.Sprintf("/clients/%d", clientID)
}

// Renderer turns notices into messages with a plain-text and an HTML part.
// Templates are parsed once.
type Renderer struct {
	baseURL string
	loc     *time.Location
	html    *htmltemplate.Template
	text    *texttemplate.Template
}

// NewRenderer returns a Renderer whose links start with baseURL (such as
// https://patchwork.example.org) and whose times are shown in loc.
func NewRenderer(baseURL string, loc *time.Location) (*Renderer, error) {
	if loc == nil {
		loc = time.UTC
	}
	h, err := htmltemplate.ParseFS(templatesFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("mail: parse templates: %w", err)
	}
	t, err := texttemplate.ParseFS(templatesFS, "templates/*.txt")
	if err != nil {
		return nil, fmt.Errorf("mail: parse templates: %w", err)
	}
	return &Renderer{baseURL: strings.TrimRight(baseURL, "/"), loc: loc, html: h, text: t}, nil
}

// Notice is what to tell one agent in one email: one event at once, or a
// digest of several. It holds ids and agents' names, never a client's data.
type Notice struct {
	To            string
	RecipientName string
	Digest        string // "" for one event told at once, else daily or weekly
	Items         []NoticeItem
	// Reviews are the clients (ids only) whose teams a digest asks the
	// agent to confirm they still work with (patchwork.ReviewKind).
	Reviews        []int64
	UnsubscribeURL string // one-click link that stops the kinds in this email
}

// NoticeItem is one event in a notice.
type NoticeItem struct {
	Kind      string
	ClientID  int64
	ActorName string
	Urgent    bool
	At        time.Time
	// InvitationToken is an invitation's token: the item links to the
	// invitation's page (InvitationPath). HasMessage says the inviter left
	// a message, which the email only mentions.
	InvitationToken string
	HasMessage      bool
}

// InvitationPath is the page of the invitation with token, behind sign-in.
func InvitationPath(token string) string { return "/invitations/" + token }

// messageWaiting is said of an invitation with a message: the message
// itself stays in Patchwork.
const messageWaiting = "They left you a message, which you can read in Patchwork once you have signed in."

// Kinds returns the distinct kinds of the notice's items, in order.
func (n *Notice) Kinds() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range n.Items {
		if !seen[it.Kind] {
			seen[it.Kind] = true
			out = append(out, it.Kind)
		}
	}
	if len(n.Reviews) > 0 {
		out = append(out, patchwork.ReviewKind)
	}
	return out
}

// Subject says what happened in an email about one event, kind first so
// that an inbox can be sorted at a glance, then the client's reference
// (never the client's name, docs/security.md rule 6).
func Subject(kind string, urgent bool, clientID int64) string {
	what := "News"
	switch kind {
	case patchwork.ActivityAttentionRaised:
		what = "Attention raised"
		if urgent {
			what = "Urgent attention raised"
		}
	case patchwork.ActivityTeamInvited:
		what = "Invitation to join the team"
	case patchwork.ActivityMemberJoined:
		what = "Colleague joined the team"
	case patchwork.ActivityMemberLeft:
		what = "Colleague left the team"
	case patchwork.ActivityClientUpdated:
		what = "Details changed"
	case patchwork.ActivityCircleChanged:
		what = "Circle changed"
	case patchwork.ActivityClientRemoved:
		what = "Removed from Patchwork"
	case patchwork.ActivityLeadChanged:
		what = "Lead professional changed"
	case patchwork.ActivityClientMerged:
		what = "Records merged"
	case patchwork.ActivityMergeUndone:
		what = "Merge undone"
	}
	return what + ": client " + patchwork.ClientRef(clientID)
}

// sentence tells one event at once; %[1]s is the agent who acted, %[2]s the
// client reference.
var sentence = map[string]string{
	patchwork.ActivityAttentionRaised: "%[1]s raised an attention on client %[2]s, whose team you are on.",
	patchwork.ActivityTeamInvited:     "%[1]s invited you to join the team of client %[2]s.",
	patchwork.ActivityMemberJoined:    "%[1]s joined the team of client %[2]s, which you are on.",
	patchwork.ActivityMemberLeft:      "%[1]s left the team of client %[2]s, which you are on.",
	patchwork.ActivityClientUpdated:   "%[1]s changed the details of client %[2]s, whose team you are on.",
	patchwork.ActivityCircleChanged:   "%[1]s changed the circle of client %[2]s, whose team you are on.",
	patchwork.ActivityClientRemoved:   "%[1]s removed client %[2]s from Patchwork, whose team you were on. Their details have been erased and the team has ended.",
	patchwork.ActivityLeadChanged:     "%[1]s changed who is lead professional for client %[2]s, whose team you are on.",
	patchwork.ActivityClientMerged:    "%[1]s merged a duplicate record into client %[2]s, whose team you are on. Both teams are now one.",
	patchwork.ActivityMergeUndone:     "%[1]s undid a merge of client %[2]s, whose team you are on. The two records and their teams are as they were.",
}

// line tells one event in a digest, under its client's heading.
var line = map[string]string{
	patchwork.ActivityAttentionRaised: "%s raised an attention",
	patchwork.ActivityTeamInvited:     "%s invited you to join the team",
	patchwork.ActivityMemberJoined:    "%s joined the team",
	patchwork.ActivityMemberLeft:      "%s left the team",
	patchwork.ActivityClientUpdated:   "%s changed the client's details",
	patchwork.ActivityCircleChanged:   "%s changed the client's circle",
	patchwork.ActivityClientRemoved:   "%s removed the client from Patchwork",
	patchwork.ActivityLeadChanged:     "%s changed who is lead professional",
	patchwork.ActivityClientMerged:    "%s merged a duplicate record into this client",
	patchwork.ActivityMergeUndone:     "%s undid a merge of this client's records",
}

type group struct {
	Ref      string
	URL      string
	LinkText string
	Lines    []string
}

type view struct {
	Subject, Heading, Name, Intro string
	Digest                        bool
	Groups                        []*group
	Reviews                       []*group // one per client to confirm: Ref and URL
	DashboardURL                  string
	Stops                         string
	UnsubscribeURL, PrefsURL      string
}

// Render builds the message for n: subject, both parts, and the headers for
// one-click unsubscribe (RFC 8058) and against auto-replies. The caller sets
// the ID.
func (r *Renderer) Render(n *Notice) (*Message, error) {
	if len(n.Items) == 0 && (len(n.Reviews) == 0 || n.Digest == "") {
		return nil, fmt.Errorf("mail: nothing to tell")
	}
	v := &view{Name: n.RecipientName, Digest: n.Digest != "", UnsubscribeURL: n.UnsubscribeURL,
		PrefsURL: r.baseURL + PrefsPath, DashboardURL: r.baseURL + "/"}
	for _, id := range n.Reviews {
		v.Reviews = append(v.Reviews, &group{Ref: patchwork.ClientRef(id), URL: r.baseURL + fmt.Sprintf("/clients/%d", id)})
	}
	var labels []string
	for _, k := range n.Kinds() {
		labels = append(labels, strings.ToLower(patchwork.NotificationKindLabel(k)[:1])+patchwork.NotificationKindLabel(k)[1:])
	}
	v.Stops = strings.Join(labels, "; ")
	if !v.Digest {
		it := n.Items[0]
		v.Subject = Subject(it.Kind, it.Urgent, it.ClientID)
		v.Heading = v.Subject
		s := fmt.Sprintf(sentence[it.Kind], it.ActorName, patchwork.ClientRef(it.ClientID))
		if it.Urgent {
			s = strings.Replace(s, "raised an attention", "raised an urgent attention", 1)
		}
		if it.HasMessage {
			s += " " + messageWaiting
		}
		v.Groups = []*group{r.group(it, s)}
	} else {
		byClient := map[int64]*group{}
		for _, it := range n.Items {
			g := byClient[it.ClientID]
			if g == nil {
				g = r.group(it)
				byClient[it.ClientID] = g
				v.Groups = append(v.Groups, g)
			}
			l := fmt.Sprintf(line[it.Kind], it.ActorName)
			if it.Urgent {
				l = strings.Replace(l, "raised an attention", "raised an urgent attention", 1)
			}
			if it.HasMessage {
				l += ", with a message waiting in Patchwork"
			}
			g.Lines = append(g.Lines, it.At.In(r.loc).Format("Mon 2 Jan, 15:04")+": "+l)
		}
		updates := plural(len(n.Items), "update", "updates")
		clients := plural(len(v.Groups), "client", "clients")
		v.Heading = "Your " + n.Digest + " summary"
		switch {
		case len(n.Items) == 0:
			v.Subject = fmt.Sprintf("Your %s Patchwork summary: %s to confirm", n.Digest, plural(len(n.Reviews), "client", "clients"))
		case len(n.Reviews) > 0:
			v.Subject = fmt.Sprintf("Your %s Patchwork summary: %s on %s, %s to confirm", n.Digest, updates, clients,
				plural(len(n.Reviews), "client", "clients"))
		default:
			v.Subject = fmt.Sprintf("Your %s Patchwork summary: %s on %s", n.Digest, updates, clients)
		}
		if len(n.Items) > 0 {
			v.Intro = fmt.Sprintf("Here is what happened on the teams of your clients: %s on %s.", updates, clients)
		}
	}
	var h, t bytes.Buffer
	if err := r.html.ExecuteTemplate(&h, "notification.html", v); err != nil {
		return nil, fmt.Errorf("mail: render html: %w", err)
	}
	if err := r.text.ExecuteTemplate(&t, "notification.txt", v); err != nil {
		return nil, fmt.Errorf("mail: render text: %w", err)
	}
	return &Message{To: n.To, Subject: v.Subject, Text: t.String(), HTML: h.String(), Headers: map[string]string{
		"List-Unsubscribe":         "<" + n.UnsubscribeURL + ">",
		"List-Unsubscribe-Post":    "List-Unsubscribe=One-Click",
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
	}}, nil
}

// group starts the block of one client, with its link.
func (r *Renderer) group(it NoticeItem, lines ...string) *group {
	ref := patchwork.ClientRef(it.ClientID)
	text := "View client " + ref + " in Patchwork"
	switch it.Kind {
	case patchwork.ActivityTeamInvited:
		text = "Join the team of client " + ref
	case patchwork.ActivityClientRemoved:
		text = "Open Patchwork"
	}
	url := r.baseURL + ClientPath(it.Kind, it.ClientID)
	if it.InvitationToken != "" {
		url = r.baseURL + InvitationPath(it.InvitationToken)
	}
	return &group{Ref: ref, URL: url, LinkText: text, Lines: lines}
}

// UnsubscribeURL returns the one-click unsubscribe link for a token.
func (r *Renderer) UnsubscribeURL(token string) string {
	return r.baseURL + UnsubscribePath + "?token=" + token
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
