package mail_test

import (
	"testing"
	"time"

	"patchwork"
	"patchwork/mail"
)

// BenchmarkRenderDigest renders one agent's daily digest of three events on
// three clients, HTML and plain text: the per-email rendering cost of a
// statewide digest run (docs/performance.md).
func BenchmarkRenderDigest(b *testing.B) {
	r, err := mail.NewRenderer("https://patchwork.example.org", time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC)
	n := &mail.Notice{To: "agent@example.org", RecipientName: "Sam Worker", Digest: patchwork.NotifyDaily,
		UnsubscribeURL: "https://patchwork.example.org/unsubscribe?t=token", Items: []mail.NoticeItem{
			{Kind: patchwork.ActivityMemberJoined, ClientID: 101, ActorName: "Priya Okafor", At: at},
			{Kind: patchwork.ActivityMemberJoined, ClientID: 202, ActorName: "Tom Reed", At: at.Add(time.Hour)},
			{Kind: patchwork.ActivityMemberLeft, ClientID: 303, ActorName: "Ada Lane", At: at.Add(2 * time.Hour)},
		}}
	b.ReportAllocs()
	for b.Loop() {
		m, err := r.Render(n)
		if err != nil || len(m.HTML) == 0 || len(m.Text) == 0 {
			b.Fatalf("render: %v", err)
		}
	}
}
