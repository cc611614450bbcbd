package imstore

import (
	"encoding/json"
	"testing"
	"time"
)

func s5(dest, from, to string) Send {
	return Send{Destination: dest, Conversation: DirectConversation(from, to), Path: "/sns/add/users", Body: json.RawMessage(`{}`)}
}

// Alice (here, on alpha) asks bob@beta; bob agrees; later alice deletes him.
func TestOutgoingRequestLifecycle(t *testing.T) {
	s, c := openTest(t)
	addUser(t, s, "alice", "Alice")
	r, err := s.RecordOutgoingRequest("alice", "bob@beta", "college friend", s5("beta", "alice@alpha", "bob@beta"))
	if err != nil || r.State != RequestPending || r.Direction != Outgoing || r.Requester.Name != "Alice" {
		t.Fatalf("request: %+v %v", r, err)
	}
	// Asking again refreshes the pending request (and sends S5 again).
	c.Add(time.Minute)
	again, err := s.RecordOutgoingRequest("alice", "bob@beta", "it's me", s5("beta", "alice@alpha", "bob@beta"))
	if err != nil || again.ID != r.ID || again.Remark != "it's me" || !again.At.Equal(c.Now()) {
		t.Fatalf("second ask: %+v %v", again, err)
	}
	if items, _ := s.ListOutbox(OutboxFilter{}); len(items) != 2 {
		t.Fatalf("outbox: %d items, want 2", len(items))
	}
	if ok, _ := s.IsFriend("alice", "bob@beta"); ok {
		t.Fatal("friends before the answer")
	}

	checkRefusals(t, s, []refusal{
		{"answer to nobody's request", func() error {
			_, _, err := s.PeerAnswered("alice", "carol@beta", true, Profile{})
			return err
		}, ErrNotFound, `no friend request "alice -> carol@beta"`},
		{"accept own outgoing", func() error { _, _, err := s.Accept(r.ID); return err }, ErrState, "friend request 1 is outgoing, not incoming (only the asked user answers)"},
	})

	bob := Profile{UserID: "bob@beta", Name: "Bob"}
	r, f, err := s.PeerAnswered("alice", "bob@beta", true, bob)
	if err != nil || r.State != RequestAccepted || f.Peer != "bob@beta" || f.Remark != "it's me" || f.Profile.Name != "Bob" {
		t.Fatalf("answer: %+v %+v %v", r, f, err)
	}
	// A retried S6 with the same answer changes nothing; the other answer is refused.
	before := dump(t, s)
	if _, f2, err := s.PeerAnswered("alice", "bob@beta", true, bob); err != nil || f2 != f {
		t.Fatalf("repeated answer: %+v %v", f2, err)
	}
	assertUnchanged(t, before, dump(t, s))
	checkRefusals(t, s, []refusal{
		{"contrary answer", func() error { _, _, err := s.PeerAnswered("alice", "bob@beta", false, bob); return err }, ErrState, "friend request 1 is accepted, not pending"},
	})
	if ok, err := s.IsFriend("alice", "bob@beta"); !ok || err != nil {
		t.Fatalf("IsFriend: %v %v", ok, err)
	}
	friends, err := s.Friends("alice")
	if err != nil || len(friends) != 1 {
		t.Fatalf("Friends: %+v %v", friends, err)
	}

	existed, err := s.DeleteFriend("alice", "bob@beta", s5("beta", "alice@alpha", "bob@beta"))
	if err != nil || !existed {
		t.Fatalf("delete: %v %v", existed, err)
	}
	before = dump(t, s)
	if existed, err := s.DeleteFriend("alice", "bob@beta", s5("beta", "alice@alpha", "bob@beta")); err != nil || existed {
		t.Fatalf("second delete: %v %v", existed, err)
	}
	assertUnchanged(t, before, dump(t, s))
	// After a deletion a new request starts afresh.
	r2, err := s.RecordOutgoingRequest("alice", "bob@beta", "")
	if err != nil || r2.ID == r.ID || r2.State != RequestPending {
		t.Fatalf("new request: %+v %v", r2, err)
	}
}

// Bob@beta asks alice (here); alice accepts one request and refuses another.
func TestIncomingRequestLifecycle(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
	_, err := s.AddUser(User{UserID: "hermit", Name: "Hermit", VerifyType: VerifyNobody})
	must(t, err)
	bob := Profile{UserID: "bob@beta", Name: "Bob", PhoneNumber: "139"}
	r, err := s.RecordIncomingRequest("alice", "bob@beta", "hi", bob)
	must(t, err)
	dup, err := s.RecordIncomingRequest("alice", "bob@beta", "hi again", bob)
	if err != nil || dup.ID != r.ID {
		t.Fatalf("a retried S5 must refresh, not add: %+v %v", dup, err)
	}
	carol, err := s.RecordIncomingRequest("alice", "carol@gamma", "", Profile{UserID: "carol@gamma"})
	must(t, err)

	checkRefusals(t, s, []refusal{
		{"verifyType 1", func() error { _, err := s.RecordIncomingRequest("hermit", "bob@beta", "", bob); return err }, ErrForbidden, "user hermit accepts no friend requests (verifyType 1)"},
		{"unknown user", func() error { _, err := s.RecordIncomingRequest("nobody", "bob@beta", "", bob); return err }, ErrNotFound, `no user "nobody"`},
		{"self", func() error { _, err := s.RecordIncomingRequest("alice", "alice", "", bob); return err }, ErrInvalid, `invalid peer: "alice" is the user itself`},
		{"bad peer", func() error { _, err := s.RecordIncomingRequest("alice", "bob@be ta", "", bob); return err }, ErrInvalid, "invalid peer"},
		{"bad profile", func() error {
			_, err := s.RecordIncomingRequest("alice", "bob@beta", "", Profile{Name: "a\nb"})
			return err
		}, ErrInvalid, "invalid requester.name: contains control character U+000A"},
		{"unknown request", func() error { _, _, err := s.Accept(99); return err }, ErrNotFound, `no friend request "99"`},
		{"bad send", func() error { _, _, err := s.Accept(r.ID, Send{}); return err }, ErrInvalid, "send 1: invalid destination"},
	})

	r, f, err := s.Accept(r.ID, s5("beta", "alice@alpha", "bob@beta"))
	if err != nil || r.State != RequestAccepted || f.Owner != "alice" || f.Peer != "bob@beta" || f.Profile != bob {
		t.Fatalf("accept: %+v %+v %v", r, f, err)
	}
	carol, err = s.Refuse(carol.ID, s5("gamma", "alice@alpha", "carol@gamma"))
	if err != nil || carol.State != RequestRefused {
		t.Fatalf("refuse: %+v %v", carol, err)
	}
	checkRefusals(t, s, []refusal{
		{"accept twice", func() error { _, _, err := s.Accept(r.ID); return err }, ErrState, "friend request 1 is accepted, not pending; nothing was changed"},
		{"accept refused", func() error { _, _, err := s.Accept(carol.ID); return err }, ErrState, "is refused, not pending"},
	})
	if ok, _ := s.IsFriend("alice", "carol@gamma"); ok {
		t.Fatal("a refused requester became a friend")
	}
	pending, err := s.FriendRequests("alice", RequestPending)
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	all, err := s.FriendRequests("alice", "")
	if err != nil || len(all) != 2 {
		t.Fatalf("all: %+v %v", all, err)
	}
	if items, _ := s.ListOutbox(OutboxFilter{}); len(items) != 2 {
		t.Fatalf("want the two S6 answers queued, got %d", len(items))
	}
}

func TestFriendRefusals(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
	long := string(make([]byte, maxRemarkLen+1))
	checkRefusals(t, s, []refusal{
		{"unknown user asks", func() error { _, err := s.RecordOutgoingRequest("nobody", "bob@beta", ""); return err }, ErrNotFound, `no user "nobody"`},
		{"bad user id", func() error { _, err := s.RecordOutgoingRequest("a b", "bob@beta", ""); return err }, ErrInvalid, "invalid userID"},
		{"long remark", func() error { _, err := s.RecordOutgoingRequest("alice", "bob@beta", long); return err }, ErrInvalid, "invalid remark: 1025 bytes, at most 1024"},
		{"bad send", func() error {
			_, err := s.RecordOutgoingRequest("alice", "bob@beta", "", Send{Destination: "beta", Conversation: "c", Path: "/x"})
			return err
		}, ErrInvalid, "send 1: invalid body: not valid JSON"},
		{"delete with bad peer", func() error { _, err := s.DeleteFriend("alice", "@beta"); return err }, ErrInvalid, "invalid peer"},
		{"refuse unknown", func() error { _, err := s.Refuse(7); return err }, ErrNotFound, `no friend request "7"`},
		{"get unknown friend", func() error { _, err := s.GetFriend("alice", "bob@beta"); return err }, ErrNotFound, `no friend "alice -> bob@beta"`},
		{"get unknown request", func() error { _, err := s.GetFriendRequest(7); return err }, ErrNotFound, `no friend request "7"`},
		{"get unknown sent", func() error { _, err := s.GetSent("m@alpha"); return err }, ErrNotFound, `no sent message "m@alpha"`},
		{"list friends of a bad id", func() error { _, err := s.Friends("a\x00"); return err }, ErrInvalid, "invalid userID"},
	})
}

// Two local users: the server records both sides in this one store, with
// bare ids as peers.
func TestLocalFriendship(t *testing.T) {
	s, _ := openTest(t)
	alice := addUser(t, s, "alice", "Alice")
	addUser(t, s, "bob", "Bob")
	out, err := s.RecordOutgoingRequest("alice", "bob", "")
	must(t, err)
	in, err := s.RecordIncomingRequest("bob", "alice", "", alice.Profile())
	must(t, err)
	_, f, err := s.Accept(in.ID)
	if err != nil || f.Owner != "bob" || f.Peer != "alice" {
		t.Fatalf("accept: %+v %v", f, err)
	}
	bob, _ := s.GetUser("bob")
	_, f, err = s.PeerAnswered("alice", "bob", true, bob.Profile())
	if err != nil || f.Owner != "alice" || f.Peer != "bob" {
		t.Fatalf("answer: %+v %v", f, err)
	}
	got, err := s.GetFriendRequest(out.ID)
	if err != nil || got.State != RequestAccepted {
		t.Fatalf("outgoing request: %+v %v", got, err)
	}
	for _, pair := range [][2]string{{"alice", "bob"}, {"bob", "alice"}} {
		if _, err := s.GetFriend(pair[0], pair[1]); err != nil {
			t.Errorf("%s -> %s: %v", pair[0], pair[1], err)
		}
	}
}
