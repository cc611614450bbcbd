package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// checkTimeout bounds each readiness check: a check stuck on a locked
// store answers "not ready" rather than hanging the prober.
const checkTimeout = 2 * time.Second

// Handler serves the operations endpoints:
//
//	GET /healthz  200 "ok" while the process serves at all (liveness)
//	GET /readyz   200 when every readiness check passes, else 503; the body
//	              lists each check (JSON)
//	GET /metrics  the Prometheus exposition of the registry
//	GET /debug/pprof/...  Go's profiles (net/http/pprof), only once
//	              EnableProfiling was called
func (r *Registry) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, req *http.Request) {
		rep := r.Readiness(req.Context())
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if !rep.Ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(rep)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{}))
	if r.profiling.Load() {
		// Index serves every named profile (heap, allocs, goroutine, ...)
		// under its prefix; the others need their own handlers.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// EnableProfiling adds Go's profiles to the handler (serve --pprof). They
// are off by default: a CPU profile or trace costs the server while it
// runs, and goroutine dumps show its internals, so the operator opts in,
// on a listener that is loopback unless they chose otherwise.
func (r *Registry) EnableProfiling() { r.profiling.Store(true) }

// Report is the answer of /readyz.
type Report struct {
	Ready  bool          `json:"ready"`
	Checks []CheckResult `json:"checks"`
}

// CheckResult is one check's outcome; Error says what is wrong.
type CheckResult struct {
	Service string `json:"service"`
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
}

// Readiness runs every check, each bounded by a short timeout.
func (r *Registry) Readiness(ctx context.Context) Report {
	r.mu.Lock()
	checks := append([]Check(nil), r.checks...)
	r.mu.Unlock()
	rep := Report{Ready: true, Checks: []CheckResult{}}
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		err := c.Fn(cctx)
		cancel()
		res := CheckResult{Service: c.Service, Name: c.Name, OK: err == nil}
		if err != nil {
			res.Error = err.Error()
			rep.Ready = false
		}
		rep.Checks = append(rep.Checks, res)
	}
	return rep
}
