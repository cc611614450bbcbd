package imstore

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// holdCommits starts a grouped transaction that waits until the returned
// release is called, so that the calls made meanwhile queue and then share
// the next commits, as concurrent messages do on a busy server. A test
// that fails before releasing releases at cleanup, so that it ends.
func holdCommits(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, open := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.batch(func(*txn) error {
			close(started)
			<-open
			return nil
		})
	}()
	<-started
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(open)
			must(t, <-done)
		})
	}
	t.Cleanup(release)
	return release
}

// waitQueued polls until n calls wait for the next commit (at most 10s; a
// passing run takes milliseconds).
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	for range 10000 {
		if s.CommitStats().Waiting == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d calls queued, want %d", s.CommitStats().Waiting, n)
}

// reopen closes s and opens its file again, as after a crash or restart:
// what it returns is what was committed.
func reopen(t *testing.T, s *Store) *Store {
	t.Helper()
	must(t, s.Close())
	s2, err := Open(s.Path(), Options{})
	must(t, err)
	t.Cleanup(func() { s2.Close() })
	return s2
}

// Messages arriving together share commits: every acknowledged one is in
// the file, once (duplicates among them too), and a delivery to a user
// who does not exist fails alone.
func TestGroupedDeliveries(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "bob", "Bob")
	addUser(t, s, "carol", "Carol")
	type call struct {
		user, id string
		dup      bool
		err      error
	}
	var calls []*call
	for i := range 12 {
		calls = append(calls, &call{user: []string{"bob", "carol"}[i%2], id: fmt.Sprintf("m%d@alpha", i)})
		if i%4 == 0 { // the same message again, as a peer's retry
			calls = append(calls, &call{user: calls[len(calls)-1].user, id: fmt.Sprintf("m%d@alpha", i)})
		}
		if i%5 == 0 {
			calls = append(calls, &call{user: "zed", id: fmt.Sprintf("z%d@alpha", i)})
		}
	}
	release := holdCommits(t, s)
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Go(func() {
			_, c.dup, c.err = s.DeliverLocal(c.user, textMsg(c.id, "alice@alpha", c.user+"@beta", c.id))
		})
	}
	waitQueued(t, s, len(calls))
	release()
	wg.Wait()

	originals := map[string]int{}
	failed := 0
	for _, c := range calls {
		if c.user == "zed" {
			if !errors.Is(c.err, ErrNotFound) || c.err.Error() != `no user "zed"; check the id, or list them to see what exists` {
				t.Errorf("delivery to zed: %v, want its own not-found error", c.err)
			}
			failed++
			continue
		}
		if c.err != nil {
			t.Errorf("delivery of %s to %s: %v", c.id, c.user, c.err)
		}
		if !c.dup {
			originals[c.user+" "+c.id]++
		}
	}
	if st := s.CommitStats(); st.Commits != 2 || st.Alone != uint64(failed) || int(st.Calls) != 1+len(calls)-failed {
		t.Errorf("commit stats %+v: want the held commit, then one for the %d deliveries, %d of them run again alone", st, len(calls), failed)
	}

	s = reopen(t, s)
	stored := map[string]int{}
	for _, u := range []string{"bob", "carol"} {
		msgs, err := s.Inbox(u, 0, 0)
		must(t, err)
		for _, m := range msgs {
			stored[u+" "+m.MessageID]++
		}
	}
	if len(stored) != 12 || fmt.Sprint(stored) != fmt.Sprint(originals) {
		t.Errorf("after reopening: %v\nacknowledged as new: %v\nwant the 12 messages once each", stored, originals)
	}
	if _, err := s.GetUser("zed"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a failed delivery created its user: %v", err)
	}
}

// A sender's messages, queued together, and their deliveries, marked
// together, are all in the file; a messageID sent twice is refused once.
func TestGroupedSendsAndMarks(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
	ids := []string{"m0@alpha", "m1@alpha", "m2@alpha", "m1@alpha", "m3@alpha"}
	errs := make([]error, len(ids))
	release := holdCommits(t, s)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			msg := textMsg(id, "alice@alpha", fmt.Sprintf("u%d@beta", i), "hi")
			_, errs[i] = s.RecordSent("alice", msg, chatSend("beta", msg))
		})
	}
	waitQueued(t, s, len(ids))
	release()
	wg.Wait()
	if errs[1] != nil && errs[3] != nil || errs[1] == nil && errs[3] == nil {
		t.Errorf("m1 sent twice: %v, %v; want exactly one refused", errs[1], errs[3])
	}
	for _, err := range []error{errs[1], errs[3]} {
		if err != nil && (!errors.Is(err, ErrExists) || err.Error() != `message "m1@alpha" already exists; nothing was changed`) {
			t.Errorf("m1 refused with %v, want ErrExists", err)
		}
	}
	for _, i := range []int{0, 2, 4} {
		must(t, errs[i])
	}

	items, err := s.ListOutbox(OutboxFilter{})
	must(t, err)
	release = holdCommits(t, s)
	marks := make([]error, len(items)+1)
	for i := range marks {
		wg.Go(func() { marks[i] = s.MarkDelivered(items[i%len(items)].ID) }) // the first twice
	}
	waitQueued(t, s, len(marks))
	release()
	wg.Wait()
	for i, err := range marks {
		if err != nil {
			t.Errorf("mark %d: %v", i, err)
		}
	}

	s = reopen(t, s)
	sent, err := s.SentBy("alice", 0, 0)
	must(t, err)
	var got []string
	for _, m := range sent {
		got = append(got, m.MessageID)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != "[m0@alpha m1@alpha m2@alpha m3@alpha]" {
		t.Errorf("sent after reopening: %v", got)
	}
	items, err = s.ListOutbox(OutboxFilter{})
	must(t, err)
	if len(items) != 4 {
		t.Errorf("%d outbox items after reopening, want 4", len(items))
	}
	for _, it := range items {
		if it.State != OutboxDelivered || it.Attempts != 1 {
			t.Errorf("item %d (%s): %s after %d attempts, want delivered once", it.ID, it.MessageID, it.State, it.Attempts)
		}
	}
	if dests, err := s.Destinations(); err != nil || len(dests) != 0 {
		t.Errorf("destinations with undelivered items: %+v %v", dests, err)
	}
}
