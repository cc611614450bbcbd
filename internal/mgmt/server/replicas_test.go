package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/etcdtest"
	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/server"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// replicaOf starts another management server on m's registry in etcd,
// with a data directory (admin socket) of its own and its configuration
// changed by edit.
func replicaOf(t *testing.T, m *mgmtProc, edit ...func(*server.Config)) *mgmtProc {
	t.Helper()
	prefix, _ := etcdPrefixes.Load(m.dataDir)
	dir := t.TempDir()
	etcdPrefixes.Store(dir, prefix)
	return startMgmtWith(t, dir, func(c *server.Config) {
		for _, e := range edit {
			e(c)
		}
	})
}

type peer struct {
	id   string
	key  *sm2.PrivateKey
	cert *smx509.Certificate
	stub *imStub
}

// Three replicas on one embedded etcd serve one registry: registrations
// go to any of them, racing approvals on two have one winner, a client
// switching replicas between incremental queries misses nothing, a
// revocation published on one is enforced by all, and the notifications
// of a burst during which the sending replica stops are all delivered.
func TestReplicasOnEtcd(t *testing.T) {
	if etcdtest.Current() == nil {
		t.Skip("replicas need the etcd store; this runs in the etcd pass")
	}
	r := []*mgmtProc{startMgmt(t, t.TempDir())}
	r = append(r, replicaOf(t, r[0]), replicaOf(t, r[0]))
	for _, m := range r[1:] {
		if !m.root().Equal(r[0].root()) || m.CA().SelfID != r[0].CA().SelfID {
			t.Fatal("the replicas have different CAs")
		}
	}

	// Registrations submitted to different replicas; each approved on two
	// replicas at once: exactly one approval wins.
	var peers []*peer
	register := func(n int) {
		for range n {
			i := len(peers)
			p := &peer{id: fmt.Sprintf("peer%d", i), key: newKey(t), stub: newStub(t)}
			reqID, err := r[i%3].public(t).Submit(bg, submitReq(t, p.key, p.id, p.stub.URL()))
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for j, m := range []*mgmtProc{r[(i+1)%3], r[(i+2)%3]} {
				wg.Go(func() { _, errs[j] = m.admin(t).Approve(bg, reqID, "admin:race", "") })
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("approving %s on two replicas at once: %v, %v; want exactly one success", reqID, errs[0], errs[1])
			}
			p.cert = fetchCert(t, r[i%3].as(t, p.key, nil, p.id), reqID)
			p.stub.become(t, r[0], p.key, p.cert)
			peers = append(peers, p)
		}
	}
	register(3)

	// An IM server's incremental view, each query to the next replica.
	watcher := peers[0]
	var view []string
	var lastTime int64
	query := func(m *mgmtProc) {
		t.Helper()
		resp, err := m.as(t, watcher.key, watcher.cert, "").Servers(bg, api.ServersQuery{LastQueryTime: lastTime})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range resp.Servers {
			if !slices.Contains(view, s.ServerID) {
				view = append(view, s.ServerID)
			}
		}
		lastTime = resp.ServerTime
	}
	query(r[0])
	for i := range 3 {
		register(2)
		query(r[(i+1)%3])
	}
	full, err := r[2].as(t, watcher.key, watcher.cert, "").Servers(bg, api.ServersQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(view) != len(full.Servers) || len(full.Servers) != len(peers) {
		t.Fatalf("the incremental view across replicas has %d servers (%v), the full one %d, registered %d", len(view), view, len(full.Servers), len(peers))
	}

	// A revocation published on one replica is enforced by the others.
	revokedPeer := peers[len(peers)-1]
	if _, err := r[0].admin(t).Revoke(bg, fmt.Sprintf("%x", revokedPeer.cert.SerialNumber), 1, "admin:e2e"); err != nil {
		t.Fatal(err)
	}
	for _, m := range r[1:] {
		eventually(t, "another replica refuses the revoked certificate", func() bool {
			_, err := m.as(t, revokedPeer.key, revokedPeer.cert, "").Servers(bg, api.ServersQuery{})
			return err != nil
		})
	}

	// A burst of changes (suspend and resume each peer) on one replica,
	// and the replica sending the notifications stops in the middle.
	var leader *mgmtProc
	eventually(t, "one replica sends the notifications", func() bool {
		leader = nil
		n := 0
		for _, m := range r {
			if m.SendsNotifications() {
				leader, n = m, n+1
			}
		}
		return n == 1
	})
	var rest []*mgmtProc
	for _, m := range r {
		if m != leader {
			rest = append(rest, m)
		}
	}
	adm := rest[0].admin(t)
	for _, p := range peers[:len(peers)-1] {
		if _, err := adm.Suspend(bg, p.id, "admin:burst"); err != nil {
			t.Fatal(err)
		}
		if _, err := adm.Resume(bg, p.id, "admin:burst"); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := adm.Notifications(bg, store.OutboxFilter{State: store.OutboxPending})
	if err != nil {
		t.Fatal(err)
	}
	leader.stop()
	t.Logf("stopped the sending replica with %d notifications pending", len(pending))
	var entries []store.OutboxEntry
	eventually(t, "every notification is delivered by the next leader", func() bool {
		entries, err = adm.Notifications(bg, store.OutboxFilter{})
		if err != nil {
			return false
		}
		for _, e := range entries {
			if e.State != store.OutboxDelivered && e.Destination != revokedPeer.id {
				return false
			}
		}
		return true
	})
	if !rest[0].SendsNotifications() && !rest[1].SendsNotifications() {
		t.Error("no replica took over the notifier")
	}
	byID := map[string]*peer{}
	for _, p := range peers {
		byID[p.id] = p
	}
	for _, e := range entries {
		if p := byID[e.Destination]; p != nil && e.Destination != revokedPeer.id && p.stub.told(e.Subject) == 0 {
			t.Errorf("%s was never told that %s changed", e.Destination, e.Subject)
		}
	}
}

// A remote admin call accepted by one replica is a replay for the others,
// whose own replay caches never saw it: the nonce is shared through etcd.
func TestRemoteAdminReplayAcrossReplicas(t *testing.T) {
	if etcdtest.Current() == nil {
		t.Skip("replicas need the etcd store; this runs in the etcd pass")
	}
	a := startRemoteMgmt(t)
	b := replicaOf(t, a, func(c *server.Config) { c.AdminAddr = "127.0.0.1:0" })
	adm := a.admin(t)
	key, cert := adminCert(t, adm, "ops")
	first, err := a.public(t).Submit(bg, submitReq(t, newKey(t), "alpha", "https://alpha.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := a.public(t).Submit(bg, submitReq(t, newKey(t), "beta", "https://beta.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"actor":"admin:x"}`)
	approve := func(reqID string) string { return mgmt.AdminRequests + "/" + reqID + "/approve" }
	// The same signed request to a, then to b.
	req := signedReq(t, a, keySigner(t, key, cert), http.MethodPost, approve(first), body)
	if status, reason := send(t, req, body); status != http.StatusOK {
		t.Fatalf("the approval at the first replica: HTTP %d %s", status, reason)
	}
	before, _ := adm.Audit(bg, store.AuditFilter{})
	replay := req.Clone(bg)
	replay.URL.Host, replay.Host = hostOf(t, b.AdminURL()), ""
	if status, reason := send(t, replay, body); status != http.StatusUnauthorized || reason != string(httpsig.ReasonReplay) {
		t.Fatalf("the same request at the other replica: HTTP %d %q, want 401 replay", status, reason)
	}
	if after, _ := adm.Audit(bg, store.AuditFilter{}); len(after) != len(before) {
		t.Fatal("the replay changed something")
	}
	// A fresh request to b is served.
	if status, reason := rawSigned(t, b, keySigner(t, key, cert), http.MethodPost, approve(second), body); status != http.StatusOK {
		t.Fatalf("a fresh approval at the other replica: HTTP %d %s", status, reason)
	}
}

func hostOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
