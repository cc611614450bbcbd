package faults

import (
	"encoding/json"
	"testing"

	"github.com/imictl/imictl/internal/sns/imstore"
)

// The peer is down for the whole send; the sender is restarted twice
// meanwhile (kill -9 in mid-stream, then SIGTERM); the peer comes back:
// everything arrives once, in order, and `im outbox` showed the backoff.
func TestPeerDownSenderRestartedTwice(t *testing.T) {
	const n = 400
	alpha, beta, users := crashWorld(t)
	beta.proc.kill()
	l := stream(t, alpha, users, "b0@beta", n, n/senders/3, func() {
		alpha.proc.kill()
		alpha.restart(t)
	})
	if code := alpha.proc.stop(); code != 0 {
		t.Fatalf("alpha exited %d on SIGTERM", code)
	}
	alpha.restart(t)

	var items []imstore.OutboxItem
	eventually(t, "retries to show in im outbox", func() bool {
		out := must(t, "im", "outbox", "--destination", "beta", "--data-dir", alpha.dataDir, "-o", "json")
		if err := json.Unmarshal([]byte(out), &items); err != nil {
			t.Fatalf("im outbox -o json: %v\n%s", err, out)
		}
		for _, it := range items {
			if it.Attempts >= 2 && it.LastError != "" && it.NextAttemptAt.After(it.CreatedAt) {
				return true
			}
		}
		return false
	})
	maxAttempts := 0
	for _, it := range items {
		if it.State != imstore.OutboxPending {
			t.Errorf("outbox item %d is %s while beta is down, want pending", it.ID, it.State)
		}
		maxAttempts = max(maxAttempts, it.Attempts)
	}
	t.Logf("while beta was down: %d items in alpha's outbox, up to %d attempts, e.g. next attempt %s after %q",
		len(items), maxAttempts, items[0].NextAttemptAt.Format("15:04:05.000"), items[0].LastError)

	beta.restart(t)
	checkDelivered(t, alpha, beta, "b0", l)
	if l.counts[acked] == 0 {
		t.Fatal("nothing was acknowledged")
	}
}
