package faults

import (
	"context"
	"encoding/json"
	"testing"

	mgmtstore "github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// The management server is killed right after a change (alpha suspended)
// while beta, which it must notify (M3), is down, and restarted: the
// notification, kept on disk, reaches beta after the restart. Gamma, whose
// registered address leads nowhere, never gets it and catches up through
// its incremental directory query (M1).
func TestMgmtDownAcrossNotification(t *testing.T) {
	w := newWorld(t)
	w.addIM("alpha")
	beta := w.addIM("beta")
	gamma := w.addIMAdvertising("gamma", "http://"+freeAddr(t))
	beta.proc.kill()

	must(t, "admin", "suspend", "alpha", "--yes", "--data-dir", w.mgmtDir)
	w.mgmt.kill()

	// Down, the management database says what it still owes.
	pending := notifications(t, w, "pending")
	owed := map[string]bool{}
	for _, e := range pending {
		if e.Subject == "alpha" {
			owed[e.Destination] = true
		}
	}
	if !owed["beta"] || !owed["gamma"] {
		t.Fatalf("after the crash the pending notifications are %+v: want alpha's change owed to beta and gamma", pending)
	}

	w.startMgmt()
	beta.restart(t)
	eventually(t, "alpha's change to reach beta by M3", func() bool {
		for _, e := range notifications(t, w, "delivered") {
			if e.Subject == "alpha" && e.Destination == "beta" {
				return true
			}
		}
		return false
	})
	eventually(t, "beta to see alpha suspended", func() bool { return dirStatus(t, beta, "alpha") == httpsig.StatusSuspended })
	eventually(t, "gamma to see alpha suspended", func() bool { return dirStatus(t, gamma, "alpha") == httpsig.StatusSuspended })
	stillOwed := false
	for _, e := range notifications(t, w, "pending") {
		stillOwed = stillOwed || e.Subject == "alpha" && e.Destination == "gamma"
	}
	if !stillOwed {
		t.Fatal("the notification to gamma's dead address was delivered: the test no longer shows the catch-up by M1")
	}
	t.Logf("pending after the crash: %d notifications; beta got alpha's change by M3 after the restart, gamma (unreachable) by M1", len(pending))
}

// notifications lists the management server's notifications in state,
// from its database or its running server.
func notifications(t *testing.T, w *world, state string) []mgmtstore.OutboxEntry {
	t.Helper()
	out := must(t, "admin", "notifications", "--entries", "--state", state, "--data-dir", w.mgmtDir, "-o", "json")
	var entries []mgmtstore.OutboxEntry
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("admin notifications -o json: %v\n%s", err, out)
	}
	return entries
}

// dirStatus is the status of serverID in s's copy of the directory (-1
// when absent).
func dirStatus(t *testing.T, s *im, serverID string) int {
	t.Helper()
	entries, err := s.admin.Directory(context.Background())
	if err != nil {
		return -1
	}
	for _, e := range entries {
		if e.ServerID == serverID {
			return e.Status
		}
	}
	return -1
}
