package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"patchwork/sqldb/sqldbtest"
)

// TestSiteStaysUpWhileMailIsSlow: with the mail server holding every
// message (a very slow SMTP server), the worker's send waits, and pages and
// writes are answered all the while: sending never happens on a request.
// When the server lets go, the email arrives.
func TestSiteStaysUpWhileMailIsSlow(t *testing.T) {
	eachMailEnv(t, func(t *testing.T, e *mailEnv) {
		raiser := e.MustAgent(t, "Sol Slowmail", e.Council)
		other := e.MustAgent(t, "Tam Teammate", e.Council)
		cl := e.MustClient(t, raiser, "Sid", "Slow", "2012-07-08")
		e.MustJoin(t, other, cl)
		b := e.signedIn(t, raiser)
		b.c.Timeout = 15 * time.Second
		page := fmt.Sprintf("/clients/%d", cl.ID)
		raise := func() {
			t.Helper()
			if r := b.post(page+"/attentions", url.Values{"category": {"update"}, "message": {"Moved school"}}); r.status != http.StatusSeeOther {
				t.Fatalf("raise an attention: %d", r.status)
			}
		}

		e.smtp.Hold()
		raise()
		sent := make(chan error, 1)
		go func() { _, err := e.w.RunOnce(context.Background()); sent <- err }()
		sqldbtest.Eventually(t, time.Minute, "the worker's email waits at the mail server", func() bool {
			return e.smtp.Holding() > 0
		})
		// The send is stuck at the mail server; the site answers.
		b.get(page).must(t, http.StatusOK, "Sid")
		b.get("/").must(t, http.StatusOK)
		raise()

		e.smtp.Release()
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
		if got := e.deliver(t, other.Email); len(got) == 0 {
			t.Fatal("the held email never arrived")
		}
	})
}
