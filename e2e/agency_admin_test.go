package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"patchwork/sqldb/sqldbtest"
)

// TestJourneyAgencyAdmin walks an administrator through the agencies: the
// list filtered by sector, the add form sent empty (its errors) and then
// filled in for an agency waiting for approval, its page, the approval,
// the edit form, a suspension and its lifting, on both databases. Every
// page passes axe-core at 1280 px and 375 px and does not scroll sideways
// at 375 px.
func TestJourneyAgencyAdmin(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			chromiumPath(t)
			db := openSeeded(t, dialect)
			b := newBrowser(t, startServer(t, db))
			signInAs(t, b, "admin@patchwork.test")

			b.visit("/admin", "Administration")
			b.step("open the agencies", chromedp.Click(linkXPath("Agencies")), chromedp.WaitVisible(h1XPath("Agencies")))
			b.checkPage("agencies")
			b.visit("/admin/agencies?sector=Education", "Agencies")
			b.waitFor("the filter keeps to schools", `document.body.innerText.includes('Ashby Primary School') &&
				!document.body.innerText.includes('Demoshire Housing')`)
			b.checkPage("agencies filtered by sector")

			b.step("add an agency", chromedp.Click(linkXPath("Add an agency")), chromedp.WaitVisible(h1XPath("Add an agency")))
			b.checkPage("add an agency")
			b.step("send it empty",
				chromedp.Click(buttonXPath("Add agency")),
				chromedp.WaitVisible(`//h2[normalize-space()="There is a problem"]`),
				chromedp.WaitVisible(chromedp.ID("name-error")),
				chromedp.WaitVisible(chromedp.ID("sector-error")))
			b.checkPage("add an agency, with errors")
			b.step("fill it in",
				chromedp.SendKeys(chromedp.ID("name"), "Halton Youth Hub"),
				chromedp.SetValue(chromedp.ID("sector"), "Youth services"),
				chromedp.Click(labelXPath("Halton")),
				chromedp.SendKeys(chromedp.ID("domains"), "haltonyouth.example.org"),
				chromedp.Click(labelXPath("Waiting for approval: set it up first, approve it later")),
				chromedp.Click(buttonXPath("Add agency")),
				chromedp.WaitVisible(h1XPath("Halton Youth Hub")))
			b.checkPage("a new agency waiting for approval")

			b.step("approve it",
				chromedp.Click(buttonXPath("Approve Halton Youth Hub")),
				chromedp.WaitVisible(flashXPath("The agency was approved")))
			b.step("edit it",
				chromedp.Click(`//a[contains(., "Edit the agency's details")]`),
				chromedp.WaitVisible(h1XPath("Edit Halton Youth Hub")))
			b.checkPage("edit an agency")
			b.step("make it sensitive without a label",
				chromedp.Click(labelXPath("This is a sensitive agency")),
				chromedp.Click(buttonXPath("Save changes")),
				chromedp.WaitVisible(chromedp.ID("generic_label-error")))
			b.checkPage("edit an agency, with an error")
			b.step("give it its label",
				chromedp.SendKeys(chromedp.ID("generic_label"), "Youth support"),
				chromedp.Click(buttonXPath("Save changes")),
				chromedp.WaitVisible(flashXPath("The agency's details were saved")))

			b.step("suspend it",
				chromedp.Click(buttonXPath("Suspend Halton Youth Hub")),
				chromedp.WaitVisible(flashXPath("The agency was suspended")),
				chromedp.WaitVisible(buttonXPath("Lift the suspension of Halton Youth Hub")))
			b.checkPage("a suspended agency")
			b.step("lift the suspension",
				chromedp.Click(buttonXPath("Lift the suspension of Halton Youth Hub")),
				chromedp.WaitVisible(flashXPath("The suspension was lifted")))
			if errs := b.consoleErrors(); len(errs) > 0 {
				t.Errorf("the browser console reported errors:\n  %s", strings.Join(errs, "\n  "))
			}
		})
	}
}
