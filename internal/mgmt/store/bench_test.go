package store

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/imictl/imictl/internal/etcdtest"
)

// seedServers stores n active servers directly, in batches, without the
// notifications that registering them one by one would queue (n² entries).
// A batch is 3 writes per server, within etcd's default 128 operations.
func seedServers(b *testing.B, s *Store, n int) {
	b.Helper()
	const batch = 40
	for start := 0; start < n; start += batch {
		err := s.update(func(t *txn) error {
			for i := start; i < min(start+batch, n); i++ {
				id := fmt.Sprintf("server-%05d", i)
				srv := Server{ServerID: id, ServerFields: fields(id), CertSerial: fmt.Sprintf("%x", 0x100000+i), CreatedAt: t.now}
				if err := t.putServer(&srv); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// openDefaultLimits opens a store as openTest does, but in the etcd pass on
// a member of its own with etcd's default limits (128 operations, 1.5 MiB
// per transaction) and fsync: what an approval needs of etcd.
func openDefaultLimits(b *testing.B) *Store {
	b.Helper()
	if etcdtest.Current() == nil {
		s, _ := openTest(b)
		return s
	}
	e, err := etcdtest.StartWith(b.TempDir(), etcdtest.Limits{Fsync: true})
	if err != nil {
		b.Skipf("a second embedded etcd cannot start: %v", err)
	}
	b.Cleanup(e.Close)
	s, err := OpenEtcd(e.Client(b), EtcdConfig{Prefix: e.Prefix()}, Options{Now: newClock().Now})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkDirectoryFull10k(b *testing.B) {
	s, _ := openTest(b)
	seedServers(b, s, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		servers, _, err := s.ChangedSince(0, nil)
		if err != nil || len(servers) != 10_000 {
			b.Fatalf("%d servers, %v", len(servers), err)
		}
	}
}

// 10 of 10,000 servers changed since the client's last query.
func BenchmarkDirectoryIncremental(b *testing.B) {
	s, _ := openTest(b)
	seedServers(b, s, 10_000)
	_, last, _ := s.ChangedSince(0, nil)
	// Changed without the 10,000 notifications each change would queue.
	err := s.update(func(t *txn) error {
		for i := range 10 {
			srv, err := t.server(fmt.Sprintf("server-%05d", i*997))
			if err != nil {
				return err
			}
			srv.Status = StatusSuspended
			if err := t.putServer(&srv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		servers, _, err := s.ChangedSince(last, nil)
		if err != nil || len(servers) != 10 {
			b.Fatalf("%d servers, %v", len(servers), err)
		}
	}
}

// Approving a registration: certificate, server, the change queued for
// its notifications, audit, in one transaction (with fsync). ExpandChanges
// queues the notifications afterwards: BenchmarkApproveAndExpand.
func BenchmarkApproveStoreWrite(b *testing.B) {
	benchApprove(b, false)
}

// An approval and its notifications to every active server, expanded in
// batches as the notifier does: the whole cost of one change.
func BenchmarkApproveAndExpand(b *testing.B) {
	benchApprove(b, true)
}

func benchApprove(b *testing.B, expand bool) {
	for _, active := range []int{100, 1000, 10_000} {
		b.Run(fmt.Sprintf("active=%d", active), func(b *testing.B) {
			s := openDefaultLimits(b)
			seedServers(b, s, active)
			ids := make([]string, b.N)
			for i := range ids {
				a, err := s.Submit("applicant", newApp(fmt.Sprintf("new-%d", i)))
				if err != nil {
					b.Fatal(err)
				}
				ids[i] = a.ID
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i, id := range ids {
				if _, err := s.Approve(id, Approval{Reviewer: "admin", Certificate: cert(fmt.Sprintf("new-%d", i))}); err != nil {
					b.Fatal(err)
				}
				if expand {
					expandAll(b, s)
				}
			}
		})
	}
}

// Approvals from 8 goroutines at once (several reviewers, or replicas on
// one etcd), with 100 active servers: bbolt serialises the writers; etcd
// runs them optimistically and runs again the ones that conflicted.
func BenchmarkApproveParallel(b *testing.B) {
	s, _ := openTest(b)
	seedServers(b, s, 100)
	var next atomic.Int64
	b.SetParallelism(8)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("par-%d", next.Add(1))
			a, err := s.Submit("applicant", newApp(id))
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := s.Approve(a.ID, Approval{Reviewer: "admin", Certificate: cert(id)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
