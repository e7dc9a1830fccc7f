package web

import (
	"net/url"
	"strings"
)

// mailtoURL is the one place mailto: links are built (team cards, "Email
// the whole team", the agent and agency pages). Each address is
// percent-encoded as a path segment, with '&' and '=' encoded too, and the
// addresses are joined with commas; the subject, if any, is the only
// header. An address stored with "?cc=…&bcc=…" in it therefore stays one
// (undeliverable) recipient instead of adding hidden ones. Empty addresses
// are left out; with none, the result is "".
func mailtoURL(addrs []string, subject string) string {
	var parts []string
	for _, a := range addrs {
		if a = strings.TrimSpace(a); a != "" {
			parts = append(parts, mailtoEscaper.Replace(url.PathEscape(a)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	u := "mailto:" + strings.Join(parts, ",")
	if subject != "" {
		// RFC 6068 wants %20 for a space; QueryEscape writes '+'.
		u += "?subject=" + strings.ReplaceAll(url.QueryEscape(subject), "+", "%20")
	}
	return u
}

// mailtoEscaper encodes what url.PathEscape leaves as it is but a mail
// program may read as the start of another header.
var mailtoEscaper = strings.NewReplacer("&", "%26", "=", "%3D")
