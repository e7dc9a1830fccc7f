package web

import (
	"net"
	"strings"
)

// describeUserAgent names the device and browser of a User-Agent header
// well enough for someone to recognise their own sign-ins on "Your
// sessions". It is a guess from a header the browser chooses, shown to the
// agent only; nothing depends on it. Order matters: Edge and Opera say
// "Chrome", Chrome says "Safari", and iPads may say "Macintosh".
func describeUserAgent(ua string) (device, browser string) {
	has := func(s string) bool { return strings.Contains(ua, s) }
	switch {
	case has("iPad"):
		device = "iPad"
	case has("iPhone"):
		device = "iPhone"
	case has("Android") && has("Mobile"):
		device = "Android phone"
	case has("Android"):
		device = "Android tablet"
	case has("CrOS"):
		device = "Chromebook"
	case has("Windows"):
		device = "Windows computer"
	case has("Macintosh") || has("Mac OS X"):
		device = "Mac"
	case has("Linux"):
		device = "Linux computer"
	default:
		device = "Unknown device"
	}
	switch {
	case has("Edg/") || has("Edge/") || has("EdgA/") || has("EdgiOS/"):
		browser = "Edge"
	case has("OPR/") || has("Opera"):
		browser = "Opera"
	case has("SamsungBrowser/"):
		browser = "Samsung Internet"
	case has("Firefox/") || has("FxiOS/"):
		browser = "Firefox"
	case has("HeadlessChrome/"):
		browser = "Headless Chrome"
	case has("Chrome/") || has("CriOS/") || has("Chromium/"):
		browser = "Chrome"
	case has("Safari/") && has("Version/"):
		browser = "Safari"
	case ua == "":
		browser = "Unknown browser"
	default:
		browser = "Other browser"
	}
	return device, browser
}

// ipArea coarsens an address to the network it came from: IPv4 to its /24,
// IPv6 to its /48. That is enough to tell "the office" from "somewhere
// else" without keeping where exactly someone was, and needs no
// geolocation database.
func ipArea(ip string) string {
	a := net.ParseIP(ip)
	switch {
	case a == nil:
		return "Unknown network"
	case a.To4() != nil:
		return (&net.IPNet{IP: a.To4().Mask(net.CIDRMask(24, 32)), Mask: net.CIDRMask(24, 32)}).String()
	default:
		return (&net.IPNet{IP: a.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
	}
}
