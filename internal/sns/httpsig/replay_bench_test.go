package httpsig

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkReplayCache adds nonces as a busy server does: 1,000 a second
// from 4 origins for the 5-minute window, 300,000 held at once. Besides
// the time of an add, it reports the heap the cache holds per nonce.
func BenchmarkReplayCache(b *testing.B) {
	const perSecond, window = 1000, 300
	nonces := make([]string, perSecond*window)
	for i := range nonces {
		nonces[i] = fmt.Sprintf("%022d", i) // a 16-byte nonce in base64 is 22 characters
	}
	origins := []string{"alpha-im", "beta-im", "gamma-im", "delta-im"}
	var held uint64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c := newReplayCache(window, 1<<20, 1<<20)
		for i, n := range nonces {
			now := int64(1_000_000 + i/perSecond)
			if err := c.add(origins[i%len(origins)], n, now, now); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		held = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(c)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(nonces)), "ns/add")
	b.ReportMetric(float64(held)/float64(len(nonces)), "heap-B/nonce")
}
