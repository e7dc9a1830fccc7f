package e2e

import (
	"context"
	_ "embed"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axeSource is axe-core, injected into every page the journeys visit.
//
//go:embed testdata/axe-4.14.1.min.js
var axeSource string

// axeTags are the rule sets every page must pass.
const axeTags = `['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']`

const (
	desktopWidth, desktopHeight = 1280, 900
	// phoneWidth is the narrowest screen Patchwork supports without
	// horizontal scrolling (WCAG 1.4.10 Reflow asks for 320 CSS px; 375 px
	// is the common phone width).
	phoneWidth, phoneHeight = 375, 800
	// stepTimeout bounds one browser step, so that a missing element fails
	// with a message instead of hanging until the test deadline. Steps wait
	// for conditions, never for a time, so a generous bound costs nothing
	// when all is well and keeps a busy machine from failing the journey.
	stepTimeout = 30 * time.Second
	// pollInterval is how often the browser looks again at a condition.
	pollInterval = 10 * time.Millisecond
)

// pageReady holds once the page has loaded and every stylesheet has been
// parsed (the next style read applies it): axe and the width check must
// see the page a user sees, not the unstyled HTML.
const pageReady = `document.readyState === 'complete' &&
	[...document.querySelectorAll('link[rel="stylesheet"]')].every(l => l.sheet !== null && l.sheet.cssRules.length > 0) &&
	document.fonts.status === 'loaded'`

// chromiumPath finds the browser, or skips the test (fails it in CI, which
// must never pass without running the browser journeys).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	const msg = "Chromium not found (looked for chromium, chromium-browser, google-chrome in PATH and /usr/bin/chromium); install it (apt-get install chromium) to run the browser journeys"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("skipping browser journey: " + msg)
	return ""
}

// browser is one headless Chromium tab pointed at a Patchwork server.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu      sync.Mutex
	console []string // console errors and uncaught exceptions
}

// newBrowser starts a fresh headless Chromium (own profile directory) with
// a desktop-sized window. It is stopped when t ends.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // the test may run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(desktopWidth, desktopHeight),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// Start the browser with a context that has no deadline (a deadline on
	// the first Run would bind the browser's life to it).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	b := &browser{t: t, ctx: ctx, base: base}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.noteConsole(m)
		}
	}()
	return b
}

// noteConsole keeps console errors and uncaught exceptions, such as a
// Content-Security-Policy violation or a missing static file. An error
// status of a page itself (a 404 page, a 422 form with errors) is expected
// and ignored.
func (b *browser) noteConsole(m chromedp.ConsoleMessage) {
	if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException {
		return
	}
	if strings.HasPrefix(m.Text, "Failed to load resource") && !strings.Contains(m.URL, "/static/") {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.console = append(b.console, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
}

// consoleErrors returns what noteConsole kept.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// step runs actions with a per-step timeout and fails the test with what
// the page shows if they fail.
func (b *browser) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v\n%s", what, err, b.where())
	}
}

// eval evaluates a JavaScript expression and decodes its value into T.
func eval[T any](b *browser, what, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		b.t.Fatalf("%s: %v\n%s", what, err, b.where())
	}
	return v
}

// where describes the current page for a failure message.
func (b *browser) where() string {
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n  h1: " +
		((document.querySelector('h1') || {}).textContent || '(none)').trim() + "\n  main: " +
		((document.querySelector('main') || document.body || {}).innerText || '').slice(0, 600).replace(/\s+/g, ' ')`))
	if err != nil {
		return "  (page not readable: " + err.Error() + ")"
	}
	return "  at " + s
}

// visit navigates to path and waits for the page's h1 and its styles.
func (b *browser) visit(path, h1 string) {
	b.t.Helper()
	b.step("visit "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(h1XPath(h1)))
	b.waitFor("visit "+path+": page loaded and styled", pageReady)
}

// waitFor waits until the JavaScript condition holds on the current page,
// looking again every pollInterval, and fails the test after stepTimeout.
func (b *browser) waitFor(what, condition string) {
	b.t.Helper()
	b.step(what, chromedp.Poll[chromedp.Void](condition,
		chromedp.WithPollingInterval(pollInterval), chromedp.WithPollingTimeout(stepTimeout)))
}

// path is the path (and query) of the current page.
func (b *browser) path() string {
	loc := eval[string](b, "read location", `location.href`)
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("parse location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// h1XPath selects the page's h1 by its whole text.
func h1XPath(text string) string {
	return fmt.Sprintf(`//h1[normalize-space()=%s]`, xpathString(text))
}

// buttonXPath selects a button by its whole text.
func buttonXPath(text string) string {
	return fmt.Sprintf(`//button[normalize-space()=%s]`, xpathString(text))
}

// labelXPath selects a form label by its whole text; clicking it checks
// its radio or checkbox as a user's click would.
func labelXPath(text string) string {
	return fmt.Sprintf(`//label[normalize-space()=%s]`, xpathString(text))
}

// linkXPath selects a link by its whole text.
func linkXPath(text string) string {
	return fmt.Sprintf(`//a[normalize-space()=%s]`, xpathString(text))
}

// xpathString quotes s as an XPath 1.0 string literal.
func xpathString(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	parts := strings.Split(s, "'")
	return "concat('" + strings.Join(parts, `', "'", '`) + "')"
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return fmt.Sprintf("%q", s) // Go's quoting is valid JavaScript for text
}

// checkPage runs the accessibility and small-screen checks on the current
// page: axe-core at desktop width, then at phone width together with the
// check for horizontal scrolling. Failures are reported with t.Errorf, so a
// journey shows every defect of every page in one run.
//
// Each stage waits for the page to be in the state it checks: loaded and
// styled before axe runs, and the viewport at the emulated width before it
// is measured (the browser applies an emulation asynchronously).
func (b *browser) checkPage(name string) {
	b.t.Helper()
	b.waitFor(name+": page loaded and styled", pageReady)
	b.runAxe(name, "desktop")
	b.step(name+": emulate phone", chromedp.EmulateViewport(phoneWidth, phoneHeight))
	b.waitFor(fmt.Sprintf("%s: viewport %d px wide", name, phoneWidth), fmt.Sprintf("window.innerWidth === %d", phoneWidth))
	b.checkReflow(name)
	b.runAxe(name, fmt.Sprintf("%d px", phoneWidth))
	b.step(name+": back to desktop", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return err
	}))
	b.waitFor(fmt.Sprintf("%s: window %d px wide again after clearing the phone emulation", name, desktopWidth),
		fmt.Sprintf("window.innerWidth === %d", desktopWidth))
}

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

// runAxe injects axe-core (unless the page has it) and fails with a
// readable list of violations.
func (b *browser) runAxe(name, width string) {
	b.t.Helper()
	if !eval[bool](b, name+": look for axe", `typeof window.axe === 'object'`) {
		if !eval[bool](b, name+": inject axe", axeSource+"\n;typeof window.axe === 'object'") {
			b.t.Fatalf("%s: axe-core did not load", name)
		}
	}
	vs := eval[[]axeViolation](b, name+": run axe", `(async () => {
		const r = await axe.run(document, {runOnly: {type: 'tag', values: `+axeTags+`}, resultTypes: ['violations']});
		return r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), html: n.html, summary: n.failureSummary || ''}))}));
	})()`, chromedp.EvalAwaitPromise)
	if len(vs) == 0 {
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s (%s, %s): %d accessibility violation(s):", name, width, b.path(), len(vs))
	for _, v := range vs {
		fmt.Fprintf(&sb, "\n  - %s [%s]: %s (%s)", v.ID, v.Impact, v.Help, v.HelpURL)
		for i, n := range v.Nodes {
			if i == 5 {
				fmt.Fprintf(&sb, "\n      … and %d more", len(v.Nodes)-i)
				break
			}
			fmt.Fprintf(&sb, "\n      %s\n        %s", n.Target, truncate(n.HTML, 200))
			if n.Summary != "" {
				fmt.Fprintf(&sb, "\n        %s", strings.ReplaceAll(truncate(n.Summary, 400), "\n", "\n        "))
			}
		}
	}
	b.t.Error(sb.String())
}

type reflowResult struct {
	ScrollWidth int      `json:"scrollWidth"`
	ClientWidth int      `json:"clientWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Wide        []string `json:"wide"`
}

// checkReflow fails if the page scrolls sideways, naming the elements that
// stick out (the innermost ones first: they are the culprits).
func (b *browser) checkReflow(name string) {
	b.t.Helper()
	r := eval[reflowResult](b, name+": measure width", `(() => {
		const de = document.documentElement;
		const vw = Math.min(window.innerWidth, de.clientWidth);
		const out = {scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, innerWidth: window.innerWidth, wide: []};
		if (de.scrollWidth <= vw) return out;
		const over = [...document.body.querySelectorAll('*')].filter(el => {
			const r = el.getBoundingClientRect();
			return r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5);
		});
		const inner = over.filter(el => !over.some(o => o !== el && el.contains(o)));
		const describe = el => {
			const r = el.getBoundingClientRect();
			let s = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
				(el.classList.length ? '.' + [...el.classList].join('.') : '');
			return s + ' [' + Math.round(r.left) + '..' + Math.round(r.right) + ' px] ' + el.outerHTML.slice(0, 160).replace(/\s+/g, ' ');
		};
		out.wide = [...inner, ...over.filter(el => !inner.includes(el))].slice(0, 10).map(describe);
		return out;
	})()`)
	if r.ScrollWidth <= r.ClientWidth && r.ScrollWidth <= r.InnerWidth {
		return
	}
	b.t.Errorf("%s (%s): scrolls sideways at %d px: scrollWidth %d > clientWidth %d (innerWidth %d); widest elements:\n  %s",
		name, b.path(), phoneWidth, r.ScrollWidth, r.ClientWidth, r.InnerWidth, strings.Join(r.Wide, "\n  "))
}

// activeElement describes the focused element.
type activeElement struct {
	Tag     string `json:"tag"`
	ID      string `json:"id"`
	Class   string `json:"class"`
	Text    string `json:"text"`
	Visible bool   `json:"visible"`
}

func (a activeElement) String() string {
	s := a.Tag
	if a.ID != "" {
		s += "#" + a.ID
	}
	if a.Class != "" {
		s += "." + strings.ReplaceAll(a.Class, " ", ".")
	}
	if a.Text != "" {
		s += " " + fmt.Sprintf("%q", a.Text)
	}
	return s
}

// tab presses Tab and returns the newly focused element.
func (b *browser) tab() activeElement {
	b.t.Helper()
	b.step("press Tab", chromedp.KeyEvent(kb.Tab))
	return eval[activeElement](b, "read focus", `(() => {
		const el = document.activeElement;
		if (!el || el === document.body) return {tag: 'body', id: '', class: '', text: '', visible: false};
		const r = el.getBoundingClientRect();
		return {tag: el.tagName.toLowerCase(), id: el.id, class: el.className || '',
			text: (el.innerText || el.value || '').trim().slice(0, 60), visible: r.width > 1 && r.height > 1};
	})()`)
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
