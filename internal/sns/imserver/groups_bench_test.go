package imserver

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/imserver/adminapi"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// fanOutMembers is how many members each of the three other servers has.
const fanOutMembers = 100

// BenchmarkGroupFanOut measures a group of alpha with 100 members on each
// of three other servers: alice, on alpha, sends b.N messages from
// -callers goroutines. Reported: messages per second accepted at the main
// server (each acknowledged once stored, delivered to alpha's side and
// queued for the three servers), messages per second until the last
// member of every server has all of them, and for one message sent alone
// the time until the last server has it. Beside them, the signed S1 round
// trips per second between alpha and beta in the same run.
func BenchmarkGroupFanOut(b *testing.B) {
	w := newWorld(b)
	alpha := w.server(b, "alpha-im")
	alpha.addUser(b, imstore.User{UserID: "alice", Name: "Alice"})
	v, err := alpha.CreateGroup(adminapi.NewGroup{User: "alice", Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	gid := v.GroupInfo.GroupID
	var dests []*testServer
	for _, id := range []string{"beta-im", "gamma-im", "delta-im"} {
		ts := w.server(b, id)
		var users []string
		var add []imstore.GroupMember
		for i := range fanOutMembers {
			u := fmt.Sprint("u", i)
			ts.addUser(b, imstore.User{UserID: u, Name: u})
			users, add = append(users, u), append(add, imstore.GroupMember{UserID: u + "@" + id})
		}
		if _, err := alpha.st.ChangeGroup(imstore.GroupChange{GroupID: gid, Add: add}); err != nil {
			b.Fatal(err)
		}
		if err := ts.st.AddGroupRoutes(gid, "alpha-im", "bench", id, users); err != nil {
			b.Fatal(err)
		}
		dests = append(dests, ts)
	}
	var sent atomic.Int64
	send := func() {
		if _, err := alpha.SendGroup(adminapi.GroupSend{User: "alice", Group: gid, MessageType: "text", Text: fmt.Sprint("m", sent.Add(1))}); err != nil {
			b.Error(err)
		}
	}
	// everywhere waits until the last member of every server holds the
	// group's newest message, and so every earlier one: a group's calls to
	// a server arrive in order.
	everywhere := func() {
		_, newest, err := alpha.st.GroupMessages(gid, "", 0)
		if err != nil {
			b.Fatal(err)
		}
		last := fmt.Sprint("u", fanOutMembers-1)
		for range 60000 {
			done := true
			for _, ts := range dests {
				if _, err := ts.st.InboxMessageByID(last, newest); err != nil {
					done = false
				}
			}
			if done {
				return
			}
			time.Sleep(time.Millisecond)
		}
		b.Fatalf("the servers did not receive message %s within a minute", newest)
	}
	send() // warms the directory and certificate caches on every side
	everywhere()

	setCallers(b)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			send()
		}
	})
	accepted := time.Since(start)
	everywhere()
	delivered := time.Since(start)
	b.StopTimer()

	one := time.Now()
	send()
	everywhere()
	last := time.Since(one)

	b.ReportMetric(float64(b.N)/accepted.Seconds(), "accepted-msgs/s")
	b.ReportMetric(float64(b.N)/delivered.Seconds(), "delivered-msgs/s")
	b.ReportMetric(float64(last.Microseconds())/1000, "ms-to-last-server")
	b.ReportMetric(s1RoundTrips(b, alpha, dests[0]), "s1-roundtrips/s")
}

// s1RoundTrips is signed S1 round trips per second from alpha to beta's
// u0, -callers at a time, over a fixed number of calls.
func s1RoundTrips(b *testing.B, alpha, beta *testServer) float64 {
	const calls = 400
	peer := client.Peer{ServerID: beta.self, BaseURL: beta.url}
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *benchCallers {
		wg.Go(func() {
			for i := n.Add(1); i <= calls; i = n.Add(1) {
				req := chatRequest(fmt.Sprint("s1-", i))
				req.MessageInfo.RecvID = "u0@" + beta.self
				if err := alpha.peers.Chat(context.Background(), peer, req); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return calls / time.Since(start).Seconds()
}
