package imserver

import (
	"context"
	"testing"

	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
)

func TestParkRetry(t *testing.T) {
	for reason, want := range map[string]imstore.ParkRetry{
		"server_suspended": imstore.RetryAutomatic, "unknown_server": imstore.RetryAutomatic,
		"forbidden_by_policy": imstore.RetryAutomatic, "cert_revoked": imstore.RetryAutomatic,
		"wrong_sender": imstore.RetryManual, "bad_request": imstore.RetryManual, "unknown_user": imstore.RetryManual,
		"duplicate_conflict": imstore.RetryManual, "server_cancelled": imstore.RetryManual, "": imstore.RetryManual,
	} {
		if got := parkRetry(reason); got != want {
			t.Errorf("parkRetry(%q) = %q, want %q", reason, got, want)
		}
	}
}

// A refusal by the peer's policy, which no notification reveals, is
// retried at the next directory refresh, and delivered once the peer has
// lifted it; a change of this server's own policy retries too.
func TestParkedByPolicyRetried(t *testing.T) {
	_, alpha, beta := pair(t)
	if _, err := beta.SetPolicy(nil, []string{"alpha-im"}); err != nil {
		t.Fatal(err)
	}
	parked := func() []imstore.OutboxItem {
		items, err := alpha.st.ListOutbox(imstore.OutboxFilter{State: imstore.OutboxParked})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	sendText(t, alpha, "alice", "bob@beta-im", "let me in")
	eventually(t, "the refusal parked", func() bool { return len(parked()) == 1 })
	if it := parked()[0]; it.Reason != string(httpsig.ReasonForbiddenByPolicy) || it.Retry != imstore.RetryAutomatic {
		t.Fatalf("parked as %q, %q: %s", it.Reason, it.Retry, it.LastError)
	}
	// Refreshed while the peer still refuses: tried again, parked again.
	if _, err := alpha.dir.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "parked again", func() bool { p := parked(); return len(p) == 1 && p[0].Attempts == 2 })
	if _, err := beta.SetPolicy(nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := alpha.SetPolicy(nil, nil); err != nil { // any change of alpha's own policy retries
		t.Fatal(err)
	}
	eventually(t, "the message at bob", func() bool { return len(inbox(t, beta, "bob")) == 1 })
}
