package store

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/imictl/imictl/internal/clocktest"
	"github.com/imictl/imictl/internal/etcdtest"
)

type clock = clocktest.Clock

// RFC 5280 revocation reason codes an administrator might give.
const (
	reasonUnspecified   = 0
	reasonKeyCompromise = 1
)

func newClock() *clock { return clocktest.New(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)) }

func TestMain(m *testing.M) { etcdtest.Main(m) }

// openTest opens a new store: a bbolt file, or a fresh prefix of the
// embedded etcd in the etcd pass (etcdtest.Main).
func openTest(t testing.TB) (*Store, *clock) {
	t.Helper()
	c := newClock()
	s, err := openNew(t, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, c
}

func openNew(t testing.TB, opts Options) (*Store, error) {
	e := etcdtest.Current()
	if e == nil {
		return Open(filepath.Join(t.TempDir(), "mgmt.db"), opts)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("on the etcd store")
		}
	})
	return OpenEtcd(e.Client(t), EtcdConfig{Prefix: e.Prefix()}, opts)
}

func fields(id string) ServerFields {
	return ServerFields{
		ServerName:    "Server " + id,
		ServerAddress: "https://" + id + ".example.com",
		ContactName:   "Li Lei",
		ContactEmail:  "ops@" + id + ".example.com",
		ContactMobile: "+86 138 0000 0000",
		ServerType:    "ref/imictl",
		Area:          "CN",
		OwnerID:       "owner-" + id,
	}
}

func newApp(id string) Application {
	return Application{Kind: KindNew, ServerID: id, Fields: fields(id), CSR: []byte("-----BEGIN CERTIFICATE REQUEST-----\n" + id + "\n")}
}

var serialCounter struct {
	sync.Mutex
	n uint64
}

// cert makes the certificate record a CA would hand over; DER is opaque here.
func cert(serverID string) *Certificate {
	serialCounter.Lock()
	serialCounter.n++
	n := serialCounter.n
	serialCounter.Unlock()
	nb := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	return &Certificate{
		Serial:    fmt.Sprintf("%x", 0xabc000+n),
		ServerID:  serverID,
		DER:       []byte("der of " + serverID),
		NotBefore: nb,
		NotAfter:  nb.AddDate(1, 0, 0),
	}
}

// register submits and approves a new server.
func register(t testing.TB, s *Store, id string) Server {
	t.Helper()
	a, err := s.Submit("applicant", newApp(id))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve(a.ID, Approval{Reviewer: "admin", Certificate: cert(id)}); err != nil {
		t.Fatal(err)
	}
	expandAll(t, s)
	srv, err := s.GetServer(id)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// dump is every key and value in the store, to assert that a refused
// operation changed nothing.
func dump(t testing.TB, s *Store) map[string]string {
	t.Helper()
	out, err := s.Contents()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func assertUnchanged(t testing.TB, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if w, ok := after[k]; !ok || w != v {
			t.Errorf("key %q changed: %q -> %q", k, v, w)
		}
	}
	for k, v := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("key %q added: %q", k, v)
		}
	}
}

// boltOf is the bbolt file under s, for tests of the bbolt backend itself
// (locking, schema versions, unreadable records); they skip on etcd.
func boltOf(t testing.TB, s *Store) *bbolt.DB {
	t.Helper()
	b, ok := s.be.(boltBackend)
	if !ok {
		t.Skip("a test of the bbolt file itself")
	}
	return b.db
}

// bboltPass skips a test of bbolt's Open in the etcd pass: it opens its
// own files, so it ran in the bbolt pass already.
func bboltPass(t testing.TB) {
	if etcdtest.Current() != nil {
		t.Skip("a test of bbolt files; it ran in the bbolt pass")
	}
}

// expandAll expands every queued change into notifications, as the
// notifier does before delivering; it fails the test if that takes more
// than a batch per destination and change could.
func expandAll(t testing.TB, s *Store) {
	t.Helper()
	for range 10000 {
		more, err := s.ExpandChanges()
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			return
		}
	}
	t.Fatal("ExpandChanges still reports changes after 10000 batches")
}
