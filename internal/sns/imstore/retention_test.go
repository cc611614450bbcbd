package imstore

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

func TestPruneMessages(t *testing.T) {
	s, c := openTest(t)
	addUser(t, s, "bob", "Bob")
	addUser(t, s, "carol", "Carol")
	start := c.Now()
	// Three messages an hour apart to each user and from bob, and a
	// repeal at the start.
	for i := range 3 {
		for _, u := range []string{"bob", "carol"} {
			if _, _, err := s.DeliverLocal(u, textMsg(fmt.Sprintf("m%d-%s@alpha", i, u), "alice@alpha", u+"@beta", "hi")); err != nil {
				t.Fatal(err)
			}
		}
		out := textMsg(fmt.Sprintf("s%d@beta", i), "bob@beta", "alice@alpha", "hello")
		if _, err := s.RecordSent("bob", out, chatSend("alpha", out)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := s.Repeal("m0-bob@alpha", "alpha"); err != nil {
				t.Fatal(err)
			}
		}
		c.Add(time.Hour)
	}
	if _, _, err := s.PruneMessages(start, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("a limit of 0: %v, want ErrInvalid", err)
	}
	// Before start+90m: the first two of each inbox and of bob's sent list
	// go, one of each kind per call.
	cutoff := start.Add(90 * time.Minute)
	total, calls := 0, 0
	for more := true; more && calls < 10; calls++ {
		n, m, err := s.PruneMessages(cutoff, 1)
		if err != nil {
			t.Fatal(err)
		}
		total, more = total+n, m
	}
	if total != 6 || calls != 5 {
		t.Fatalf("pruned %d messages in %d calls, want 6 in 5 (4 inbox and 2 sent copies, one of each a call, and a last call with nothing to do)", total, calls)
	}
	if sent, err := s.SentBy("bob", 0, 0); err != nil || len(sent) != 1 || sent[0].MessageID != "s2@beta" {
		t.Errorf("bob's sent list after pruning: %+v %v", sent, err)
	}
	if _, err := s.GetSent("s0@beta"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a pruned sent message: %v, want not found", err)
	}
	if items, err := s.ListOutbox(OutboxFilter{}); err != nil || len(items) != 3 {
		t.Errorf("the outbox after pruning: %d entries (%v), want the 3 calls still queued", len(items), err)
	}
	for _, u := range []string{"bob", "carol"} {
		in, err := s.Inbox(u, 0, 0)
		if err != nil || len(in) != 1 || in[0].MessageID != "m2-"+u+"@alpha" {
			t.Errorf("%s's inbox after pruning: %+v %v", u, in, err)
		}
	}
	if _, ok, err := s.GetRepeal("m0-bob@alpha"); err != nil || ok {
		t.Errorf("the repeal from before the cutoff is still there (%v)", err)
	}
	// Pruned from the dedup index too: the same message again is new.
	again, dup, err := s.DeliverLocal("bob", textMsg("m0-bob@alpha", "alice@alpha", "bob@beta", "hi"))
	if err != nil || dup || again.Revoked {
		t.Errorf("a pruned message delivered again: %+v dup=%v %v", again, dup, err)
	}
	// Nothing older is left: nothing more goes.
	if n, more, err := s.PruneMessages(cutoff, 100); err != nil || n != 0 || more {
		t.Errorf("pruning again: %d (more %v), %v", n, more, err)
	}
}

// The history of a hosted group is pruned like the inboxes, with its
// dedup entries: a message sent again after that is stored anew.
func TestPruneGroupHistory(t *testing.T) {
	s, c := openTest(t)
	addUser(t, s, "alice", "Alice")
	newGroup(t, s, "g1@alpha")
	for i := range 3 {
		m := NewGroupMessage{GroupID: "g1@alpha", Message: groupMsg(fmt.Sprintf("g%d@alpha", i), "g1@alpha")}
		if _, _, err := s.RecordGroupMessage(m); err != nil {
			t.Fatal(err)
		}
		c.Add(time.Hour)
	}
	n, more, err := s.PruneMessages(c.Now().Add(-90*time.Minute), 100)
	if err != nil || n != 2 || more {
		t.Fatalf("pruned %d (more %v), %v: want the 2 older group messages", n, more, err)
	}
	h, _, err := s.GroupMessages("g1@alpha", "", 100)
	if err != nil || len(h) != 1 || h[0].MessageID != "g2@alpha" {
		t.Errorf("the history after pruning: %+v %v", h, err)
	}
	if _, dup, err := s.RecordGroupMessage(NewGroupMessage{GroupID: "g1@alpha", Message: groupMsg("g0@alpha", "g1@alpha")}); err != nil || dup {
		t.Errorf("a pruned group message sent again: dup=%v %v, want stored anew", dup, err)
	}
}

// An unreadable inbox record stops the pruning with what to do, and
// nothing is deleted.
func TestPruneMessagesUnreadable(t *testing.T) {
	s, c := openTest(t)
	addUser(t, s, "bob", "Bob")
	if _, _, err := s.DeliverLocal("bob", textMsg("m1@alpha", "alice@alpha", "bob@beta", "hi")); err != nil {
		t.Fatal(err)
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketInbox).Put(seqKey(1, "bob"), []byte("{not json"))
	})
	if err != nil {
		t.Fatal(err)
	}
	before := dump(t, s)
	c.Add(time.Hour)
	if _, _, err := s.PruneMessages(c.Now(), 10); err == nil || !strings.Contains(err.Error(), "restore a backup") {
		t.Fatalf("pruning past an unreadable record: %v, want it to say to restore a backup", err)
	}
	assertUnchanged(t, before, dump(t, s))
}
