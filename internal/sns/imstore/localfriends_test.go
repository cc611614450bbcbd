package imstore

import "testing"

// Alice asks Bob, both users of alpha; Bob accepts; Alice deletes him:
// each step writes both sides.
func TestLocalFriendshipOneTransaction(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
	addUser(t, s, "bob", "Bob")
	aliceP := Profile{UserID: "alice@alpha", Name: "Alice"}
	r, err := s.AskLocal("alpha", "alice", "bob", "hi", aliceP)
	if err != nil || r.Direction != Outgoing || r.User != "alice" || r.Peer != "bob@alpha" || r.State != RequestPending {
		t.Fatalf("ask: %+v %v", r, err)
	}
	in, err := s.FriendRequests("bob", RequestPending)
	if err != nil || len(in) != 1 || in[0].Direction != Incoming || in[0].Peer != "alice@alpha" || in[0].Requester != aliceP {
		t.Fatalf("bob's requests: %+v %v", in, err)
	}

	bobP := Profile{UserID: "bob@alpha", Name: "Bob"}
	a, err := s.AnswerLocal("alpha", in[0].ID, true, bobP)
	if err != nil || a.State != RequestAccepted {
		t.Fatalf("answer: %+v %v", a, err)
	}
	if ok, _ := s.IsFriend("bob", "alice@alpha"); !ok {
		t.Error("bob does not have alice")
	}
	f, err := s.GetFriend("alice", "bob@alpha")
	if err != nil || f.Remark != "hi" || f.Profile != bobP {
		t.Errorf("alice's friend: %+v %v", f, err)
	}
	if out, _ := s.GetFriendRequest(r.ID); out.State != RequestAccepted {
		t.Errorf("alice's request: %+v", out)
	}

	existed, err := s.DeleteLocalFriend("alpha", "alice", "bob")
	if err != nil || !existed {
		t.Fatalf("delete: %v %v", existed, err)
	}
	for _, pair := range [][2]string{{"alice", "bob@alpha"}, {"bob", "alice@alpha"}} {
		if ok, _ := s.IsFriend(pair[0], pair[1]); ok {
			t.Errorf("%s still has %s", pair[0], pair[1])
		}
	}
	if existed, err := s.DeleteLocalFriend("alpha", "alice", "bob"); err != nil || existed {
		t.Errorf("second delete: %v %v", existed, err)
	}
}

// A refused local action writes neither side: both are one transaction, so
// no failure between them can leave one recorded without the other.
func TestLocalFriendshipRefusals(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
	if _, err := s.AddUser(User{UserID: "carol", Name: "Carol", VerifyType: VerifyNobody}); err != nil {
		t.Fatal(err)
	}
	addUser(t, s, "dave", "Dave")
	// Dave has an incoming request from alice without alice's outgoing
	// side (as an S5 from a server that calls itself alpha would leave).
	orphan, err := s.RecordIncomingRequest("dave", "alice@alpha", "", Profile{UserID: "alice@alpha", Name: "Alice"})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := s.RecordIncomingRequest("dave", "erin@beta", "", Profile{UserID: "erin@beta", Name: "Erin"})
	if err != nil {
		t.Fatal(err)
	}
	p := Profile{UserID: "x@alpha", Name: "X"}
	checkRefusals(t, s, []refusal{
		{"ask a user accepting nobody", func() error { _, err := s.AskLocal("alpha", "alice", "carol", "", p); return err }, ErrForbidden, "accepts no friend requests"},
		{"ask an unknown user", func() error { _, err := s.AskLocal("alpha", "alice", "zed", "", p); return err }, ErrNotFound, "zed"},
		{"ask oneself", func() error { _, err := s.AskLocal("alpha", "alice", "alice", "", p); return err }, ErrInvalid, "the user itself"},
		{"answer with the requester's side missing", func() error { _, err := s.AnswerLocal("alpha", orphan.ID, true, p); return err }, ErrNotFound, "alice -> dave@alpha"},
		{"answer a request that is not local", func() error { _, err := s.AnswerLocal("alpha", remote.ID, true, p); return err }, ErrInvalid, "not a user of this server"},
	})
	if r, _ := s.GetFriendRequest(orphan.ID); r.State != RequestPending {
		t.Errorf("the failed answer decided dave's side: %+v", r)
	}
}
