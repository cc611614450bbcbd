package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func serverIDs(servers []Server) []string {
	var out []string
	for _, s := range servers {
		out = append(out, s.ServerID)
	}
	return out
}

func TestChangedSince(t *testing.T) {
	s, c := openTest(t)
	servers, serverTime, err := s.ChangedSince(0, nil)
	if err != nil || len(servers) != 0 || serverTime != 0 {
		t.Fatalf("empty store: %v %d %v", servers, serverTime, err)
	}
	register(t, s, "beta")
	register(t, s, "alpha")
	register(t, s, "gamma")
	all, t1, _ := s.ChangedSince(0, nil)
	if got := serverIDs(all); !slices.Equal(got, []string{"alpha", "beta", "gamma"}) {
		t.Fatalf("full query: %v", got)
	}
	c.Add(time.Second)
	s.SetStatus("admin", "beta", StatusNormal, StatusSuspended)
	cancel(t, s, "gamma")
	changed, t2, _ := s.ChangedSince(t1, nil)
	if got := serverIDs(changed); !slices.Equal(got, []string{"beta", "gamma"}) || t2 <= t1 {
		t.Fatalf("incremental: %v, serverTime %d after %d", got, t2, t1)
	}
	if changed[1].Status != StatusCancelled {
		t.Fatalf("cancelled server not reported as such: %+v", changed[1])
	}
	if again, t3, _ := s.ChangedSince(t2, nil); len(again) != 0 || t3 != t2 {
		t.Fatalf("nothing changed, got %v, %d", serverIDs(again), t3)
	}
	if clock, _ := s.ChangeClock(); clock != t2 {
		t.Fatalf("ChangeClock %d, serverTime %d", clock, t2)
	}
	some, _, _ := s.ChangedSince(0, []string{"gamma", "nobody", "alpha", "gamma"})
	if got := serverIDs(some); !slices.Equal(got, []string{"alpha", "gamma"}) {
		t.Fatalf("by ids: %v", got)
	}
	some, _, _ = s.ChangedSince(t1, []string{"alpha", "gamma"})
	if got := serverIDs(some); !slices.Equal(got, []string{"gamma"}) {
		t.Fatalf("by ids, incremental: %v", got)
	}
	// A lastQueryTime ahead of the store (a client's own clock) returns
	// nothing and the store's clock, so the next query catches up.
	if future, t4, _ := s.ChangedSince(t2+1e6, nil); len(future) != 0 || t4 != t2 {
		t.Fatalf("future lastQueryTime: %v, %d", serverIDs(future), t4)
	}
}

// The change clock never repeats or decreases, whatever the wall clock does.
func TestChangeClockSameMillisecondAndBackwards(t *testing.T) {
	s, c := openTest(t)
	a := register(t, s, "alpha")
	b := register(t, s, "beta") // same wall-clock millisecond
	c.Add(-time.Hour)
	d := register(t, s, "delta")
	if !(a.ChangedAt < b.ChangedAt && b.ChangedAt < d.ChangedAt) {
		t.Fatalf("changedAt %d, %d, %d", a.ChangedAt, b.ChangedAt, d.ChangedAt)
	}
	if a.ChangedAt != newClock().Now().UnixMilli() {
		t.Fatalf("first change %d is not the wall clock in ms", a.ChangedAt)
	}
	changed, _, _ := s.ChangedSince(a.ChangedAt, nil)
	if got := serverIDs(changed); !slices.Equal(got, []string{"beta", "delta"}) {
		t.Fatalf("after alpha: %v", got)
	}
}

// A client that polls with the serverTime it got sees every change exactly
// as the store has it at the end, whatever order and clock jitter changes
// come in.
func TestChangedSinceNeverMissesAChange(t *testing.T) {
	s, c := openTest(t)
	rng := rand.New(rand.NewPCG(1, 2))
	ids := []string{"a", "b", "c", "d", "e"}
	cache := map[string]Server{}
	var last int64
	poll := func() {
		changed, serverTime, err := s.ChangedSince(last, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, srv := range changed {
			cache[srv.ServerID] = srv
		}
		last = serverTime
	}
	for range 200 {
		c.Add(time.Duration(rng.IntN(5)-2) * time.Millisecond) // jitter, sometimes backwards
		id := ids[rng.IntN(len(ids))]
		srv, err := s.GetServer(id)
		switch {
		case err != nil:
			register(t, s, id)
		case srv.Status == StatusNormal:
			s.SetStatus("admin", id, StatusNormal, StatusSuspended)
		default:
			s.SetStatus("admin", id, StatusSuspended, StatusNormal)
		}
		if rng.IntN(3) == 0 {
			poll()
		}
	}
	poll()
	all, _ := s.ListServers()
	if len(all) != len(cache) {
		t.Fatalf("cache has %d servers, store %d", len(cache), len(all))
	}
	for _, srv := range all {
		if cache[srv.ServerID] != srv {
			t.Fatalf("cache has %+v, store %+v", cache[srv.ServerID], srv)
		}
	}
}

// More changed servers than one etcd transaction reads at once (the
// prefetch goes in chunks of etcdTxnOps): every one is answered, in order,
// by the incremental query and by the query for ids.
func TestChangedSinceManyServers(t *testing.T) {
	s, c := openTest(t)
	_, t0, _ := s.ChangedSince(0, nil)
	c.Add(time.Second)
	const n = 2*etcdTxnOps + 20
	var want []string
	for start := 0; start < n; start += 25 {
		var batch []Server
		for i := start; i < min(start+25, n); i++ {
			id := fmt.Sprintf("srv%03d", i)
			batch = append(batch, Server{ServerID: id, ServerFields: fields(id)})
			want = append(want, id)
		}
		if err := s.ImportServers("admin", batch); err != nil {
			t.Fatal(err)
		}
	}
	changed, _, err := s.ChangedSince(t0, nil)
	if got := serverIDs(changed); err != nil || !slices.Equal(got, want) {
		t.Fatalf("incremental query: %d servers (%v), want %d", len(got), err, n)
	}
	if changed[n-1].ServerName != "Server "+want[n-1] {
		t.Errorf("the last record: %+v", changed[n-1])
	}
	ids := append([]string{"nobody"}, want...)
	rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	some, _, err := s.ChangedSince(t0, ids)
	if got := serverIDs(some); err != nil || !slices.Equal(got, want) {
		t.Fatalf("query for %d ids: %d servers (%v), want %d", len(ids), len(got), err, n)
	}
}
