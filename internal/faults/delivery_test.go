package faults

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
)

// messages is how many messages a crash test sends. The issue asks for
// 10,000: alone on a 2-core machine that takes 25 s (kill of the sender)
// and 17 s (of the receiver), but `go test ./...` runs the other packages
// beside it, and on a loaded machine 10,000 took two minutes. 2,000 keeps
// each test well under a minute there; -faults.messages=10000 runs the
// issue's count.
var messages = flag.Int("faults.messages", 2000, "messages each crash test sends")

// senders is how many local users send at once, each its own conversation.
const senders = 4

// outcome of one send through the admin surface.
type outcome int

const (
	acked   outcome = iota // the server answered success: it must arrive once
	refused                // the server answered a refusal: it must never arrive
	unknown                // the connection broke: it may arrive, at most once
)

// sendLog is what the senders were told, per message text.
type sendLog struct {
	mu       sync.Mutex
	outcomes map[string]outcome
	counts   [3]int
}

func (l *sendLog) note(text string, o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.outcomes[text] = o
	l.counts[o]++
}

// stream sends n messages, spread over the senders of from, to user to,
// as fast as the admin surface takes them; each sender sends its own in
// order, "user seq". A sender stops at its first failure, and its next
// message is the one after; after is called once every sender has
// acknowledged at least at messages (a crash in mid-stream), and the
// senders carry on once it returns.
func stream(t *testing.T, from *im, users []string, to string, n int, at int, after func()) *sendLog {
	t.Helper()
	l := &sendLog{outcomes: map[string]outcome{}}
	per := n / len(users)
	var reached sync.WaitGroup
	reached.Add(len(users))
	resume := make(chan struct{})
	var crashed atomic.Bool
	go func() { reached.Wait(); crashed.Store(true); after(); close(resume) }()
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() {
			signalled := false
			for seq := range per {
				if seq == at {
					reached.Done()
					signalled = true
				}
				text := u + " " + strconv.Itoa(seq)
				_, err := from.admin.SendText(context.Background(), u, to, text)
				var refusal *adminclient.Error
				switch {
				case err == nil:
					l.note(text, acked)
				case errors.As(err, &refusal):
					l.note(text, refused)
				default:
					l.note(text, unknown)
				}
				if err != nil && crashed.Load() {
					<-resume // the crash: wait for the restart, then go on
				}
			}
			if !signalled {
				reached.Done()
			}
		})
	}
	wg.Wait()
	<-resume
	return l
}

// checkDelivered waits until from has delivered everything it accepted,
// then checks user's inbox at to against what the senders were told:
// every acknowledged message once, nothing refused, nothing twice, and
// each conversation in the order it was sent.
func checkDelivered(t *testing.T, from, to *im, user string, l *sendLog) {
	t.Helper()
	ctx := context.Background()
	drained(t, from)
	seen := map[string]int{}
	last := map[string]int{}
	var after uint64
	delivered := 0
	for {
		page, err := to.admin.Inbox(ctx, user, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, m := range page {
			after = m.Seq
			var c struct {
				Message string `json:"message"`
			}
			if err := json.Unmarshal(m.Content, &c); err != nil {
				t.Fatalf("message %s: %v", m.MessageID, err)
			}
			delivered++
			seen[c.Message]++
			sender, seqText, _ := strings.Cut(c.Message, " ")
			seq, _ := strconv.Atoi(seqText)
			if prev, ok := last[sender]; ok && seq <= prev {
				t.Errorf("%s's %d arrived after its %d", sender, seq, prev)
			}
			last[sender] = seq
		}
	}
	unknownDelivered := 0
	for text, o := range l.outcomes {
		switch n := seen[text]; {
		case o == acked && n != 1:
			t.Errorf("acknowledged %q arrived %d times", text, n)
		case o == refused && n != 0:
			t.Errorf("refused %q arrived %d times", text, n)
		case o == unknown && n > 1:
			t.Errorf("%q (connection broken) arrived %d times", text, n)
		case o == unknown && n == 1:
			unknownDelivered++
		}
	}
	for text := range seen {
		if _, ok := l.outcomes[text]; !ok {
			t.Errorf("%q arrived but was never sent", text)
		}
	}
	users := map[string]bool{}
	for text := range l.outcomes {
		sender, _, _ := strings.Cut(text, " ")
		users[sender] = true
	}
	t.Logf("%d sent by %d users: %d acknowledged, %d refused, %d cut off by the crash (%d of them delivered); %d in the inbox",
		len(l.outcomes), len(users), l.counts[acked], l.counts[refused], l.counts[unknown], unknownDelivered, delivered)
}

// pending is how many items s's outbox holds (-1 if s does not answer).
func pending(s *im) int {
	st, err := s.admin.Status(context.Background())
	if err != nil {
		return -1
	}
	n := 0
	for _, d := range st.Outbox {
		n += d.Pending + d.Parked
	}
	return n
}

// drained waits until s's outbox is empty, for as long as it keeps
// shrinking: a slow machine delivers slowly, a stuck outbox fails the test
// after waitFor without progress.
func drained(t *testing.T, s *im) {
	t.Helper()
	least, deadline := -1, time.Now().Add(waitFor)
	for {
		switch left := pending(s); {
		case left == 0:
			return
		case left > 0 && (least < 0 || left < least):
			least, deadline = left, time.Now().Add(waitFor)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s's outbox stopped draining with %d items left", s.id, least)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func crashWorld(t *testing.T) (alpha, beta *im, users []string) {
	w := newWorld(t)
	alpha, beta = w.addIM("alpha"), w.addIM("beta")
	users = alpha.addUsers(t, "a", senders)
	beta.addUsers(t, "b", 1)
	return alpha, beta, users
}

// kill -9 of the sending IM server in mid-stream, and its restart.
func TestKillSender(t *testing.T) {
	alpha, beta, users := crashWorld(t)
	l := stream(t, alpha, users, "b0@beta", *messages, *messages/senders/3, func() {
		t.Logf("killing alpha with %d messages in its outbox", pending(alpha))
		alpha.proc.kill()
		alpha.restart(t)
	})
	checkDelivered(t, alpha, beta, "b0", l)
	if l.counts[acked] == 0 {
		t.Fatal("nothing was acknowledged")
	}
}

// kill -9 of the receiving IM server in mid-stream, and its restart: the
// sender retries what was not answered, and the receiver deduplicates.
func TestKillReceiver(t *testing.T) {
	alpha, beta, users := crashWorld(t)
	l := stream(t, alpha, users, "b0@beta", *messages, *messages/senders/3, func() {
		t.Logf("killing beta with %d messages in alpha's outbox", pending(alpha))
		beta.proc.kill()
		beta.restart(t)
	})
	checkDelivered(t, alpha, beta, "b0", l)
	if l.counts[acked] != len(l.outcomes) {
		t.Errorf("the sender refused %d messages while the receiver was down: it should queue them", len(l.outcomes)-l.counts[acked])
	}
}

// SIGTERM of the sending IM server in mid-stream, as an init system stops
// it: it stops accepting, finishes the calls in flight, exits 0, and after
// the restart every acknowledged message arrives once, in order.
func TestTermSender(t *testing.T) {
	alpha, beta, users := crashWorld(t)
	l := stream(t, alpha, users, "b0@beta", *messages, *messages/senders/3, func() {
		t.Logf("stopping alpha (SIGTERM) with %d messages in its outbox", pending(alpha))
		if code := alpha.proc.stop(); code != 0 {
			t.Errorf("alpha exited %d on SIGTERM, want 0", code)
		}
		alpha.restart(t)
	})
	checkDelivered(t, alpha, beta, "b0", l)
	if l.counts[acked] == 0 {
		t.Fatal("nothing was acknowledged")
	}
}
