package imstore

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestPruneInbox(t *testing.T) {
	s, c := openTest(t)
	addUser(t, s, "bob", "Bob")
	addUser(t, s, "carol", "Carol")
	start := c.Now()
	// Three messages an hour apart to each user, and a repeal at the start.
	for i := range 3 {
		for _, u := range []string{"bob", "carol"} {
			if _, _, err := s.DeliverLocal(u, textMsg(fmt.Sprintf("m%d-%s@alpha", i, u), "alice@alpha", u+"@beta", "hi")); err != nil {
				t.Fatal(err)
			}
		}
		if i == 0 {
			if _, err := s.Repeal("m0-bob@alpha", "alpha"); err != nil {
				t.Fatal(err)
			}
		}
		c.Add(time.Hour)
	}
	if _, err := s.PruneInbox(start, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("a limit of 0: %v, want ErrInvalid", err)
	}
	// Before start+90m: the first two of each inbox go, one at a time.
	cutoff := start.Add(90 * time.Minute)
	total := 0
	for range 10 {
		n, err := s.PruneInbox(cutoff, 1)
		if err != nil {
			t.Fatal(err)
		}
		total += n
		if n < 1 {
			break
		}
	}
	if total != 4 {
		t.Fatalf("pruned %d messages, want 4", total)
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
	if n, err := s.PruneInbox(cutoff, 100); err != nil || n != 0 {
		t.Errorf("pruning again: %d, %v", n, err)
	}
}
