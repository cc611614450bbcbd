package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
	"github.com/imictl/imictl/internal/etcdtest"
)

// etcdPass skips a test of the etcd backend itself in the bbolt pass.
func etcdPass(t testing.TB) *etcdtest.Server {
	t.Helper()
	e := etcdtest.Current()
	if e == nil {
		t.Skip("a test of the etcd backend; it runs in the etcd pass")
	}
	return e
}

// replicasOn opens n stores on one fresh prefix of e: n replicas of one
// registry, whose compare-and-swaps race in etcd, not in one process.
func replicasOn(t *testing.T, e *etcdtest.Server, n int, opts Options) []*Store {
	t.Helper()
	prefix := e.Prefix() // a fresh one each call
	out := make([]*Store, n)
	for i := range out {
		s, err := OpenEtcd(e.Client(t), EtcdConfig{Prefix: prefix}, opts)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = s
	}
	return out
}

func TestEtcdOpenSchemaAndRefusals(t *testing.T) {
	e := etcdPass(t)
	cli := e.Client(t)
	prefix := e.Prefix()
	if _, err := OpenEtcd(cli, EtcdConfig{Prefix: prefix}, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "no management registry in etcd") {
		t.Fatalf("read-only open of an empty prefix: %v", err)
	}
	s, err := OpenEtcd(cli, EtcdConfig{Prefix: prefix}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	register(t, s, "alpha")
	if _, err := s.Backup(new(strings.Builder)); err == nil || !strings.Contains(err.Error(), "etcdctl snapshot save") {
		t.Errorf("Backup of an etcd store: %v", err)
	}
	// A second opener (another replica) sees the same registry.
	r, err := OpenEtcd(cli, EtcdConfig{Prefix: prefix}, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if srv, err := r.GetServer("alpha"); err != nil || srv.ServerID != "alpha" {
		t.Fatalf("the second opener: %+v, %v", srv, err)
	}
	// A registry written by a newer imictl is refused.
	err = s.update(func(t *txn) error { return t.b(bucketMeta).Put(boltdb.SchemaKey, boltdb.U64(9)) })
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenEtcd(cli, EtcdConfig{Prefix: prefix}, Options{})
	var se *SchemaTooNewError
	if !errors.As(err, &se) || se.File != 9 {
		t.Fatalf("newer schema: %v", err)
	}
	if _, err := (EtcdConfig{}).Dial(); err == nil || !strings.Contains(err.Error(), "--etcd-endpoints") {
		t.Errorf("no endpoints: %v", err)
	}
}

// Two stores on one prefix are two replicas: their compare-and-swaps race
// in etcd, not in one process.
func TestEtcdReplicasRaceOnOneRegistry(t *testing.T) {
	c := newClock()
	replicas := replicasOn(t, etcdPass(t), 2, Options{Now: c.Now})
	const n = 8
	apps := make([]Application, n)
	for i := range apps {
		a, err := replicas[i%2].Submit("applicant", newApp("srv"+string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		apps[i] = a
	}
	// Every application approved on both replicas at once: exactly one
	// approval of each wins, the other is refused as already decided.
	var wg sync.WaitGroup
	wins := make([]int, n)
	var mu sync.Mutex
	for i := range apps {
		for _, r := range replicas {
			wg.Go(func() {
				_, err := r.Approve(apps[i].ID, Approval{Reviewer: "admin", Certificate: cert(apps[i].ServerID)})
				switch {
				case err == nil:
					mu.Lock()
					wins[i]++
					mu.Unlock()
				case !errors.Is(err, ErrAlreadyDecided):
					t.Errorf("approve %s: %v", apps[i].ID, err)
				}
			})
		}
	}
	wg.Wait()
	for i, w := range wins {
		if w != 1 {
			t.Errorf("%s approved %d times", apps[i].ID, w)
		}
	}
	// The change clock is global: every server has its own value, and an
	// incremental query from 0 sees them all.
	servers, _, err := replicas[1].ChangedSince(0, nil)
	if err != nil || len(servers) != n {
		t.Fatalf("changed since 0: %d servers, %v", len(servers), err)
	}
	seen := map[int64]bool{}
	for _, s := range servers {
		if seen[s.ChangedAt] {
			t.Errorf("change clock value %d used twice", s.ChangedAt)
		}
		seen[s.ChangedAt] = true
	}
	// Both replicas expand the queued changes at once (the notifier's
	// election makes it one; competing must still be correct). The
	// destinations are the servers active at expansion, all n by now:
	// every notification queued once per (destination, subject).
	for _, r := range replicas {
		wg.Go(func() {
			for more := true; more; {
				var err error
				if more, err = r.ExpandChanges(); err != nil {
					t.Errorf("expand: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	entries, err := replicas[0].ListOutbox(OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	pairs := map[[2]string]int{}
	for _, en := range entries {
		pairs[[2]string{en.Destination, en.Subject}]++
	}
	for p, k := range pairs {
		if k != 1 {
			t.Errorf("%v queued %d times", p, k)
		}
	}
	if len(pairs) != n*(n-1) {
		t.Errorf("%d notifications, want %d", len(pairs), n*(n-1))
	}
}

// A change bigger than the cluster allows in one transaction is refused
// with what to configure, and changes nothing.
func TestEtcdTooLargeChangeSaysWhatToConfigure(t *testing.T) {
	etcdPass(t)
	small, err := etcdtest.StartWith(t.TempDir(), etcdtest.Limits{}) // etcd's defaults: 128 operations
	if err != nil {
		t.Skipf("a second embedded etcd cannot start: %v", err)
	}
	defer small.Close()
	s, err := OpenEtcd(small.Client(t), EtcdConfig{Prefix: small.Prefix()}, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	many := make([]Server, 40)
	for i := range many {
		id := "srv" + strconv.Itoa(i)
		many[i] = Server{ServerID: id, ServerFields: fields(id)}
	}
	before := dump(t, s)
	err = s.ImportServers("admin", many)
	if err == nil || !strings.Contains(err.Error(), "start etcd with a greater --max-txn-ops") {
		t.Fatalf("import of 40 servers in one transaction: %v", err)
	}
	assertUnchanged(t, before, dump(t, s))
}

// A transaction that scanned a bucket runs again when another replica
// inserted, changed or deleted a key there before it committed; its
// cursor sees its own writes merged with the snapshot.
func TestEtcdScanConflictsAndOwnWrites(t *testing.T) {
	r := replicasOn(t, etcdPass(t), 2, Options{})
	a, b := r[0], r[1]
	bucket := bucketServersActive
	put := func(s *Store, keys ...string) {
		t.Helper()
		err := s.update(func(t *txn) error {
			for _, k := range keys {
				if err := t.b(bucket).Put([]byte(k), nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put(a, "k1", "k3")
	for _, c := range []struct {
		name      string
		meanwhile func()
		want      string // what the second run's scan sees
	}{
		{"insert", func() { put(b, "k2") }, "k0,k1,k2"},
		{"delete", func() {
			if err := b.update(func(t *txn) error { return t.b(bucket).Delete([]byte("k1")) }); err != nil {
				t.Fatal(err)
			}
		}, "k0,k2"},
	} {
		runs := 0
		var seen []string
		err := a.update(func(t *txn) error {
			runs++
			seen = nil
			if err := t.b(bucket).Put([]byte("k0"), nil); err != nil {
				return err
			}
			if err := t.b(bucket).Delete([]byte("k3")); err != nil {
				return err
			}
			err := t.b(bucket).ForEach(func(k, _ []byte) error {
				seen = append(seen, string(k))
				return nil
			})
			if runs == 1 {
				c.meanwhile()
			}
			if err != nil {
				return err
			}
			return t.b(bucketMeta).Put([]byte("seen"), []byte(strings.Join(seen, ",")))
		})
		if err != nil {
			t.Fatal(err)
		}
		if runs != 2 || strings.Join(seen, ",") != c.want {
			t.Errorf("%s: the scan ran %d times, the last saw %v; want 2 runs (once more after the conflict), the last seeing %s", c.name, runs, seen, c.want)
		}
		put(a, "k3") // as before the next case
	}
	got := map[string]bool{}
	a.view(func(t *txn) error {
		return t.b(bucket).ForEach(func(k, _ []byte) error { got[string(k)] = true; return nil })
	})
	if !got["k0"] || !got["k2"] || got["k1"] || !got["k3"] {
		t.Errorf("the bucket holds %v", got)
	}
}

// A change, its notifications to more servers than etcd's default 128
// operations would take at once, their retry and their pruning all fit
// etcd's default limits: they run in bounded transactions.
func TestEtcdDefaultLimitsSufficeForChangesAndNotifications(t *testing.T) {
	etcdPass(t)
	small, err := etcdtest.StartWith(t.TempDir(), etcdtest.Limits{}) // etcd's defaults: 128 operations
	if err != nil {
		t.Skipf("a second embedded etcd cannot start: %v", err)
	}
	defer small.Close()
	c := newClock()
	s, err := OpenEtcd(small.Client(t), EtcdConfig{Prefix: small.Prefix()}, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	register(t, s, "dest")
	for i := range 70 {
		register(t, s, fmt.Sprintf("s%02d", i))
	}
	approveQueued(t, s, "last")
	expandAll(t, s)
	told := 0
	for _, e := range mustOutbox(t, s, OutboxFilter{}) {
		if e.Subject == "last" {
			told++
		}
	}
	if told != 71 {
		t.Fatalf("last told to %d servers, want 71", told)
	}
	pending := mustOutbox(t, s, OutboxFilter{Destination: "dest"})
	for _, e := range pending {
		if err := s.MarkFailed(e.ID, c.Now().Add(time.Hour), "down"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.RetryDestination("admin", "dest"); err != nil || n != len(pending) {
		t.Fatalf("retried %d of %d: %v", n, len(pending), err)
	}
	for _, e := range pending {
		if err := s.MarkDelivered(e.ID); err != nil {
			t.Fatal(err)
		}
	}
	c.Add(time.Hour)
	if n, err := s.PruneOutbox(c.Now(), 10000); err != nil || n != len(pending) {
		t.Fatalf("pruned %d of %d: %v", n, len(pending), err)
	}
}

// Keys a writable transaction prefetched are read like the others: when
// another replica changes one before the commit, the transaction runs again
// and sees the new value.
func TestEtcdPrefetchedKeysAreRead(t *testing.T) {
	r := replicasOn(t, etcdPass(t), 2, Options{})
	a, b := r[0], r[1]
	set := func(s *Store, k, v string) {
		t.Helper()
		if err := s.update(func(t *txn) error { return t.b(bucketMeta).Put([]byte(k), []byte(v)) }); err != nil {
			t.Fatal(err)
		}
	}
	set(a, "p1", "old")
	runs, seen := 0, ""
	err := a.update(func(t *txn) error {
		runs++
		meta := t.b(bucketMeta)
		prefetch(meta, []string{"p0", "p1"}) // p0 absent
		seen = string(meta.Get([]byte("p1")))
		if meta.Get([]byte("p0")) != nil {
			return errors.New("an absent key read as present")
		}
		if runs == 1 {
			set(b, "p1", "new")
		}
		return meta.Put([]byte("p2"), []byte(seen))
	})
	if err != nil || runs != 2 || seen != "new" {
		t.Fatalf("runs %d, saw %q (%v): want 2 runs, the second seeing the other replica's write", runs, seen, err)
	}
}

// Two replicas recording the same nonce at once: exactly one succeeds.
func TestEtcdRememberNonceOnce(t *testing.T) {
	stores := replicasOn(t, etcdPass(t), 4, Options{})
	for round := range 5 {
		nonce := "n" + strconv.Itoa(round)
		errs := make([]error, len(stores))
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() { errs[i] = s.RememberNonce("3f2a", nonce, time.Now().Add(time.Minute)) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ErrNonceUsed):
				t.Fatal(err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d replicas recorded the nonce, want 1 (%v)", round, ok, errs)
		}
	}
}
