package imserver

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/sns/imstore"
)

// pair is two real IM servers registered with one management stand-in:
// alice on alpha-im (its configuration changed by tweak), bob on beta-im.
func pair(t testing.TB, tweak ...func(*Config)) (*testWorld, *testServer, *testServer) {
	w := newWorld(t)
	alpha := w.server(t, "alpha-im", tweak...)
	beta := w.server(t, "beta-im")
	alpha.addUser(t, imstore.User{UserID: "alice", Name: "Alice"})
	beta.addUser(t, imstore.User{UserID: "bob", Name: "Bob"})
	return w, alpha, beta
}

func sendText(t *testing.T, from *testServer, user, to, text string) imstore.SentMessage {
	t.Helper()
	m, err := from.Send(SendRequest{From: user, To: to, MessageType: "text", Text: text})
	if err != nil {
		t.Fatalf("send %q: %v", text, err)
	}
	return m
}

// texts is the text of each message in user's inbox, in arrival order.
func texts(t *testing.T, ts *testServer, user string) []string {
	var out []string
	for _, m := range inbox(t, ts, user) {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(string(m.Content), `{"message":"`), `"}`))
	}
	return out
}

func TestDeliveryInOrder(t *testing.T) {
	_, alpha, beta := pair(t)
	var want []string
	for i := range 20 {
		want = append(want, fmt.Sprint("m", i))
		sendText(t, alpha, "alice", "bob@beta-im", want[i])
	}
	eventually(t, "20 messages at bob", func() bool { return len(inbox(t, beta, "bob")) == 20 })
	if got := texts(t, beta, "bob"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("order: %v", got)
	}
	eventually(t, "the outbox drained", func() bool {
		d, _ := alpha.st.Destinations()
		return len(d) == 0
	})
}

// The peer is down while messages are sent, the sender restarts, the peer
// comes back: every message arrives once, in order.
func TestDeliveryAcrossOutageAndRestart(t *testing.T) {
	w, alpha, beta := pair(t)
	sendText(t, alpha, "alice", "bob@beta-im", "before")
	eventually(t, "first message", func() bool { return len(inbox(t, beta, "bob")) == 1 })

	beta.stopOnce()
	want := []string{"before"}
	for i := range 5 {
		want = append(want, fmt.Sprint("during ", i))
		sendText(t, alpha, "alice", "bob@beta-im", want[len(want)-1])
	}
	eventually(t, "failed attempts recorded", func() bool {
		items, _ := alpha.st.ListOutbox(imstore.OutboxFilter{State: imstore.OutboxPending})
		return len(items) == 5 && items[0].Attempts > 0 && items[0].LastError != ""
	})
	alpha.stopOnce()
	alpha.start(t, w)
	want = append(want, "after restart")
	sendText(t, alpha, "alice", "bob@beta-im", want[len(want)-1])
	beta.start(t, w)
	eventually(t, "everything at bob", func() bool { return len(inbox(t, beta, "bob")) >= len(want) })
	time.Sleep(50 * time.Millisecond) // a duplicate would show up now
	if got := texts(t, beta, "bob"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// A refusal (4xx) parks the message with the reason, holding back only its
// own conversation; a retry after the cause is fixed delivers it, then the
// messages queued behind it.
func TestDeliveryParksRefusals(t *testing.T) {
	_, alpha, beta := pair(t)
	sendText(t, alpha, "alice", "zed@beta-im", "to nobody yet")
	sendText(t, alpha, "alice", "zed@beta-im", "second")
	sendText(t, alpha, "alice", "bob@beta-im", "other conversation")
	eventually(t, "bob's message", func() bool { return len(inbox(t, beta, "bob")) == 1 })
	var parked []imstore.OutboxItem
	eventually(t, "the message to zed parked", func() bool {
		parked, _ = alpha.st.ListOutbox(imstore.OutboxFilter{State: imstore.OutboxParked})
		return len(parked) == 1
	})
	if !strings.Contains(parked[0].LastError, "unknown_user") || !strings.Contains(parked[0].LastError, "404") {
		t.Errorf("parked with %q, want the peer's reason", parked[0].LastError)
	}
	beta.addUser(t, imstore.User{UserID: "zed", Name: "Zed"})
	if _, err := alpha.RetryOutbox(parked[0].ID, ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, "zed's messages", func() bool { return len(inbox(t, beta, "zed")) == 2 })
	if got := texts(t, beta, "zed"); got[0] != "to nobody yet" || got[1] != "second" {
		t.Errorf("zed got %v", got)
	}
}

func TestRepealAcross(t *testing.T) {
	_, alpha, beta := pair(t)
	m := sendText(t, alpha, "alice", "bob@beta-im", "oops")
	if _, err := alpha.Repeal("bob", m.MessageID); err == nil {
		t.Error("a user revoked another's message")
	}
	sent, err := alpha.Repeal("alice", m.MessageID)
	if err != nil || !sent.Revoked {
		t.Fatalf("repeal: %+v %v", sent, err)
	}
	eventually(t, "revoked at bob", func() bool {
		in, err := beta.st.InboxMessageByID("bob", m.MessageID)
		return err == nil && in.Revoked
	})
}

func TestFriendsAcross(t *testing.T) {
	_, alpha, beta := pair(t)
	if _, err := alpha.AddFriend("alice", "bob@beta-im", "from work"); err != nil {
		t.Fatal(err)
	}
	var reqs []imstore.FriendRequest
	eventually(t, "request at bob", func() bool {
		reqs, _ = beta.st.FriendRequests("bob", imstore.RequestPending)
		return len(reqs) == 1
	})
	if ok, _ := alpha.st.IsFriend("alice", "bob@beta-im"); ok {
		t.Fatal("friends before bob agreed")
	}
	if _, err := beta.RespondFriend(reqs[0].ID, true); err != nil {
		t.Fatal(err)
	}
	eventually(t, "friends on both sides", func() bool {
		ok, _ := alpha.st.IsFriend("alice", "bob@beta-im")
		return ok
	})
	f, _ := alpha.st.GetFriend("alice", "bob@beta-im")
	if f.Remark != "from work" || f.Profile.Name != "Bob" {
		t.Errorf("alice's side: %+v", f)
	}
	if ok, _ := beta.st.IsFriend("bob", "alice@alpha-im"); !ok {
		t.Error("bob's side missing")
	}
	if _, err := beta.DeleteFriend("bob", "alice@alpha-im"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "deleted on both sides", func() bool {
		ok, _ := alpha.st.IsFriend("alice", "bob@beta-im")
		return !ok
	})
}

func TestSendRefusals(t *testing.T) {
	_, alpha, _ := pair(t)
	if _, err := alpha.SetPolicy(nil, []string{"gamma-im"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		req  SendRequest
		want string
	}{
		{"unknown sender", SendRequest{From: "zed", To: "bob@beta-im", MessageType: "text", Text: "x"}, "no user"},
		{"bad recipient", SendRequest{From: "alice", To: "bob@", MessageType: "text", Text: "x"}, "invalid input"},
		{"empty text", SendRequest{From: "alice", To: "bob@beta-im", MessageType: "text"}, "text: required"},
		{"unknown type", SendRequest{From: "alice", To: "bob@beta-im", MessageType: "sticker"}, "want text, image, voice or file"},
		{"media without file", SendRequest{From: "alice", To: "bob@beta-im", MessageType: "image"}, "upload the file first"},
		{"unknown file", SendRequest{From: "alice", To: "bob@beta-im", MessageType: "file", FileID: "nope@alpha-im"}, "no file"},
		{"denied server", SendRequest{From: "alice", To: "bob@gamma-im", MessageType: "text", Text: "x"}, "white/black list"},
		{"unknown local recipient", SendRequest{From: "alice", To: "zed", MessageType: "text", Text: "x"}, "no user"},
	} {
		if _, err := alpha.Send(tc.req); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if sent, _ := alpha.st.SentBy("alice", 0, 0); len(sent) != 0 {
		t.Errorf("refused sends were recorded: %+v", sent)
	}
	if items, _ := alpha.st.ListOutbox(imstore.OutboxFilter{}); len(items) != 0 {
		t.Errorf("refused sends were queued: %+v", items)
	}
}

func TestBackoff(t *testing.T) {
	base, max := 100*time.Millisecond, time.Second
	for _, tc := range []struct {
		attempts int
		lo, hi   time.Duration
	}{{0, 50 * time.Millisecond, 100 * time.Millisecond}, {1, 100 * time.Millisecond, 200 * time.Millisecond}, {3, 400 * time.Millisecond, 800 * time.Millisecond}, {4, 500 * time.Millisecond, time.Second}, {60, 500 * time.Millisecond, time.Second}} {
		for range 20 {
			if d := backoff(tc.attempts, base, max); d < tc.lo || d > tc.hi {
				t.Errorf("backoff(%d) = %s, want within [%s, %s]", tc.attempts, d, tc.lo, tc.hi)
			}
		}
	}
}

// Ids of the form user@host:port: the sender's server finds the peer by
// address (learning its serverId on the first call), the receiver knows
// its own host:port, and the file of such a message is served to the
// server that answers at that address.
func TestHostPortAddressing(t *testing.T) {
	_, alpha, beta := pair(t)
	bobByAddress := "bob@" + beta.selfHostPort
	sendText(t, alpha, "alice", bobByAddress, "by address")
	m := sendFile(t, alpha, "alice", bobByAddress, "file", "a.txt", []byte("file by address"))
	eventually(t, "both messages at bob", func() bool { return len(inbox(t, beta, "bob")) == 2 })
	in := inbox(t, beta, "bob")
	// The receiver files it under the recipient's canonical id.
	if in[0].To != "bob@beta-im" || in[0].From != "alice@alpha-im" {
		t.Errorf("addressed %+v", in[0])
	}
	if _, got, err := readFile(t, beta, "bob", m.MessageID); err != nil || string(got) != "file by address" {
		t.Errorf("file: %q %v", got, err)
	}
	// A sender named by its server's address is accepted from that server.
	aliceByAddress := "alice@" + alpha.selfHostPort
	req := chatRequest("hp1")
	req.MessageInfo.SenderID = aliceByAddress
	if err := alpha.peers.Chat(context.Background(), beta.peer(), req); err != nil {
		t.Fatal(err)
	}
	if got := inbox(t, beta, "bob"); len(got) != 3 || got[2].From != aliceByAddress {
		t.Errorf("host-form sender: %+v", got)
	}
}

// Sends made at once, to several conversations, are queued (their commits
// shared), delivered and marked delivered (theirs too): each arrives once
// and in its conversation's order, and nothing is left to deliver.
func TestConcurrentSendsDelivered(t *testing.T) {
	_, alpha, beta := pair(t)
	users := []string{"bob", "carol", "dave", "erin"}
	for _, u := range users[1:] {
		beta.addUser(t, imstore.User{UserID: u, Name: u})
	}
	const each = 5
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			for i := range each {
				if _, err := alpha.Send(SendRequest{From: "alice", To: u + "@beta-im", MessageType: "text", Text: fmt.Sprint(u, i)}); err != nil {
					t.Errorf("send to %s: %v", u, err)
				}
			}
		})
	}
	wg.Wait()
	for _, u := range users {
		eventually(t, "messages at "+u, func() bool { return len(inbox(t, beta, u)) >= each })
		var want []string
		for i := range each {
			want = append(want, fmt.Sprint(u, i))
		}
		if got := texts(t, beta, u); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s got %q, want %q", u, got, want)
		}
	}
	eventually(t, "outbox delivered", func() bool {
		d, err := alpha.st.Destinations()
		return err == nil && len(d) == 0
	})
	items, err := alpha.st.ListOutbox(imstore.OutboxFilter{State: imstore.OutboxDelivered})
	if err != nil || len(items) != len(users)*each {
		t.Errorf("%d items delivered (%v), want %d", len(items), err, len(users)*each)
	}
}

// With a retention, the messages received or sent before it are pruned
// (in batches) and the newer ones kept.
func TestPruneOldMessages(t *testing.T) {
	_, alpha, beta := pair(t)
	for i := range 3 {
		sendText(t, alpha, "alice", "bob@beta-im", fmt.Sprint("old ", i))
	}
	eventually(t, "3 messages at bob", func() bool { return len(inbox(t, beta, "bob")) == 3 })
	if n := beta.prune(time.Now().Add(-time.Hour)); n != 0 {
		t.Fatalf("pruned %d messages received after the cutoff", n)
	}
	if n := beta.prune(time.Now().Add(time.Second)); n != 3 {
		t.Fatalf("pruned %d messages, want the 3 received before the cutoff", n)
	}
	if got := inbox(t, beta, "bob"); len(got) != 0 {
		t.Errorf("bob's inbox after pruning: %d messages", len(got))
	}
	// At the sender, the sent copies go the same way.
	if n := alpha.prune(time.Now().Add(time.Second)); n != 3 {
		t.Fatalf("pruned %d sent messages at alpha, want 3", n)
	}
	if sent, err := alpha.st.SentBy("alice", 0, 0); err != nil || len(sent) != 0 {
		t.Errorf("alice's sent list after pruning: %d messages (%v)", len(sent), err)
	}
}
