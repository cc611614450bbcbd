package loadgen

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func reasonOf(err error) string { return err.Error() }

func TestRunStopsAtCount(t *testing.T) {
	var calls atomic.Int64
	seen := make([]atomic.Bool, 50)
	rep, err := Run(context.Background(), Options{Concurrency: 4, Count: 50}, func(_ context.Context, n int) error {
		calls.Add(1)
		if seen[n].Swap(true) {
			t.Errorf("call %d made twice", n)
		}
		if n%10 == 3 {
			return errors.New("refused")
		}
		return nil
	}, reasonOf)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 50 || rep.Calls != 50 || rep.OK != 45 || rep.Failed != 5 || rep.Stopped != StoppedCount {
		t.Errorf("made %d calls, report %+v", calls.Load(), rep)
	}
	if want := []ErrorCount{{Reason: "refused", Count: 5, Example: "refused"}}; !reflect.DeepEqual(rep.Errors, want) {
		t.Errorf("errors %+v, want %+v", rep.Errors, want)
	}
}

// A run bounded by time alone stops by itself; the calls in flight finish.
func TestRunStopsAtDuration(t *testing.T) {
	rep, err := Run(context.Background(), Options{Concurrency: 2, Duration: 50 * time.Millisecond}, func(context.Context, int) error {
		time.Sleep(time.Millisecond)
		return nil
	}, reasonOf)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stopped != StoppedDuration || rep.Calls == 0 || rep.Failed != 0 || len(rep.Errors) != 0 || rep.Errors == nil {
		t.Errorf("report %+v", rep)
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rep, err := Run(ctx, Options{Concurrency: 3, Count: 1_000_000}, func(ctx context.Context, n int) error {
		if n == 10 {
			cancel()
		}
		return ctx.Err()
	}, func(err error) string {
		if errors.Is(err, context.Canceled) {
			return "cancelled"
		}
		return "other"
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stopped != StoppedCancelled || rep.Calls >= 1_000_000 {
		t.Errorf("report %+v", rep)
	}
}

func TestRunNeedsABound(t *testing.T) {
	if _, err := Run(context.Background(), Options{Concurrency: 1}, nil, nil); !errors.Is(err, ErrUnbounded) {
		t.Errorf("err = %v, want ErrUnbounded", err)
	}
}

// With a rate, call n does not start before n/rate after the start.
func TestRunPacesCalls(t *testing.T) {
	start := time.Now()
	var mu sync.Mutex
	var late []string
	_, err := Run(context.Background(), Options{Concurrency: 4, Rate: 200, Count: 20}, func(_ context.Context, n int) error {
		if since, due := time.Since(start), time.Duration(n)*5*time.Millisecond; since < due {
			mu.Lock()
			late = append(late, fmt.Sprintf("call %d at %v, due at %v", n, since, due))
			mu.Unlock()
		}
		return nil
	}, reasonOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(late) > 0 {
		t.Errorf("calls started early: %v", late)
	}
}

func TestProgress(t *testing.T) {
	var snaps []Snapshot
	var mu sync.Mutex
	_, err := Run(context.Background(), Options{Concurrency: 1, Count: 30, Interval: time.Millisecond, Progress: func(s Snapshot) {
		mu.Lock()
		snaps = append(snaps, s)
		mu.Unlock()
	}}, func(context.Context, int) error {
		time.Sleep(time.Millisecond)
		return nil
	}, reasonOf)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(snaps) == 0 {
		t.Fatal("no progress reported")
	}
	for i := 1; i < len(snaps); i++ {
		if snaps[i].Calls < snaps[i-1].Calls || snaps[i].Calls > 30 {
			t.Errorf("progress went %d -> %d", snaps[i-1].Calls, snaps[i].Calls)
		}
	}
}

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := summarize(ds)
	want := Latency{Mean: 50500 * time.Microsecond, P50: 50 * time.Millisecond, P90: 90 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if one := summarize([]time.Duration{7}); one != (Latency{7, 7, 7, 7, 7}) {
		t.Errorf("one call: %+v", one)
	}
	if none := summarize(nil); none != (Latency{}) {
		t.Errorf("no calls: %+v", none)
	}
}
