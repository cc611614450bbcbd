package imserver

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/sns/imserver/adminclient"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// sendBound is issue 10's bound on durable local sends: `im send`
// accepted through the admin surface, messages per second.
const sendBound = 5000

// BenchmarkAdminSend measures `imictl im send` as the admin surface
// accepts it: a text message from a local user, over the 0600 unix
// socket, answered once it is persisted (group commit, fsync included),
// from -callers concurrent senders. To a local recipient it lands in the
// sender's sent list and the inbox, one transaction; to a remote one in
// the sent list and the outbox, whose peer is stopped so that
// what is measured is the acceptance, not the delivery behind it.
func BenchmarkAdminSend(b *testing.B) {
	b.Run("local", func(b *testing.B) {
		_, alpha, _ := pair(b)
		alpha.addUser(b, imstore.User{UserID: "carol", Name: "Carol"})
		adminSends(b, alpha, "carol@alpha-im")
	})
	b.Run("remote", func(b *testing.B) {
		_, alpha, beta := pair(b)
		beta.stopOnce()
		adminSends(b, alpha, "bob@beta-im")
	})
}

// adminSends sends b.N texts from alice to to through ts's admin socket
// and reports messages per second next to sendBound.
func adminSends(b *testing.B, ts *testServer, to string) {
	c := adminclient.New(SocketPath(ts.dataDir))
	b.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if _, err := c.SendText(ctx, "alice", to, "warm up"); err != nil {
		b.Fatal(err)
	}
	before := ts.st.CommitStats()
	var n atomic.Int64
	setCallers(b)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.SendText(ctx, "alice", to, fmt.Sprint("message ", n.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	perSec := float64(b.N) / time.Since(start).Seconds()
	b.StopTimer()
	sent, err := ts.st.SentBy("alice", 0, 0)
	if err != nil || int64(len(sent)) != n.Load()+1 {
		b.Fatalf("alice's sent list holds %d messages (%v), want every one of the %d acknowledged", len(sent), err, n.Load()+1)
	}
	cs := ts.st.CommitStats()
	b.ReportMetric(perSec, "msgs/s")
	b.ReportMetric(sendBound, "bound-msgs/s")
	b.ReportMetric(perSec/sendBound, "of-bound")
	b.ReportMetric(float64(cs.Calls-before.Calls)/float64(max(1, cs.Commits-before.Commits)), "msgs/commit")
}
