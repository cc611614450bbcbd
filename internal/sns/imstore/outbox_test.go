package imstore

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func send(dest, conv string, n int) Send {
	return Send{Destination: dest, Conversation: conv, Path: "/sns/chat", Body: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))}
}

func enqueue(t testing.TB, s *Store, sends ...Send) []OutboxItem {
	t.Helper()
	var out []OutboxItem
	for _, sd := range sends {
		it, err := s.Enqueue(sd)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

func dueIDs(t testing.TB, s *Store, dest string, now time.Time, window int) []uint64 {
	t.Helper()
	items, err := s.Due(dest, now, window)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

func TestDueKeepsOrderWithinConversationsAndWindowAcross(t *testing.T) {
	s, c := openTest(t)
	// Interleaved: conversation a gets 1,3,5; b gets 2,6; c gets 4; another
	// destination gets 7.
	items := enqueue(t, s,
		send("beta", "d:a>x", 1), send("beta", "d:b>x", 2), send("beta", "d:a>x", 3),
		send("beta", "d:c>x", 4), send("beta", "d:a>x", 5), send("beta", "d:b>x", 6),
		send("gamma", "d:a>x", 7))
	now := c.Now()
	steps := []struct {
		name   string
		act    func()
		window int
		want   []uint64
	}{
		{"heads of each conversation", func() {}, 10, []uint64{1, 2, 4}},
		{"window bounds the batch", func() {}, 2, []uint64{1, 2}},
		{"delivering a moves a to its next item", func() { must(t, s.MarkDelivered(items[0].ID)) }, 10, []uint64{3, 2, 4}},
		{"a retry later holds a back, others proceed", func() { must(t, s.MarkRetry(3, now.Add(time.Minute), "connection refused")) }, 10, []uint64{2, 4}},
		{"a parked head blocks only its conversation", func() { must(t, s.Park(2, "forbidden", "403 forbidden", RetryManual)) }, 10, []uint64{4}},
		{"delivering c empties it", func() { must(t, s.MarkDelivered(4)) }, 10, nil},
		{"retry now unparks b", func() { _, err := s.RetryNow(2); must(t, err) }, 10, []uint64{2}},
		{"dropping b's head unblocks b", func() { _, err := s.DropOutboxItem(2); must(t, err) }, 10, []uint64{6}},
	}
	for _, st := range steps {
		st.act()
		if got := dueIDs(t, s, "beta", now, st.window); !slices.Equal(got, st.want) {
			t.Fatalf("%s: due %v, want %v", st.name, got, st.want)
		}
	}
	// A minute later a's retry is due again, after b's.
	if got := dueIDs(t, s, "beta", now.Add(time.Minute), 10); !slices.Equal(got, []uint64{3, 6}) {
		t.Fatalf("after the backoff: due %v", got)
	}
	if got := dueIDs(t, s, "gamma", now, 10); !slices.Equal(got, []uint64{7}) {
		t.Fatalf("gamma: due %v", got)
	}
	next, ok, err := s.NextDue("beta")
	if err != nil || !ok || !next.Equal(now) {
		t.Fatalf("NextDue = %v %v %v, want %v (item 6)", next, ok, err, now)
	}
	it, _ := s.GetOutboxItem(3)
	if it.Attempts != 1 || it.LastError != "connection refused" || it.State != OutboxPending {
		t.Fatalf("item 3 after a retry: %+v", it)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestNextDueAndDestinations(t *testing.T) {
	s, c := openTest(t)
	if _, ok, err := s.NextDue("beta"); ok || err != nil {
		t.Fatalf("empty outbox: %v %v", ok, err)
	}
	enqueue(t, s, send("beta", "d:a>x", 1), send("beta", "d:b>x", 2), send("gamma", "d:a>x", 3), send("beta", "d:a>x", 4))
	later := c.Now().Add(time.Hour)
	must(t, s.MarkRetry(1, later, "timeout"))
	must(t, s.Park(2, "bad_request", "400", RetryManual))
	next, ok, err := s.NextDue("beta")
	if err != nil || !ok || !next.Equal(later) {
		t.Fatalf("NextDue = %v %v %v; want %v: item 4 waits behind item 1, item 2 is parked", next, ok, err, later)
	}
	d, err := s.Destinations()
	if err != nil {
		t.Fatal(err)
	}
	want := []DestinationStats{
		{Destination: "beta", Pending: 2, Parked: 1, NextAttemptAt: c.Now(), OldestCreatedAt: c.Now()},
		{Destination: "gamma", Pending: 1, NextAttemptAt: c.Now(), OldestCreatedAt: c.Now()},
	}
	if fmt.Sprint(d) != fmt.Sprint(want) {
		t.Fatalf("Destinations = %+v, want %+v", d, want)
	}
	n, err := s.RetryDestination("beta")
	if err != nil || n != 3 {
		t.Fatalf("RetryDestination = %d, %v", n, err)
	}
	if got := dueIDs(t, s, "beta", c.Now(), 10); !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("after RetryDestination: due %v", got)
	}
}

func TestOutboxSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "im.db")
	c := newClock()
	s, err := Open(path, Options{Now: c.Now})
	must(t, err)
	addUser(t, s, "alice", "Alice")
	for i := range 3 {
		msg := textMsg(fmt.Sprintf("m%d@alpha", i), "alice@alpha", "bob@beta", "hi")
		_, err := s.RecordSent("alice", msg, chatSend("beta", msg))
		must(t, err)
	}
	must(t, s.MarkDelivered(1))
	must(t, s.MarkRetry(2, c.Now().Add(time.Second), "503"))
	must(t, s.Close()) // the sender restarts

	s, err = Open(path, Options{Now: c.Now})
	must(t, err)
	defer s.Close()
	d, err := s.Destinations()
	if err != nil || len(d) != 1 || d[0].Destination != "beta" || d[0].Pending != 2 {
		t.Fatalf("Destinations after restart = %+v, %v", d, err)
	}
	// The peer comes back: everything left arrives, in order.
	c.Add(time.Second)
	var got []string
	for range 5 {
		items, err := s.Due("beta", c.Now(), 8)
		must(t, err)
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			got = append(got, it.MessageID)
			must(t, s.MarkDelivered(it.ID))
		}
	}
	if !slices.Equal(got, []string{"m1@alpha", "m2@alpha"}) {
		t.Fatalf("delivered after restart: %v", got)
	}
}

func TestOutboxStateRefusals(t *testing.T) {
	s, c := openTest(t)
	items := enqueue(t, s, send("beta", "d:a>x", 1), send("beta", "d:b>x", 2))
	must(t, s.MarkDelivered(items[0].ID))
	must(t, s.Park(items[1].ID, "not_found", "404", RetryManual))
	checkRefusals(t, s, []refusal{
		{"retry delivered", func() error { return s.MarkRetry(1, c.Now(), "x") }, ErrState, "outbox item 1 is delivered, not pending; nothing was changed"},
		{"retry parked", func() error { return s.MarkRetry(2, c.Now(), "x") }, ErrState, "outbox item 2 is parked, not pending"},
		{"park parked", func() error { return s.Park(2, "x", "x", RetryManual) }, ErrState, "is parked, not pending"},
		{"retry now delivered", func() error { _, err := s.RetryNow(1); return err }, ErrState, "is delivered, not pending or parked"},
		{"drop delivered", func() error { _, err := s.DropOutboxItem(1); return err }, ErrState, "is delivered, not pending or parked"},
		{"unknown item", func() error { return s.MarkDelivered(99) }, ErrNotFound, `no outbox item "99"`},
		{"bad window", func() error { _, err := s.Due("beta", c.Now(), 0); return err }, ErrInvalid, "invalid window: 0; want at least 1"},
	})
	// Delivering twice is a no-op, not an error.
	before := dump(t, s)
	must(t, s.MarkDelivered(1))
	assertUnchanged(t, before, dump(t, s))
}

func TestEnqueueRefusals(t *testing.T) {
	s, _ := openTest(t)
	ok := send("beta", "d:a>x", 1)
	with := func(f func(*Send)) Send { sd := ok; f(&sd); return sd }
	cases := []struct {
		name string
		send Send
		want string
	}{
		{"no destination", with(func(s *Send) { s.Destination = "" }), "invalid destination: required: a serverId or host:port"},
		{"bad serverId", with(func(s *Send) { s.Destination = "be ta" }), "invalid destination: bad serverId"},
		{"bad host", with(func(s *Send) { s.Destination = "beta.example.com" }), "is neither a serverId nor host:port"},
		{"no conversation", with(func(s *Send) { s.Conversation = "" }), "invalid conversation: required"},
		{"NUL in conversation", with(func(s *Send) { s.Conversation = "a\x00b" }), "invalid conversation: contains control character U+0000"},
		{"relative path", with(func(s *Send) { s.Path = "sns/chat" }), `invalid path: "sns/chat": want an absolute path`},
		{"bad JSON", with(func(s *Send) { s.Body = json.RawMessage(`{"a":`) }), "invalid body: not valid JSON"},
		{"huge body", with(func(s *Send) { s.Body = json.RawMessage(`"` + strings.Repeat("x", MaxBody) + `"`) }), "invalid body: 1048578 bytes, at most 1048576"},
		{"bad messageID", with(func(s *Send) { s.MessageID = "nope" }), "invalid messageID"},
		{"bad fileID", with(func(s *Send) { s.FileID = "f@x/y" }), "invalid fileID"},
	}
	var rs []refusal
	for _, tc := range cases {
		rs = append(rs, refusal{tc.name, func() error { _, err := s.Enqueue(tc.send); return err }, ErrInvalid, tc.want})
	}
	checkRefusals(t, s, rs)
}

func TestEnqueueCanonicalisesHostDestination(t *testing.T) {
	s, _ := openTest(t)
	it, err := s.Enqueue(send("IM.Example.com:443", "d:a>x", 1))
	if err != nil || it.Destination != "im.example.com:443" {
		t.Fatalf("got %q, %v", it.Destination, err)
	}
	if got := dueIDs(t, s, "im.example.com:443", it.CreatedAt, 1); !slices.Equal(got, []uint64{it.ID}) {
		t.Fatalf("due %v", got)
	}
}

func TestDeliveredHistoryIsBounded(t *testing.T) {
	c := newClock()
	s, err := Open(filepath.Join(t.TempDir(), "im.db"), Options{Now: c.Now, DeliveredHistory: 2})
	must(t, err)
	defer s.Close()
	items := enqueue(t, s, send("beta", "d:a>x", 1), send("beta", "d:a>x", 2), send("beta", "d:a>x", 3), send("beta", "d:a>x", 4))
	for _, it := range items[:3] {
		must(t, s.MarkDelivered(it.ID))
	}
	list, err := s.ListOutbox(OutboxFilter{})
	must(t, err)
	var got []string
	for _, it := range list {
		got = append(got, fmt.Sprintf("%d:%s", it.ID, it.State))
	}
	if want := []string{"2:delivered", "3:delivered", "4:pending"}; !slices.Equal(got, want) {
		t.Fatalf("outbox %v, want %v", got, want)
	}
	list, err = s.ListOutbox(OutboxFilter{Destination: "beta", State: OutboxDelivered, AfterID: 2, Limit: 5})
	if err != nil || len(list) != 1 || list[0].ID != 3 {
		t.Fatalf("filtered list %+v, %v", list, err)
	}
}

func TestClipReason(t *testing.T) {
	long := strings.Repeat("é", maxReasonLen) // 2 bytes each
	for in, want := range map[string]string{
		"503 busy\r\nretry": "503 busy  retry",
		"bad \xff byte":     "bad \uFFFD byte",
		long:                long[:maxReasonLen],
	} {
		if got := clip(in); got != want {
			t.Errorf("clip(%.20q) = %.20q (%d bytes), want %.20q", in, got, len(got), want)
		}
	}
}

// RetryParked brings back only the automatic items of one destination,
// at the time the caller's backoff gives; manual ones stay parked.
func TestRetryParked(t *testing.T) {
	s, c := openTest(t)
	enqueue(t, s, send("beta", "d:a>x", 1), send("beta", "d:b>x", 2), send("gamma", "d:a>x", 3))
	must(t, s.Park(1, "server_suspended", "server_suspended: beta is suspended", RetryAutomatic))
	must(t, s.Park(2, "wrong_sender", "403 wrong_sender", RetryManual))
	must(t, s.Park(3, "unknown_server", "unknown_server: gamma", RetryAutomatic))
	if it, _ := s.GetOutboxItem(1); it.Reason != "server_suspended" || it.Retry != RetryAutomatic || it.State != OutboxParked {
		t.Fatalf("parked: %+v", it)
	}
	at := c.Now().Add(time.Minute)
	n, err := s.RetryParked("beta", func(it OutboxItem) time.Time {
		if it.Attempts != 1 {
			t.Errorf("next sees %d attempts, want 1", it.Attempts)
		}
		return at
	})
	if err != nil || n != 1 {
		t.Fatalf("RetryParked = %d, %v; want 1 (the manual item stays)", n, err)
	}
	one, _ := s.GetOutboxItem(1)
	two, _ := s.GetOutboxItem(2)
	three, _ := s.GetOutboxItem(3)
	if one.State != OutboxPending || !one.NextAttemptAt.Equal(at) || one.Reason != "" || one.Retry != "" {
		t.Errorf("retried item: %+v", one)
	}
	if two.State != OutboxParked || two.Retry != RetryManual || three.State != OutboxParked {
		t.Errorf("a manual item, or another destination's, was retried: %+v %+v", two, three)
	}
	if got := dueIDs(t, s, "beta", at, 10); !slices.Equal(got, []uint64{1}) {
		t.Errorf("due at the backoff's time: %v", got)
	}
}
