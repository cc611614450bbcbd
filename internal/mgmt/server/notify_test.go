package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// A notification target that is down is retried with backoff, the state
// survives a restart of the management server (store closed and reopened,
// notifier restarted), and the notification is delivered once the target
// is back.
func TestNotificationSurvivesRestart(t *testing.T) {
	dataDir := t.TempDir()
	m := startMgmt(t, dataDir)
	adm := m.admin(t)
	peerStub := newStub(t)
	peerKey, peerCert := register(t, m, adm, "peer", peerStub.URL())
	peerStub.become(t, m, peerKey, peerCert)
	peerStub.stop() // down

	register(t, m, adm, "alpha", "https://alpha.example.com")
	var entry store.OutboxEntry
	eventually(t, "the delivery to peer failed a few times", func() bool {
		out, err := adm.Notifications(bg, store.OutboxFilter{Destination: "peer"})
		if err != nil || len(out) != 1 {
			return false
		}
		entry = out[0]
		return entry.State == store.OutboxPending && entry.Attempts >= 2
	})
	if !strings.Contains(entry.LastError, "connection refused") || entry.Subject != "alpha" {
		t.Fatalf("pending entry %+v", entry)
	}
	states := mgmt.SummarizeNotifications([]store.OutboxEntry{entry})
	if len(states) != 1 || states[0].Pending != 1 || states[0].LastError == "" {
		t.Fatalf("summary %+v", states)
	}

	m.stop()
	peerStub.start(t) // back, while the management server is down
	m = startMgmt(t, dataDir)
	adm = m.admin(t)
	eventually(t, "the notification is delivered after the restart", func() bool {
		out, err := adm.Notifications(bg, store.OutboxFilter{Destination: "peer"})
		return err == nil && len(out) == 1 && out[0].State == store.OutboxDelivered
	})
	if n := peerStub.told("alpha"); n != 1 {
		t.Fatalf("peer was told %d times", n)
	}
	// An administrator's retry of a delivered destination has nothing to do.
	if n, err := adm.RetryNotifications(bg, "peer", "admin:e2e"); err != nil || n != 0 {
		t.Fatalf("retry: %d, %v", n, err)
	}
}

// A target that answers with an error is retried until it accepts; an
// administrator's retry makes it due at once.
func TestNotificationRetriedUntilAccepted(t *testing.T) {
	m := startMgmt(t, t.TempDir())
	adm := m.admin(t)
	peerStub := newStub(t) // not ready: answers 503 unsigned
	peerKey, peerCert := register(t, m, adm, "peer", peerStub.URL())
	register(t, m, adm, "alpha", "https://alpha.example.com")
	eventually(t, "a failed attempt is recorded", func() bool {
		out, _ := adm.Notifications(bg, store.OutboxFilter{Destination: "peer", State: store.OutboxPending})
		return len(out) == 1 && out[0].Attempts >= 1 && out[0].LastError != ""
	})
	peerStub.become(t, m, peerKey, peerCert)
	if _, err := adm.RetryNotifications(bg, "peer", "admin:e2e"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "delivered", func() bool { return peerStub.told("alpha") == 1 })
}

func TestUnauthenticatedEndpoints(t *testing.T) {
	m := startMgmt(t, t.TempDir())
	resp, err := http.Get(m.URL() + mgmt.PathCRL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pkix-crl" || resp.Header.Get("Signature") == "" {
		t.Fatalf("CRL: %d %v", resp.StatusCode, resp.Header)
	}
	crl, _, err := m.public(t).CRL(bg)
	if err != nil || crl.Number.Int64() != 1 {
		t.Fatalf("CRL: %v", err)
	}
	root, pemBytes, err := m.public(t).Root(bg)
	if err != nil || !root.Equal(m.root()) || !strings.HasPrefix(string(pemBytes), "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("root: %v", err)
	}
	self, err := m.public(t).ServerCert(bg, m.CA().SelfID)
	if err != nil || !self.Equal(m.CA().Self) {
		t.Fatalf("the management server's own certificate: %v", err)
	}
	if id, _ := pki.ServerIDFromCertificate(self); id != "center-im" {
		t.Fatalf("self is %q", id)
	}
}

// A notification that could not be delivered before its destination was
// suspended waits until the destination is resumed; one for a destination
// cancelled meanwhile is dropped.
func TestNotificationHeldAndDropped(t *testing.T) {
	m := startMgmt(t, t.TempDir())
	adm := m.admin(t)
	heldStub, goneStub := newStub(t), newStub(t)
	heldKey, heldCert := register(t, m, adm, "held", heldStub.URL())
	heldStub.become(t, m, heldKey, heldCert)
	goneKey, goneCert := register(t, m, adm, "gone", goneStub.URL())
	eventually(t, "held is told of gone", func() bool { return heldStub.told("gone") == 1 })
	heldStub.stop()
	goneStub.stop()
	register(t, m, adm, "alpha", "https://alpha.example.com")
	pendingFor := func(dest string) []store.OutboxEntry {
		out, _ := adm.Notifications(bg, store.OutboxFilter{Destination: dest, State: store.OutboxPending})
		return out
	}
	eventually(t, "both deliveries failed", func() bool {
		h, g := pendingFor("held"), pendingFor("gone")
		return len(h) == 1 && h[0].Attempts > 0 && len(g) > 0 && g[0].Attempts > 0
	})

	if _, err := adm.Suspend(bg, "held", "admin:e2e"); err != nil {
		t.Fatal(err)
	}
	// Once the notifier has seen the suspension, held is up again: its
	// next attempts are held too. (Started before, held could take a
	// delivery whose status check came just before the suspension.)
	var attempts int
	eventually(t, "held's notification is held", func() bool {
		h := pendingFor("held")
		if len(h) == 1 && strings.Contains(h[0].LastError, "suspended") {
			attempts = h[0].Attempts
			return true
		}
		return false
	})
	heldStub.start(t)
	eventually(t, "held's notification is held while held is up", func() bool {
		h := pendingFor("held")
		return len(h) == 1 && h[0].Attempts > attempts && strings.Contains(h[0].LastError, "suspended")
	})
	if heldStub.told("alpha") != 0 {
		t.Fatal("a suspended server was notified")
	}
	if _, err := adm.Resume(bg, "held", "admin:e2e"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "held is told after its resumption", func() bool { return heldStub.told("alpha") == 1 })

	cancelReq, err := m.as(t, goneKey, goneCert, "").Cancel(bg, api.CancelRequest{ServerID: "gone", Reason: "closing"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adm.Approve(bg, cancelReq, "admin:e2e", ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, "gone's notifications are dropped", func() bool { return len(pendingFor("gone")) == 0 })
}
