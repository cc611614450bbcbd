package imstore

import (
	"testing"
)

func TestRecordSentQueuesAtomically(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
	msg := textMsg("m1@alpha", "alice@alpha", "bob@beta", "hi")
	msg.MessageType, msg.FileID = "FILE", "f1@alpha"
	m, err := s.RecordSent("alice", msg, chatSend("beta", msg))
	if err != nil || m.Seq != 1 || m.MessageType != "file" {
		t.Fatalf("RecordSent: %+v %v", m, err)
	}
	items, err := s.ListOutbox(OutboxFilter{})
	if err != nil || len(items) != 1 || items[0].MessageID != "m1@alpha" || items[0].Conversation != "d:alice@alpha>bob@beta" {
		t.Fatalf("outbox %+v %v", items, err)
	}
	for _, tc := range []struct {
		file, server string
		want         bool
	}{{"f1@alpha", "beta", true}, {"f1@alpha", "gamma", false}, {"f2@alpha", "beta", false}, {"bad", "beta", false}} {
		if ok, err := s.MayDownload(tc.file, tc.server); err != nil || ok != tc.want {
			t.Errorf("MayDownload(%s, %s) = %v %v", tc.file, tc.server, ok, err)
		}
	}

	bad := chatSend("beta", msg)
	bad.Destination = ""
	checkRefusals(t, s, []refusal{
		{"duplicate messageID", func() error { _, err := s.RecordSent("alice", msg, chatSend("beta", msg)); return err }, ErrExists, `message "m1@alpha" already exists`},
		{"unknown sender", func() error {
			_, err := s.RecordSent("carol", textMsg("m2@alpha", "carol@alpha", "bob@beta", "x"))
			return err
		}, ErrNotFound, `no user "carol"`},
		{"bad send refuses the message too", func() error {
			_, err := s.RecordSent("alice", textMsg("m3@alpha", "alice@alpha", "bob@beta", "x"), bad)
			return err
		}, ErrInvalid, "send 1: invalid destination"},
	})
	list, err := s.SentBy("alice", 0, 0)
	if err != nil || len(list) != 1 || list[0].MessageID != "m1@alpha" {
		t.Fatalf("SentBy: %+v %v", list, err)
	}
}

func TestRepealSent(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
	addUser(t, s, "bob", "Bob")
	toRemote := textMsg("m1@alpha", "alice@alpha", "carol@beta", "oops")
	_, err := s.RecordSent("alice", toRemote, chatSend("beta", toRemote))
	must(t, err)
	toLocal := textMsg("m2@alpha", "alice@alpha", "bob@alpha", "oops")
	_, err = s.RecordSent("alice", toLocal)
	must(t, err)
	_, _, err = s.DeliverLocal("bob", toLocal)
	must(t, err)

	checkRefusals(t, s, []refusal{
		{"not the sender", func() error { _, _, err := s.RepealSent("bob", "m1@alpha"); return err }, ErrForbidden, "message m1@alpha was sent by alice; only its sender may revoke it, not bob"},
		{"unknown", func() error { _, _, err := s.RepealSent("alice", "m9@alpha"); return err }, ErrNotFound, `no sent message "m9@alpha"`},
	})

	rep := textMsg("m1@alpha", "alice@alpha", "carol@beta", "")
	rep.MessageType = "repeal"
	m, revoked, err := s.RepealSent("alice", "m1@alpha", chatSend("beta", rep))
	if err != nil || !m.Revoked || len(revoked) != 0 {
		t.Fatalf("repeal remote: %+v %+v %v", m, revoked, err)
	}
	if items, _ := s.ListOutbox(OutboxFilter{Destination: "beta"}); len(items) != 2 {
		t.Fatalf("want the message then its repeal queued, got %+v", items)
	}
	// Repealing again queues nothing more.
	before := dump(t, s)
	if m, _, err := s.RepealSent("alice", "m1@alpha", chatSend("beta", rep)); err != nil || !m.Revoked {
		t.Fatalf("second repeal: %v", err)
	}
	assertUnchanged(t, before, dump(t, s))

	m, revoked, err = s.RepealSent("alice", "m2@alpha")
	if err != nil || !m.Revoked || len(revoked) != 1 || revoked[0].User != "bob" {
		t.Fatalf("repeal local: %+v %+v %v", m, revoked, err)
	}
}

// SendLocal records the sent copy and the recipient's in one transaction:
// a refusal of either writes neither.
func TestSendLocalIsOneTransaction(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
	addUser(t, s, "bob", "Bob")
	msg := textMsg("m1@alpha", "alice@alpha", "bob@alpha", "hi")
	before := s.CommitStats().Commits
	sent, err := s.SendLocal("alice", "bob", msg)
	if err != nil || sent.MessageID != "m1@alpha" || sent.To != "bob@alpha" {
		t.Fatalf("SendLocal: %+v %v", sent, err)
	}
	if n := s.CommitStats().Commits - before; n != 1 {
		t.Errorf("%d commits for a local send, want 1", n)
	}
	if in, err := s.InboxMessageByID("bob", "m1@alpha"); err != nil || in.From != "alice@alpha" {
		t.Fatalf("bob's copy: %+v %v", in, err)
	}
	if list, err := s.SentBy("alice", 0, 0); err != nil || len(list) != 1 {
		t.Fatalf("alice's sent list: %+v %v", list, err)
	}
	checkRefusals(t, s, []refusal{
		{"unknown recipient", func() error {
			_, err := s.SendLocal("alice", "carol", textMsg("m2@alpha", "alice@alpha", "carol@alpha", "x"))
			return err
		}, ErrNotFound, `no user "carol"`},
		{"unknown sender", func() error {
			_, err := s.SendLocal("dave", "bob", textMsg("m3@alpha", "dave@alpha", "bob@alpha", "x"))
			return err
		}, ErrNotFound, `no user "dave"`},
		{"the same message again", func() error { _, err := s.SendLocal("alice", "bob", msg); return err }, ErrExists, `message "m1@alpha" already exists`},
	})
}
