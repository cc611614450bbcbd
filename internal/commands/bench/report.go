package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/imictl/imictl/internal/commands/output"
	"github.com/imictl/imictl/internal/loadgen"
	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// reasonOf names why a call failed, for the report's error counts: the
// peer's refusal reason or authentication failure as the peer or this
// side named it, else what the network did.
func reasonOf(err error) string {
	var ae *httpsig.AuthError
	var api *client.APIError
	var ne net.Error
	switch {
	case errors.As(err, &ae):
		return string(ae.Reason)
	case errors.As(err, &api) && api.Reason != "":
		return api.Reason
	case errors.As(err, &api):
		return "http_" + strconv.Itoa(api.Status)
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	var ue *client.UnreachableError
	if errors.As(err, &ue) {
		return "unreachable"
	}
	return "other"
}

// view is the report as printed: -o json and yaml keep these names.
type view struct {
	Target      string      `json:"target"`
	Endpoint    string      `json:"endpoint"`
	Concurrency int         `json:"concurrency"`
	Rate        float64     `json:"rate"` // 0: as fast as calls complete
	Calls       int         `json:"calls"`
	OK          int         `json:"ok"`
	Failed      int         `json:"failed"`
	Seconds     float64     `json:"seconds"`
	PerSecond   float64     `json:"perSecond"`
	LatencyMs   latencyMs   `json:"latencyMs"`
	Errors      []errorView `json:"errors"`  // most frequent first; [] when none
	Stopped     string      `json:"stopped"` // count, duration or cancelled
}

// errorView is how many calls failed for one reason.
type errorView struct {
	Reason  string `json:"reason"`
	Count   int    `json:"count"`
	Example string `json:"example"` // the first such error
}

type latencyMs struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

func newView(target, endpoint string, load loadgen.Options, r loadgen.Report) view {
	l := r.Latency
	errs := make([]errorView, 0, len(r.Errors))
	for _, e := range r.Errors {
		errs = append(errs, errorView(e))
	}
	return view{
		Target: target, Endpoint: endpoint, Concurrency: load.Concurrency, Rate: load.Rate,
		Calls: r.Calls, OK: r.OK, Failed: r.Failed, Seconds: r.Elapsed.Seconds(), PerSecond: r.Throughput,
		LatencyMs: latencyMs{Mean: ms(l.Mean), P50: ms(l.P50), P90: ms(l.P90), P99: ms(l.P99), Max: ms(l.Max)},
		Errors:    errs, Stopped: r.Stopped,
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (v view) output() output.View {
	rate := "as fast as calls complete"
	if v.Rate > 0 {
		rate = fmt.Sprintf("%g/s", v.Rate)
	}
	l := v.LatencyMs
	fields := []output.Field{
		{Key: "Target", Value: v.Target},
		{Key: "Endpoint", Value: v.Endpoint},
		{Key: "Load", Value: fmt.Sprintf("%d in flight, %s", v.Concurrency, rate)},
		{Key: "Calls", Value: fmt.Sprintf("%d (%d ok, %d failed) in %.2fs, stopped by %s", v.Calls, v.OK, v.Failed, v.Seconds, v.Stopped)},
		{Key: "Throughput", Value: fmt.Sprintf("%.1f calls/s", v.PerSecond)},
		{Key: "Latency", Value: fmt.Sprintf("p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms  mean %.2fms", l.P50, l.P90, l.P99, l.Max, l.Mean)},
	}
	for _, e := range v.Errors {
		fields = append(fields, output.Field{Key: "Failed (" + e.Reason + ")", Value: fmt.Sprintf("%d, e.g. %s", e.Count, e.Example)})
	}
	return output.View{Data: v, Details: fields}
}

// progressLine draws the run so far on one terminal line.
type progressLine struct {
	w     io.Writer
	count int // 0: bounded by time only
}

func (p *progressLine) draw(s loadgen.Snapshot) {
	done := strconv.Itoa(s.Calls)
	if p.count > 0 {
		done += "/" + strconv.Itoa(p.count)
	}
	rate := float64(s.Calls) / max(s.Elapsed.Seconds(), 1e-9)
	fmt.Fprintf(p.w, "\r\033[K%s calls  %.0f/s  %d failed  %s", done, rate, s.Failed, s.Elapsed.Truncate(time.Second))
}

// clear erases the line.
func (p *progressLine) clear() { fmt.Fprint(p.w, "\r\033[K") }
