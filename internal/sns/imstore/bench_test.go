package imstore

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
)

// Each operation is one read-write transaction, so fsync dominates; ops/s
// is what one server can acknowledge serially.
func BenchmarkEnqueue(b *testing.B) {
	s, _ := openTest(b)
	addUser(b, s, "alice", "Alice")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		msg := textMsg(fmt.Sprintf("m%d@alpha", i), "alice@alpha", fmt.Sprintf("u%d@beta", i%16), "hello")
		if _, err := s.RecordSent("alice", msg, chatSend("beta", msg)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkDeliverLocal(b *testing.B) {
	s, _ := openTest(b)
	addUser(b, s, "bob", "Bob")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, _, err := s.DeliverLocal("bob", textMsg(fmt.Sprintf("m%d@alpha", i), "alice@alpha", "bob@beta", "hello")); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkDeliverLocalParallel is BenchmarkDeliverLocal with 8 ×
// GOMAXPROCS goroutines delivering at once, as on a busy server: calls
// arriving during a commit share the next one (group commit).
func BenchmarkDeliverLocalParallel(b *testing.B) {
	s, _ := openTest(b)
	addUser(b, s, "bob", "Bob")
	b.ReportAllocs()
	var n atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("m%d@alpha", n.Add(1))
			if _, _, err := s.DeliverLocal("bob", textMsg(id, "alice@alpha", "bob@beta", "hello")); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	st := s.CommitStats()
	b.ReportMetric(float64(st.Calls)/float64(st.Commits), "msgs/commit")
	// The file grows with what it holds; how fast says how full its pages are.
	if fi, err := os.Stat(s.Path()); err == nil && b.N >= 10_000 {
		b.ReportMetric(float64(fi.Size())/float64(b.N), "file-B/msg")
	}
}

// Due over a destination with 1,000 conversations of 5 items each.
func BenchmarkDue(b *testing.B) {
	s, c := openTest(b)
	err := s.update(func(t *txn) error {
		for i := range 5000 {
			sd := send("beta", fmt.Sprintf("d:u%d>x", i%1000), i)
			if err := checkSend(&sd); err != nil {
				return err
			}
			if _, err := t.enqueue(sd); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		items, err := s.Due("beta", c.Now(), 32)
		if err != nil || len(items) != 32 {
			b.Fatalf("%d items, %v", len(items), err)
		}
	}
}
