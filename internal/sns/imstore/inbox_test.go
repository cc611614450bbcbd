package imstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDeliverLocalStoresOnce(t *testing.T) {
	s, c := openTest(t)
	addUser(t, s, "bob", "Bob")
	msg := textMsg("m1@alpha", "alice@alpha", "bob@beta", "hello")
	first, dup, err := s.DeliverLocal("bob", msg)
	if err != nil || dup || first.Seq != 1 || first.User != "bob" || !first.ReceivedAt.Equal(c.Now()) {
		t.Fatalf("first delivery: %+v %v %v", first, dup, err)
	}
	c.Add(time.Second)
	before := dump(t, s)
	again := msg
	again.Content = json.RawMessage(`{"message":"changed"}`)
	second, dup, err := s.DeliverLocal("bob", again)
	if err != nil || !dup || second.Seq != first.Seq || string(second.Content) != `{"message":"hello"}` || !second.ReceivedAt.Equal(first.ReceivedAt) {
		t.Fatalf("duplicate: %+v %v %v", second, dup, err)
	}
	assertUnchanged(t, before, dump(t, s))
}

func TestDeliverLocalConcurrentDuplicatesStoreOnce(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "bob", "Bob")
	msg := textMsg("m1@alpha", "alice@alpha", "bob@beta", "hello")
	var wg sync.WaitGroup
	dups := make([]bool, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, dups[i], errs[i] = s.DeliverLocal("bob", msg) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || dups[0] == dups[1] {
		t.Fatalf("dups %v errs %v: exactly one must be the original", dups, errs)
	}
	inbox, err := s.Inbox("bob", 0, 0)
	if err != nil || len(inbox) != 1 {
		t.Fatalf("inbox %+v, %v", inbox, err)
	}
}

func TestInboxPaging(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "bob", "Bob")
	addUser(t, s, "bo", "Bo") // a user id that prefixes another
	for i, u := range []string{"bob", "bo", "bob", "bob"} {
		_, _, err := s.DeliverLocal(u, textMsg(string(rune('a'+i))+"@alpha", "alice@alpha", u+"@beta", "x"))
		must(t, err)
	}
	page := func(user string, after uint64, limit int) (seqs []uint64) {
		msgs, err := s.Inbox(user, after, limit)
		must(t, err)
		for _, m := range msgs {
			seqs = append(seqs, m.Seq)
		}
		return seqs
	}
	for _, tc := range []struct {
		user         string
		after, limit int
		want         string
	}{
		{"bob", 0, 0, "[1 3 4]"},
		{"bob", 1, 1, "[3]"},
		{"bob", 3, 5, "[4]"},
		{"bob", 4, 5, "[]"},
		{"bo", 0, 0, "[2]"},
	} {
		if got := page(tc.user, uint64(tc.after), tc.limit); fmt.Sprint(got) != tc.want {
			t.Errorf("Inbox(%s, %d, %d) = %v, want %s", tc.user, tc.after, tc.limit, got, tc.want)
		}
	}
}

func TestDeliverLocalRefusals(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "bob", "Bob")
	ok := textMsg("m1@alpha", "alice@alpha", "bob@beta", "hi")
	with := func(f func(*Message)) Message { m := ok; f(&m); return m }
	cases := []struct {
		name string
		user string
		msg  Message
		kind error
		want string
	}{
		{"unknown user", "carol", ok, ErrNotFound, `no user "carol"`},
		{"no messageID", "bob", with(func(m *Message) { m.MessageID = "" }), ErrInvalid, "invalid messageID"},
		{"messageID without server", "bob", with(func(m *Message) { m.MessageID = "m1" }), ErrInvalid, "has no '@'"},
		{"bad sender", "bob", with(func(m *Message) { m.From = "a b@alpha" }), ErrInvalid, "invalid from"},
		{"bad type", "bob", with(func(m *Message) { m.Type = 3 }), ErrInvalid, "invalid type: 3: want 1 (one-to-one) or 2 (group)"},
		{"no messageType", "bob", with(func(m *Message) { m.MessageType = "" }), ErrInvalid, "invalid messageType: required"},
		{"bad content", "bob", with(func(m *Message) { m.Content = json.RawMessage("{") }), ErrInvalid, "invalid content: not valid JSON"},
		{"huge content", "bob", with(func(m *Message) { m.Content = json.RawMessage(`"` + strings.Repeat("x", MaxContent) + `"`) }), ErrInvalid, "invalid content: 65538 bytes, at most 65536"},
		{"bad fileID", "bob", with(func(m *Message) { m.FileID = "../x@alpha" }), ErrInvalid, "invalid fileID"},
	}
	var rs []refusal
	for _, tc := range cases {
		rs = append(rs, refusal{tc.name, func() error { _, _, err := s.DeliverLocal(tc.user, tc.msg); return err }, tc.kind, tc.want})
	}
	checkRefusals(t, s, rs)
}

func TestRepeal(t *testing.T) {
	s, c := openTest(t)
	addUser(t, s, "bob", "Bob")
	addUser(t, s, "carol", "Carol")
	_, _, err := s.DeliverLocal("bob", textMsg("m1@alpha", "alice@alpha", "bob@beta", "oops"))
	must(t, err)

	checkRefusals(t, s, []refusal{
		{"another server", func() error { _, err := s.Repeal("m1@alpha", "gamma"); return err }, ErrForbidden, `message m1@alpha was made by alpha; only that server may revoke it, not "gamma"`},
		{"no server", func() error { _, err := s.Repeal("m1@alpha", ""); return err }, ErrForbidden, "only that server may revoke it"},
		{"bad id", func() error { _, err := s.Repeal("m1", "alpha"); return err }, ErrInvalid, "invalid messageID"},
	})

	c.Add(time.Second)
	revoked, err := s.Repeal("m1@alpha", "alpha")
	if err != nil || len(revoked) != 1 || !revoked[0].Revoked || !revoked[0].RevokedAt.Equal(c.Now()) {
		t.Fatalf("repeal: %+v, %v", revoked, err)
	}
	// Repeating is harmless and revokes nothing new.
	before := dump(t, s)
	if again, err := s.Repeal("m1@alpha", "alpha"); err != nil || len(again) != 0 {
		t.Fatalf("second repeal: %+v, %v", again, err)
	}
	assertUnchanged(t, before, dump(t, s))

	// A copy arriving after its repeal (another recipient) is stored revoked.
	c.Add(time.Second)
	late, dup, err := s.DeliverLocal("carol", textMsg("m1@alpha", "alice@alpha", "carol@beta", "oops"))
	if err != nil || dup || !late.Revoked || !late.RevokedAt.Equal(c.Now().Add(-time.Second)) {
		t.Fatalf("late copy: %+v %v %v", late, dup, err)
	}

	// A repeal of a message not yet received leaves a tombstone.
	if got, err := s.Repeal("m2@host.example.com:8441", "host.example.com:8441"); err != nil || len(got) != 0 {
		t.Fatalf("repeal of unknown: %v %v", got, err)
	}
	if r, ok, err := s.GetRepeal("m2@host.example.com:8441"); err != nil || !ok || r.By != "host.example.com:8441" {
		t.Fatalf("tombstone: %+v %v %v", r, ok, err)
	}
	m, _, err := s.DeliverLocal("bob", textMsg("m2@host.example.com:8441", "x@host.example.com:8441", "bob@beta", "late"))
	if err != nil || !m.Revoked {
		t.Fatalf("original after its repeal: %+v, %v", m, err)
	}
	got, err := s.InboxMessageByID("bob", "m2@host.example.com:8441")
	if err != nil || got.Seq != m.Seq || !got.Revoked {
		t.Fatalf("InboxMessageByID: %+v %v", got, err)
	}
}
