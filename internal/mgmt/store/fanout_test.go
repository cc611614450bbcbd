package store

import (
	"fmt"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/imictl/imictl/internal/boltdb"
)

// registerMany registers servers s00, s01, ... and expands their changes.
func registerMany(t *testing.T, s *Store, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id := fmt.Sprintf("s%02d", i)
		register(t, s, id)
		ids = append(ids, id)
	}
	return ids
}

// approveQueued approves a new server and leaves its change queued.
func approveQueued(t *testing.T, s *Store, id string) {
	t.Helper()
	a, err := s.Submit("applicant", newApp(id))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve(a.ID, Approval{Reviewer: "admin", Certificate: cert(id)}); err != nil {
		t.Fatal(err)
	}
}

// reopen closes s and opens its store again, as a restarted process does.
func reopen(t *testing.T, s *Store) *Store {
	t.Helper()
	var next *Store
	var err error
	switch be := s.be.(type) {
	case boltBackend:
		path := s.Path()
		s.Close()
		next, err = Open(path, Options{Now: s.now})
	case *etcdBackend:
		s.Close()
		next, err = OpenEtcd(be.cli, EtcdConfig{Prefix: be.prefix}, Options{Now: s.now})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { next.Close() })
	return next
}

// checkToldOnce fails unless every one of dests has exactly one entry
// about subject.
func checkToldOnce(t *testing.T, s *Store, subject string, dests []string) {
	t.Helper()
	out, err := s.ListOutbox(OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	told := map[string]int{}
	for _, e := range out {
		if e.Subject == subject {
			told[e.Destination]++
		}
	}
	for _, d := range dests {
		if told[d] != 1 {
			t.Errorf("%s told of %s %d times", d, subject, told[d])
		}
	}
	if len(told) != len(dests) {
		t.Errorf("told of %s: %v, want exactly %v", subject, told, dests)
	}
}

func TestChangeIsQueuedOnceAndExpandedInBatches(t *testing.T) {
	s, _ := openTest(t)
	dests := registerMany(t, s, 7)
	before := mustOutbox(t, s, OutboxFilter{})
	s.expandBatch = 3
	approveQueued(t, s, "new")
	// The approval queued one change and no entry.
	if after, _ := s.ListOutbox(OutboxFilter{}); len(after) != len(before) {
		t.Fatalf("the approval queued %d entries itself", len(after)-len(before))
	}
	queued, err := s.Expanding()
	if err != nil || len(queued) != 1 || queued[0].Subject != "new" || queued[0].Expanded != "" || queued[0].Clock == 0 {
		t.Fatalf("queued changes %+v, %v", queued, err)
	}
	// 7 destinations, 3 per batch: 3, 3, then 1 and the change is done.
	for i, want := range []struct {
		more     bool
		expanded string
		entries  int
	}{{true, "s02", 3}, {true, "s05", 6}, {false, "", 7}} {
		more, err := s.ExpandChanges()
		if err != nil || more != want.more {
			t.Fatalf("batch %d: more %v, %v", i, more, err)
		}
		queued, _ := s.Expanding()
		if want.more && (len(queued) != 1 || queued[0].Expanded != want.expanded) || !want.more && len(queued) != 0 {
			t.Fatalf("batch %d: queued %+v", i, queued)
		}
		if after, _ := s.ListOutbox(OutboxFilter{}); len(after)-len(before) != want.entries {
			t.Fatalf("batch %d: %d entries, want %d", i, len(after)-len(before), want.entries)
		}
	}
	if more, err := s.ExpandChanges(); more || err != nil {
		t.Fatalf("nothing left to expand: %v, %v", more, err)
	}
	checkToldOnce(t, s, "new", dests)
}

func TestExpansionResumesAfterACrashBetweenBatches(t *testing.T) {
	s, _ := openTest(t)
	dests := registerMany(t, s, 8)
	s.expandBatch = 3
	approveQueued(t, s, "first")
	approveQueued(t, s, "second")
	if more, err := s.ExpandChanges(); !more || err != nil {
		t.Fatalf("first batch: %v, %v", more, err)
	}
	// The process stops here; the next one expands what is left.
	s = reopen(t, s)
	s.expandBatch = 3
	expandAll(t, s)
	// "second" was active when the rest of "first" was expanded.
	checkToldOnce(t, s, "first", append(dests, "second"))
	checkToldOnce(t, s, "second", append(dests, "first"))
	// A destination hears of the changes in their order.
	out, _ := s.ListOutbox(OutboxFilter{Destination: "s00"})
	if n := len(out); n < 2 || out[n-2].Subject != "first" || out[n-1].Subject != "second" {
		t.Fatalf("s00's entries %+v", out)
	}
}

func TestOpenMigratesSchema1KeepingQueuedEntries(t *testing.T) {
	s, c := openTest(t)
	db := boltOf(t, s)
	register(t, s, "alpha")
	register(t, s, "beta")
	// A schema 1 database: no outbox_changes, entries queued per
	// destination (alpha's of beta).
	err := db.Update(func(tx *bbolt.Tx) error {
		if err := tx.DeleteBucket(bucketOutboxChanges); err != nil {
			return err
		}
		return tx.Bucket(boltdb.MetaBucket).Put(boltdb.SchemaKey, boltdb.U64(1))
	})
	if err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	if err := boltOf(t, s).View(func(tx *bbolt.Tx) error {
		if v := boltdb.FileVersion(tx); v != schema.Version() {
			return fmt.Errorf("schema %d after open", v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if due, err := s.DueOutbox(c.Now(), 0); err != nil || len(due) != 1 || due[0].Destination != "alpha" || due[0].Subject != "beta" {
		t.Fatalf("the entry queued before the migration: %+v, %v", due, err)
	}
	register(t, s, "gamma")
	checkToldOnce(t, s, "gamma", []string{"alpha", "beta"})
}

func TestOpenEtcdMigratesSchema1(t *testing.T) {
	s, _ := openTest(t)
	if _, ok := s.be.(*etcdBackend); !ok {
		t.Skip("the etcd migration; bbolt's is TestOpenMigratesSchema1KeepingQueuedEntries")
	}
	register(t, s, "alpha")
	if err := s.update(func(t *txn) error { return t.b(bucketMeta).Put(boltdb.SchemaKey, boltdb.U64(1)) }); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	var have uint64
	if err := s.view(func(t *txn) error { have = boltdb.Btou(t.b(bucketMeta).Get(boltdb.SchemaKey)); return nil }); err != nil || have != schema.Version() {
		t.Fatalf("schema %d after open, %v", have, err)
	}
	register(t, s, "beta")
	checkToldOnce(t, s, "beta", []string{"alpha"})
}

func TestRetryDestinationInBatches(t *testing.T) {
	s, c := openTest(t)
	register(t, s, "dest")
	registerMany(t, s, retryBatch+5) // dest is told of each
	pending := mustOutbox(t, s, OutboxFilter{Destination: "dest"})
	for _, e := range pending {
		if err := s.MarkFailed(e.ID, c.Now().Add(time.Hour), "down"); err != nil {
			t.Fatal(err)
		}
	}
	seq := lastAuditSeq(t, s)
	if n, err := s.RetryDestination("admin", "dest"); err != nil || n != len(pending) {
		t.Fatalf("retried %d of %d, %v", n, len(pending), err)
	}
	due := 0
	for _, e := range mustOutbox(t, s, OutboxFilter{Destination: "dest"}) {
		if !e.NextAttemptAt.After(c.Now()) {
			due++
		}
	}
	if due != len(pending) {
		t.Fatalf("%d of %d due after retry", due, len(pending))
	}
	if audit, _ := s.Audit(AuditFilter{After: seq}); len(audit) != 1 || audit[0].Action != ActionOutboxRetry {
		t.Fatalf("audit %+v", audit)
	}
}
