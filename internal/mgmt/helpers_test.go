package mgmt

import (
	"context"
	"crypto/ecdsa"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/clocktest"
	"github.com/imictl/imictl/internal/etcdtest"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

var bg = context.Background()

type clock = clocktest.Clock

// env is a Service over a real store file and a real CA in t.TempDir().
type env struct {
	svc   *Service
	st    *store.Store
	ca    *ca.CA
	clock *clock
	roots *smx509.CertPool
}

func newCA(t testing.TB, dir string, now time.Time) *ca.CA {
	t.Helper()
	c, err := ca.Init(dir, ca.InitOptions{CommonName: "test root", ServerName: "test mgmt", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMain(m *testing.M) { etcdtest.Main(m) }

// openStore opens a new store: a bbolt file in dir, or a fresh prefix of
// the embedded etcd in the etcd pass (etcdtest.Main).
func openStore(t testing.TB, dir string, opts store.Options) *store.Store {
	t.Helper()
	var st *store.Store
	var err error
	if e := etcdtest.Current(); e != nil {
		st, err = store.OpenEtcd(e.Client(t), store.EtcdConfig{Prefix: e.Prefix()}, opts)
		t.Cleanup(func() {
			if t.Failed() {
				t.Log("on the etcd store")
			}
		})
	} else {
		st, err = store.Open(filepath.Join(dir, "mgmt.db"), opts)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newEnv builds an env; mutate adjusts the options (e.g. to drop the CA).
func newEnv(t testing.TB, mutate func(*Options)) *env {
	t.Helper()
	dir := t.TempDir()
	clk := clocktest.New(time.Now().Truncate(time.Second))
	authority := newCA(t, filepath.Join(dir, "ca"), clk.Now().Add(-time.Hour))
	st := openStore(t, dir, store.Options{Now: clk.Now})
	opts := Options{CA: authority, Now: clk.Now}
	if mutate != nil {
		mutate(&opts)
	}
	roots := smx509.NewCertPool()
	roots.AddCert(authority.Root.Cert)
	return &env{svc: New(st, opts), st: st, ca: authority, clock: clk, roots: roots}
}

func newKey(t testing.TB) *sm2.PrivateKey {
	t.Helper()
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func csrPEM(t testing.TB, key *sm2.PrivateKey, serverID string) string {
	t.Helper()
	der, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: serverID, ServerName: serverID + " IM"})
	if err != nil {
		t.Fatal(err)
	}
	return string(pki.EncodeCSRPEM(der))
}

func submitReq(t testing.TB, key *sm2.PrivateKey, id string) api.SubmitRequest {
	return api.SubmitRequest{
		ServerID:      id,
		ServerName:    id + " IM",
		ServerAddress: "https://" + id + ".example.com",
		ContactName:   "Ops " + id,
		ContactEmail:  "ops@" + id + ".example.com",
		ContactMobile: "+86 135-0000-1111",
		ServerType:    "imictl",
		Area:          "CN",
		OwnerID:       "owner-" + id,
		CSR:           csrPEM(t, key, id),
	}
}

// register submits and approves a server, returning its key.
func (e *env) register(t testing.TB, id string) *sm2.PrivateKey {
	t.Helper()
	key := newKey(t)
	a, err := e.svc.Submit(bg, submitReq(t, key, id))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(bg, a.ID, "admin:test", ""); err != nil {
		t.Fatal(err)
	}
	e.expand(t)
	return key
}

// expand expands the queued changes into notifications, as the notifier
// does before delivering, in at most 1000 batches.
func (e *env) expand(t testing.TB) {
	t.Helper()
	for range 1000 {
		more, err := e.st.ExpandChanges()
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			return
		}
	}
	t.Fatal("changes still queued after 1000 batches")
}

// snapshot is everything in the store, to assert that a refused operation
// changed nothing (a rolled-back transaction leaves the store as it was).
func (e *env) snapshot(t testing.TB) map[string]string {
	t.Helper()
	c, err := e.st.Contents()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) assertUnchanged(t testing.TB, before map[string]string) {
	t.Helper()
	if !maps.Equal(before, e.snapshot(t)) {
		t.Error("the database changed")
	}
}

func publicKey(k *sm2.PrivateKey) *ecdsa.PublicKey { return &k.PublicKey }
