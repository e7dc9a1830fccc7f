package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshotsEnv, set to 1, makes TestScreenshots write the README's
// screenshots to docs/images; run it so after changing the pages they show:
//
//	PATCHWORK_SCREENSHOTS=1 go test ./e2e -run TestScreenshots
const screenshotsEnv = "PATCHWORK_SCREENSHOTS"

// TestScreenshots takes the README's screenshots from the demo data, in
// the browser at 1280 × 900: a client's page and a search. With
// PATCHWORK_SCREENSHOTS=1 it writes them to docs/images; otherwise it checks
// that the README shows both and that the committed files are the browser's
// PNGs of that size, so the pictures are always ones this test took.
func TestScreenshots(t *testing.T) {
	chromiumPath(t)
	db := openSeeded(t, "sqlite")
	base := startServer(t, db)
	b := newBrowser(t, base)
	signIn(t, b, false)
	// The window's own viewport is smaller than the window by the
	// browser's frame; an emulated one makes every screenshot 1280 × 900.
	b.step("emulate 1280 × 900", chromedp.EmulateViewport(desktopWidth, desktopHeight))
	b.waitFor("viewport 1280 × 900", fmt.Sprintf("window.innerWidth === %d && window.innerHeight === %d", desktopWidth, desktopHeight))
	id, name := memberClient(t, db)
	surname := name[strings.LastIndex(name, " ")+1:]
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct{ file, path, h1 string }{
		{"client-page.png", fmt.Sprintf("/clients/%d", id), name},
		{"search.png", "/search?scope=network&q=" + url.QueryEscape(surname), "Search"},
	} {
		b.visit(s.path, s.h1)
		b.waitFor(s.file+": fonts and images loaded", `[...document.images].every(i => i.complete)`)
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		cancel()
		if err != nil {
			t.Fatalf("screenshot of %s: %v", s.path, err)
		}
		file := filepath.Join("..", "docs", "images", s.file)
		if os.Getenv(screenshotsEnv) == "1" {
			if err := os.WriteFile(file, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d bytes)", file, len(shot))
		}
		if !bytes.Contains(readme, []byte("](docs/images/"+s.file+")")) {
			t.Errorf("README.md does not show docs/images/%s", s.file)
		}
		committed, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (take the screenshots with %s=1)", err, screenshotsEnv)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(committed))
		if err != nil || cfg.Width != desktopWidth || cfg.Height != desktopHeight {
			t.Errorf("%s is not a %d × %d PNG this test took (%v, %d × %d); take it again with %s=1",
				file, desktopWidth, desktopHeight, err, cfg.Width, cfg.Height, screenshotsEnv)
		}
	}
}
