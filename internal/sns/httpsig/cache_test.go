package httpsig

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/clocktest"
)

// countingDirectory is a directory that counts its lookups and can hold
// them until released.
type countingDirectory struct {
	calls   atomic.Int32
	release chan struct{} // nil: answer at once
	records StaticResolver
	down    bool
}

func (d *countingDirectory) Resolve(ctx context.Context, id string) (*ServerInfo, error) {
	d.calls.Add(1)
	if d.release != nil {
		<-d.release
	}
	if d.down {
		return nil, errors.New("connection refused")
	}
	return d.records.Resolve(ctx, id)
}

func newDirectory(n int) *countingDirectory {
	d := &countingDirectory{records: StaticResolver{}}
	for i := range n {
		id := fmt.Sprintf("s%d", i)
		d.records[id] = &ServerInfo{ServerID: id}
	}
	return d
}

func TestCachingResolverFetchesConcurrentMissesOnce(t *testing.T) {
	d := newDirectory(1)
	d.release = make(chan struct{})
	c := NewCachingResolver(d, CacheOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Resolve(context.Background(), "s0")
			errs <- err
		}()
	}
	for d.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(d.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := d.calls.Load(); n != 1 {
		t.Fatalf("10 concurrent lookups queried the directory %d times, want 1", n)
	}
}

func TestCachingResolverExpiryBoundAndInvalidate(t *testing.T) {
	d := newDirectory(5)
	clk := clocktest.New(time.Unix(1_767_225_600, 0))
	c := NewCachingResolver(d, CacheOptions{Capacity: 3, TTL: time.Minute, NegativeTTL: 10 * time.Second, Now: clk.Now})
	ctx := context.Background()
	resolve := func(id string) error { _, err := c.Resolve(ctx, id); return err }
	steps := []struct {
		name  string
		do    func()
		id    string
		calls int32 // directory calls so far
		err   error
	}{
		{"miss", nil, "s0", 1, nil},
		{"hit", nil, "s0", 1, nil},
		{"expired", func() { clk.Add(time.Minute) }, "s0", 2, nil},
		{"invalidated", func() { c.Invalidate("s0") }, "s0", 3, nil},
		{"unknown", nil, "nobody", 4, ErrUnknownServer},
		{"unknown is remembered", nil, "nobody", 4, ErrUnknownServer},
		{"for NegativeTTL", func() { clk.Add(10 * time.Second) }, "nobody", 5, ErrUnknownServer},
		{"fill beyond capacity", func() { resolve("s1"); resolve("s2"); resolve("s3") }, "s3", 8, nil},
		{"least recently used was dropped", nil, "s0", 9, nil},
		{"directory down is not cached", func() { d.down = true; c.Invalidate("s0") }, "s0", 10, nil},
		{"so the next call retries", func() { d.down = false }, "s0", 11, nil},
	}
	for _, s := range steps {
		if s.do != nil {
			s.do()
		}
		err := resolve(s.id)
		if s.name == "directory down is not cached" {
			if err == nil || errors.Is(err, ErrUnknownServer) {
				t.Fatalf("%s: got %v, want the directory's error", s.name, err)
			}
		} else if !errors.Is(err, s.err) || (s.err == nil && err != nil) {
			t.Fatalf("%s: got %v, want %v", s.name, err, s.err)
		}
		if n := d.calls.Load(); n != s.calls {
			t.Fatalf("%s: %d directory calls, want %d", s.name, n, s.calls)
		}
		if c.Len() > 3 {
			t.Fatalf("%s: %d records held, capacity 3", s.name, c.Len())
		}
	}
}

func TestCachingResolverCallerCancels(t *testing.T) {
	d := newDirectory(1)
	d.release = make(chan struct{})
	defer close(d.release)
	c := NewCachingResolver(d, CacheOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Resolve(ctx, "s0"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestChain(t *testing.T) {
	mgmt := StaticResolver{"center-im": {ServerID: "center-im"}}
	dir := newDirectory(1)
	r := Chain(mgmt, dir)
	for id, want := range map[string]error{"center-im": nil, "s0": nil, "nobody": ErrUnknownServer} {
		info, err := r.Resolve(context.Background(), id)
		if !errors.Is(err, want) || (want == nil && (err != nil || info.ServerID != id)) {
			t.Errorf("Resolve(%q) = %v, %v", id, info, err)
		}
	}
	dir.down = true
	if _, err := r.Resolve(context.Background(), "s0"); err == nil || errors.Is(err, ErrUnknownServer) {
		t.Errorf("a directory failure must not read as an unknown server: %v", err)
	}
}

// statusDirectory answers one server with a status that can change.
type statusDirectory struct {
	mu     sync.Mutex
	status int
}

func (d *statusDirectory) Resolve(_ context.Context, id string) (*ServerInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return &ServerInfo{ServerID: id, Status: d.status}, nil
}

func (d *statusDirectory) set(status int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.status = status
}

// A lookup during Change waits for it, and then sees the changed record:
// never the cached one from before a change the directory already shows.
func TestCachingResolverChange(t *testing.T) {
	src := &statusDirectory{status: StatusNormal}
	c := NewCachingResolver(src, CacheOptions{})
	ctx := context.Background()
	if info, err := c.Resolve(ctx, "s1"); err != nil || info.Status != StatusNormal {
		t.Fatalf("first lookup: %+v %v", info, err)
	}
	during := make(chan int, 1)
	err := c.Change([]string{"s1"}, func() error {
		go func() {
			info, _ := c.Resolve(ctx, "s1")
			during <- info.Status
		}()
		select {
		case got := <-during:
			t.Errorf("a lookup answered (status %d) while the record was being changed", got)
		case <-time.After(50 * time.Millisecond):
		}
		src.set(StatusSuspended)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := <-during; got != StatusSuspended {
		t.Errorf("the lookup made during the change saw status %d, want the new %d", got, StatusSuspended)
	}
	wantErr := errors.New("disk full")
	if err := c.Change([]string{"s1"}, func() error { return wantErr }); !errors.Is(err, wantErr) {
		t.Errorf("Change = %v, want the write's error", err)
	}
}
