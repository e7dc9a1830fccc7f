package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"patchwork/sqldb"
)

// checkFailedEmails walks the failed-emails page with one email the mail
// server refused for the signed-in admin: the list, the confirmation of
// "send again all shown", and the list after it, each checked with axe at
// both widths.
func checkFailedEmails(t *testing.T, b *browser, db *sqldb.DB) {
	t.Helper()
	var id int64
	now := time.Now().UnixMicro()
	if err := db.QueryRowForTest(`INSERT INTO jobs (kind, payload, priority, run_at, attempts, max_attempts, status, last_error, created_at, done_at)
		SELECT 'account_email', '{"kind":"password_changed","agent_id":' || CAST(id AS TEXT) || '}', 10, $1, 8, 8, 'failed',
			'mail: send via mail.example:587: permanent failure: 550 5.1.1 No such user here', $1, $1
		FROM agents WHERE email = 'admin@patchwork.test' RETURNING id`, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	b.visit("/admin/emails", "Failed emails")
	b.checkPage("failed emails")
	b.step("send again all shown",
		chromedp.Click(buttonXPath("Send again all 1 shown")),
		chromedp.WaitVisible(h1XPath("Send 1 email again?")))
	b.checkPage("confirm sending again")
	b.step("confirm",
		chromedp.Click(buttonXPath("Yes, send them again")),
		chromedp.WaitVisible(flashXPath("1 email will be sent again")))
	b.checkPage(fmt.Sprintf("failed emails after retrying job %d", id))
}
