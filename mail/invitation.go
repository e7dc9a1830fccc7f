package mail

import (
	"bytes"
	"fmt"
	"time"

	"patchwork"
)

// InvitationNotice invites a new colleague, whose address has no account
// yet, onto a client's team. It names the client by reference only, and it
// never carries the inviter's message: that waits in Patchwork.
type InvitationNotice struct {
	To          string
	InviterName string
	AgencyName  string
	ClientID    int64
	Token       string // the invitation's token, for its link
	HasMessage  bool
	NeedsAccess bool // their address's domain is not yet an agency's on Patchwork
	Expires     time.Time
}

type invitationView struct {
	Subject, Heading string
	Paras            []string
	LinkURL          string
	LinkText         string
	After            []string
}

// RenderInvitation builds the message for a new colleague's invitation,
// with a plain-text and an HTML part. It has no unsubscribe link: it is
// sent once, to someone with no settings, as their only way in. The caller
// sets the ID.
func (r *Renderer) RenderInvitation(n *InvitationNotice) (*Message, error) {
	if n.Token == "" {
		return nil, fmt.Errorf("mail: invitation without a token")
	}
	inviter := n.InviterName
	if n.AgencyName != "" {
		inviter += " of " + n.AgencyName
	}
	ref := patchwork.ClientRef(n.ClientID)
	v := &invitationView{Subject: "You are invited to join a client's team on Patchwork"}
	v.Heading = v.Subject
	v.Paras = []string{
		inviter + " invited you to join the team of client " + ref + " on Patchwork, where practitioners " +
			"working with the same person find each other and keep in touch.",
	}
	if n.HasMessage {
		v.Paras = append(v.Paras, messageWaiting)
	}
	until := n.Expires.In(r.loc).Format("2 January 2006")
	if n.NeedsAccess {
		v.Paras = append(v.Paras, "No agency on Patchwork takes addresses like yours, "+n.To+", yet. Open the invitation "+
			"to ask for access: a Patchwork administrator approves it, then you create your account and accept. "+
			"The invitation works until "+until+".")
	} else {
		v.Paras = append(v.Paras, "Open the invitation to create your Patchwork account with this address, "+n.To+
			", then accept it to join the team. It works until "+until+".")
	}
	v.LinkURL, v.LinkText = r.baseURL+InvitationPath(n.Token), "Open the invitation"
	v.After = []string{"To protect the people you work with, Patchwork emails never include a client's details.",
		"If you were not expecting this, you can ignore this email: nothing happens unless you accept."}
	var h, t bytes.Buffer
	if err := r.html.ExecuteTemplate(&h, "invitation.html", v); err != nil {
		return nil, fmt.Errorf("mail: render html: %w", err)
	}
	if err := r.text.ExecuteTemplate(&t, "invitation.txt", v); err != nil {
		return nil, fmt.Errorf("mail: render text: %w", err)
	}
	return &Message{To: n.To, Subject: v.Subject, Text: t.String(), HTML: h.String(), Headers: map[string]string{
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
	}}, nil
}
