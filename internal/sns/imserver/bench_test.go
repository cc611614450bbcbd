package imserver

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/cputime"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/wire"
)

// benchCallers is how many calls the round-trip benchmarks keep in flight,
// as a server's delivery workers do (8 conversations per destination by
// default, several destinations). Enough of them to let concurrent
// messages share one commit at the receiver.
var benchCallers = flag.Int("callers", 16, "concurrent callers of the round-trip benchmarks (rounded up to a multiple of GOMAXPROCS)")

// BenchmarkChatRoundTrip measures signed /sns/chat round trips between two
// servers on this machine: alpha's client signs a message, beta verifies
// it, stores it in bob's inbox (committed, fsync included, before it
// answers), signs its answer, and alpha verifies that; -callers of them at
// a time. Beside it, the bound the SM2 arithmetic alone sets on this
// machine: the cores ÷ the CPU time of the two signatures and two
// verifications every round trip needs, measured in the same run.
func BenchmarkChatRoundTrip(b *testing.B) {
	_, alpha, beta := benchPair(b)
	peer := client.Peer{ServerID: beta.self, BaseURL: beta.url}
	var n atomic.Int64
	roundTrips(b, func(ctx context.Context) error {
		return alpha.peers.Chat(ctx, peer, chatRequest(fmt.Sprint("m", n.Add(1))))
	})
	if got, err := beta.st.Inbox("bob", 0, 0); err != nil || int64(len(got)) != n.Load() {
		b.Fatalf("bob's inbox holds %d messages (%v), want every one of the %d acknowledged", len(got), err, n.Load())
	}
	// How many messages shared each commit (and its fsyncs) at beta.
	cs := beta.st.CommitStats()
	b.ReportMetric(float64(cs.Calls)/float64(cs.Commits), "msgs/commit")
}

// BenchmarkUserRoundTrip is BenchmarkChatRoundTrip for S8 (GET users),
// which writes nothing: the cost of a signed round trip without the
// store's durable write, to tell the two apart.
func BenchmarkUserRoundTrip(b *testing.B) {
	_, alpha, beta := benchPair(b)
	peer := client.Peer{ServerID: beta.self, BaseURL: beta.url}
	roundTrips(b, func(ctx context.Context) error {
		_, err := alpha.peers.User(ctx, peer, "bob@beta-im")
		return err
	})
}

// benchPair is pair with alpha keeping a connection for each of the
// -callers: they stand for the calls of several peers (8 conversations
// each by default), which would each have connections of their own, so
// none of them should dial again because one client's idle pool (twice
// the delivery window) is smaller than the load.
func benchPair(b *testing.B) (*testWorld, *testServer, *testServer) {
	return pair(b, func(c *Config) { c.Delivery.Window = max(c.Delivery.Window, *benchCallers/2) })
}

// setCallers makes b.RunParallel run -callers goroutines (rounded up to a
// multiple of GOMAXPROCS): SetParallelism counts per GOMAXPROCS.
func setCallers(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism(max(1, (*benchCallers+procs-1)/procs))
}

// roundTrips runs call b.N times from -callers goroutines and reports
// round trips per second, the SM2 bound and their ratio, and the CPU time
// of a round trip (cpu-ns/op: both servers and the caller together; the
// cores ÷ it is what the machine could do if nothing waited) with the
// ratio that would give (cpu-of-bound: the ceiling of of-bound, which a
// machine shared with other work keeps well below). The first call warms
// the caches (directory, certificate checks) on both sides.
func roundTrips(b *testing.B, call func(context.Context) error) {
	perSec, cpu, bound := measureRoundTrips(b, call)
	b.ReportMetric(perSec, "roundtrips/s")
	b.ReportMetric(bound, "sm2-bound/s")
	b.ReportMetric(perSec/bound, "of-bound")
	if cpu > 0 {
		b.ReportMetric(cpu*1e9, "cpu-ns/op")
		// What of-bound would be if the round trips had the cores to
		// themselves and nothing waited: the SM2 share of their CPU.
		b.ReportMetric(sm2PerRoundTrip(bound)/cpu, "cpu-of-bound")
	}
}

// measureRoundTrips runs call as roundTrips does and returns round trips
// per second, the CPU seconds of one (0 where not measured) and the SM2
// bound measured after them.
func measureRoundTrips(b *testing.B, call func(context.Context) error) (perSec, cpuPerOp, bound float64) {
	ctx := context.Background()
	if err := call(ctx); err != nil {
		b.Fatal(err)
	}
	setCallers(b)
	b.ResetTimer()
	start, cpu := time.Now(), cputime.Process()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	perSec = float64(b.N) / time.Since(start).Seconds()
	cpu = cputime.Process() - cpu
	b.StopTimer()
	return perSec, cpu.Seconds() / float64(b.N), sm2Bound(b)
}

// sm2PerRoundTrip is the CPU seconds of a round trip's SM2 work, from the
// bound (round trips per second on all cores).
func sm2PerRoundTrip(bound float64) float64 { return float64(runtime.NumCPU()) / bound }

func chatRequest(id string) wire.ChatRequest {
	return wire.ChatRequest{MessageInfo: wire.MessageInfo{
		SenderID: "alice@alpha-im", RecvID: "bob@beta-im", MessageType: wire.MessageText, Version: wire.Version1,
		Type: wire.ChatSingle, MessageID: id + "@alpha-im", Content: &wire.TextContent{Message: "benchmark message"},
	}}
}

// sm2Bound is round trips per second if SM2 were the only work: the cores
// divided by the CPU time of two signatures and two verifications over
// signature bases of the size a chat round trip signs. The servers are
// idle meanwhile, so the process's CPU time is SM2's. It is the best of
// a few trials (the least CPU per round): a trial that other work slowed
// down would lower the bound and flatter the ratio.
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
	// Collect the round trips' garbage first: the collector would
	// otherwise work through it during the trials and count as SM2's.
	runtime.GC()
	const trials, rounds = 5, 200
	best := time.Duration(math.MaxInt64)
	for range trials {
		start, cpu := time.Now(), cputime.Process()
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
		// CPU time, which other processes on a shared machine disturb
		// less than wall time; wall time where it is not measured.
		spent := cputime.Process() - cpu
		if spent <= 0 {
			spent = time.Since(start)
		}
		best = min(best, spent)
	}
	return float64(runtime.NumCPU()) / (best / rounds).Seconds()
}

// BenchmarkHTTPFloor is what net/http alone costs a round trip shaped like
// S8's, on this machine: -callers unsigned GETs on loopback carrying
// headers of the sizes a signed call and its signed answer carry, and a
// small JSON answer; no signing, no verification, no JSON, no store. Its
// CPU time beside SM2's gives the best ratio to the SM2 bound any round
// trip over net/http could reach here (best-of-bound): the headroom the
// round-trip benchmarks have for the rest of their work.
func BenchmarkHTTPFloor(b *testing.B) {
	sigInput := `imi=("@method" "@path" "@query" "content-digest" "imi-origin" "imi-destination");created=1767225600;nonce="` +
		strings.Repeat("n", 22) + `";keyid="alpha-im";alg="sm2-sm3";tag="imi-req"`
	signed := http.Header{
		"Imi-Origin": {"alpha-im"}, "Imi-Destination": {"beta-im"},
		"Content-Digest":  {"sm3=:" + strings.Repeat("d", 44) + ":"},
		"Signature-Input": {sigInput}, "Signature": {"imi=:" + strings.Repeat("s", 96) + ":"},
	}
	answer := []byte(`{"code":0,"message":"success","data":{"userID":"bob@beta-im","name":"Bob","verifyType":2}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		maps.Copy(h, signed)
		h.Set("Content-Type", "application/json;charset=utf-8")
		w.Write(answer)
	}))
	defer srv.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = *benchCallers
	defer tr.CloseIdleConnections()
	url := srv.URL + "/sns/users?userID=bob%40beta-im"
	call := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		maps.Copy(req.Header, signed)
		req.Header.Set("User-Agent", "imictl")
		req.Header.Set("Accept", "application/json, application/octet-stream")
		resp, err := tr.RoundTrip(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	_, cpu, bound := measureRoundTrips(b, call)
	if cpu > 0 {
		sm2 := sm2PerRoundTrip(bound)
		b.ReportMetric(cpu*1e9, "cpu-ns/op")
		b.ReportMetric(sm2*1e9, "sm2-cpu-ns/op")
		b.ReportMetric(sm2/(sm2+cpu), "best-of-bound")
	}
}
