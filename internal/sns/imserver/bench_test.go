package imserver

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// BenchmarkChatRoundTrip measures signed /sns/chat round trips between two
// servers on this machine: alpha's client signs a message, beta verifies
// it, stores it in bob's inbox (a bbolt transaction, fsync included),
// signs its answer, and alpha verifies that; two at a time, as two cores
// allow. Beside it, the bound the SM2 arithmetic alone sets on this
// machine: 2 cores ÷ the CPU time of the two signatures and two
// verifications every round trip needs, measured in the same run.
func BenchmarkChatRoundTrip(b *testing.B) {
	_, alpha, beta := pair(b)
	peer := client.Peer{ServerID: beta.self, BaseURL: beta.url}
	ctx := context.Background()
	// Warm the caches (directory, certificate checks) on both sides.
	if err := alpha.peers.Chat(ctx, peer, chatRequest("warm-up")); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.ResetTimer()
	start := time.Now()
	b.SetParallelism(2) // 2 × GOMAXPROCS callers: keep both servers busy
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := alpha.peers.Chat(ctx, peer, chatRequest(fmt.Sprint("m", n.Add(1)))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	perSec := float64(b.N) / elapsed.Seconds()
	bound := sm2Bound(b)
	b.ReportMetric(perSec, "roundtrips/s")
	b.ReportMetric(bound, "sm2-bound/s")
	b.ReportMetric(perSec/bound, "of-bound")
}

func chatRequest(id string) wire.ChatRequest {
	return wire.ChatRequest{MessageInfo: wire.MessageInfo{
		SenderID: "alice@alpha-im", RecvID: "bob@beta-im", MessageType: wire.MessageText, Version: wire.Version1,
		Type: wire.ChatSingle, MessageID: id + "@alpha-im", Content: &wire.TextContent{Message: "benchmark message"},
	}}
}

// sm2Bound is round trips per second if SM2 were the only work: two cores
// divided by the CPU time of two signatures and two verifications over
// signature bases of the size a chat round trip signs.
func sm2Bound(b *testing.B) float64 {
	key, err := pki.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	base := []byte(strings.Repeat("x", 400)) // a signature base is a few hundred bytes
	sig, err := pki.Sign(key, base)
	if err != nil {
		b.Fatal(err)
	}
	const rounds = 200
	start := time.Now()
	for range rounds {
		for range 2 {
			if _, err := pki.Sign(key, base); err != nil {
				b.Fatal(err)
			}
			if !pki.VerifySignature(&key.PublicKey, base, sig) {
				b.Fatal("signature does not verify")
			}
		}
	}
	perRoundTrip := time.Since(start) / rounds
	return 2 / perRoundTrip.Seconds()
}

// BenchmarkUserRoundTrip is BenchmarkChatRoundTrip for S8 (GET users),
// which writes nothing: the cost of a signed round trip without the
// store's durable write, to tell the two apart.
func BenchmarkUserRoundTrip(b *testing.B) {
	_, alpha, beta := pair(b)
	peer := client.Peer{ServerID: beta.self, BaseURL: beta.url}
	ctx := context.Background()
	if _, err := alpha.peers.User(ctx, peer, "bob@beta-im"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	b.SetParallelism(2)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := alpha.peers.User(ctx, peer, "bob@beta-im"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	perSec := float64(b.N) / time.Since(start).Seconds()
	b.StopTimer()
	bound := sm2Bound(b)
	b.ReportMetric(perSec, "roundtrips/s")
	b.ReportMetric(bound, "sm2-bound/s")
	b.ReportMetric(perSec/bound, "of-bound")
}
