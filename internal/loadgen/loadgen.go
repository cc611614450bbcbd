// Package loadgen runs one kind of call over and over under a load shape
// (concurrency, an optional rate) until a count or a duration is reached,
// and sums up what happened: throughput, latency percentiles, errors by
// reason. It knows nothing of what a call does; `imictl bench` gives it
// signed calls to a peer.
package loadgen

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options shape a run. At least one of Count and Duration bounds it: a run
// always stops by itself.
type Options struct {
	Concurrency int           // calls in flight at most; at least 1
	Rate        float64       // calls started per second in all, 0 for as fast as they complete
	Count       int           // stop after this many calls, 0 for no count limit
	Duration    time.Duration // stop starting calls after this, 0 for no time limit

	// Progress, when set, is called every Interval (default 1 s) from a
	// goroutine of its own with the run so far, and not after Run returns.
	Progress func(Snapshot)
	Interval time.Duration
}

// Call makes call number n (0, 1, ...).
type Call func(ctx context.Context, n int) error

// Reason names the kind of a failed call ("timeout", "unreachable", a
// refusal reason): the report counts errors by it.
type Reason func(error) string

// Snapshot is a run in progress.
type Snapshot struct {
	Calls   int // completed, failed included
	Failed  int
	Elapsed time.Duration
}

// Report is a finished run.
type Report struct {
	Calls      int // completed, failed included
	OK         int
	Failed     int
	Elapsed    time.Duration
	Throughput float64      // completed calls per second
	Latency    Latency      // of all completed calls
	Errors     []ErrorCount // most frequent first; [] when none
	Stopped    string       // count, duration or cancelled
}

// Latency sums up call durations.
type Latency struct {
	Mean time.Duration
	P50  time.Duration
	P90  time.Duration
	P99  time.Duration
	Max  time.Duration
}

// ErrorCount is how many calls failed for one reason, with the first such
// error's text as an example.
type ErrorCount struct {
	Reason  string
	Count   int
	Example string
}

// Why a run stopped.
const (
	StoppedCount     = "count"
	StoppedDuration  = "duration"
	StoppedCancelled = "cancelled"
)

// ErrUnbounded is Run's answer to options that bound nothing.
var ErrUnbounded = errors.New("loadgen: a run needs a count or a duration")

// Run calls call under o's load until the count is reached, the duration
// is over (calls in flight then finish) or ctx ends (calls in flight see it
// through their context).
func Run(ctx context.Context, o Options, call Call, reason Reason) (Report, error) {
	if o.Count <= 0 && o.Duration <= 0 {
		return Report{}, ErrUnbounded
	}
	r := &run{o: o, call: call, reason: reason, start: time.Now()}
	issue := ctx
	if o.Duration > 0 {
		var cancel context.CancelFunc
		issue, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	stopProgress := r.progress()
	var wg sync.WaitGroup
	for range max(1, o.Concurrency) {
		wg.Go(func() { r.worker(ctx, issue) })
	}
	wg.Wait()
	stopProgress()
	rep := r.report()
	switch {
	case ctx.Err() != nil:
		rep.Stopped = StoppedCancelled
	case o.Count > 0 && rep.Calls >= o.Count:
		rep.Stopped = StoppedCount
	default:
		rep.Stopped = StoppedDuration
	}
	return rep, nil
}

type run struct {
	o      Options
	call   Call
	reason Reason
	start  time.Time
	next   atomic.Int64 // the number of the next call to start

	mu        sync.Mutex
	latencies []time.Duration
	errors    map[string]*ErrorCount
	failed    int
}

// worker starts calls while the run lasts: issue ends the starting, ctx
// the calls themselves.
func (r *run) worker(ctx, issue context.Context) {
	for issue.Err() == nil {
		n := int(r.next.Add(1) - 1)
		if r.o.Count > 0 && n >= r.o.Count {
			return
		}
		if r.o.Rate > 0 && !r.waitTurn(issue, n) {
			return
		}
		began := time.Now()
		err := r.call(ctx, n)
		r.record(time.Since(began), err)
	}
}

// waitTurn sleeps until call n's start time at the run's rate; false when
// issue ends first.
func (r *run) waitTurn(issue context.Context, n int) bool {
	at := r.start.Add(time.Duration(float64(n) / r.o.Rate * float64(time.Second)))
	d := time.Until(at)
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-issue.Done():
		return false
	}
}

func (r *run) record(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, d)
	if err == nil {
		return
	}
	r.failed++
	why := r.reason(err)
	if r.errors == nil {
		r.errors = make(map[string]*ErrorCount)
	}
	e := r.errors[why]
	if e == nil {
		e = &ErrorCount{Reason: why, Example: err.Error()}
		r.errors[why] = e
	}
	e.Count++
}

// progress calls o.Progress every interval until the returned func is
// called.
func (r *run) progress() (stop func()) {
	if r.o.Progress == nil {
		return func() {}
	}
	every := r.o.Interval
	if every <= 0 {
		every = time.Second
	}
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				r.mu.Lock()
				s := Snapshot{Calls: len(r.latencies), Failed: r.failed, Elapsed: time.Since(r.start)}
				r.mu.Unlock()
				r.o.Progress(s)
			}
		}
	}()
	return func() { close(done); <-exited }
}

func (r *run) report() Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := Report{Calls: len(r.latencies), Failed: r.failed, Elapsed: time.Since(r.start), Errors: []ErrorCount{}}
	rep.OK = rep.Calls - rep.Failed
	if s := rep.Elapsed.Seconds(); s > 0 {
		rep.Throughput = float64(rep.Calls) / s
	}
	rep.Latency = summarize(r.latencies)
	for _, e := range r.errors {
		rep.Errors = append(rep.Errors, *e)
	}
	slices.SortFunc(rep.Errors, func(a, b ErrorCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return cmp.Compare(a.Reason, b.Reason)
	})
	return rep
}

// summarize computes the latency figures of ds (sorted in place); the
// percentiles are nearest-rank: P99 is a duration that at least 99% of
// the calls did not exceed.
func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(ds)))) - 1
		return ds[max(i, 0)]
	}
	return Latency{Mean: sum / time.Duration(len(ds)), P50: rank(0.50), P90: rank(0.90), P99: rank(0.99), Max: ds[len(ds)-1]}
}
