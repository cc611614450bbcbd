package ops

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

func TestListenWithoutHostBindsLoopback(t *testing.T) {
	ln, err := Listen(":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Errorf("bound %s, want loopback", ip)
	}
	if _, err := Listen("9440"); err == nil || !strings.Contains(err.Error(), "want HOST:PORT or :PORT") {
		t.Errorf("Listen(9440) = %v", err)
	}
}

// A service restarted in the process (serve restarts the IM server once it
// is registered) reuses its series: counters keep counting, gauges and
// checks read the running instance.
func TestServiceRestartReusesSeries(t *testing.T) {
	r := NewRegistry()
	first := r.Service("im")
	c := first.Counter("imictl_test_total", "test", "result")
	c.WithLabelValues("ok").Inc()
	first.Gauge("imictl_test_value", "test", func() float64 { return 1 })
	first.Ready("store", func(context.Context) error { return context.Canceled })

	again := r.Service("im")
	if again != first {
		t.Fatal("a second Service(im) is another view")
	}
	again.Counter("imictl_test_total", "test", "result").WithLabelValues("ok").Inc()
	again.Gauge("imictl_test_value", "test", func() float64 { return 2 })
	again.Ready("store", func(context.Context) error { return nil })

	families, err := r.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			values[f.GetName()] = value(m)
		}
	}
	if values["imictl_test_total"] != 2 || values["imictl_test_value"] != 2 {
		t.Errorf("after a restart: counter %v (want 2), gauge %v (want 2, the running instance's)", values["imictl_test_total"], values["imictl_test_value"])
	}
	if rep := r.Readiness(context.Background()); !rep.Ready || len(rep.Checks) != 1 {
		t.Errorf("readiness after a restart = %+v, want the new check only", rep)
	}
}

func value(m *dto.Metric) float64 {
	if c := m.GetCounter(); c != nil {
		return c.GetValue()
	}
	return m.GetGauge().GetValue()
}

// A GaugeSet reads its source once per scrape for all its gauges.
func TestGaugeSetReadsOncePerScrape(t *testing.T) {
	r := NewRegistry()
	calls := 0
	r.Service("im").GaugeSet([]LabelledGauge{
		{Name: "imictl_test_items", Help: "test", Labels: []string{"destination"}},
		{Name: "imictl_test_age_seconds", Help: "test", Labels: []string{"destination"}},
	}, func() ([][]Sample, error) {
		calls++
		return [][]Sample{{{Labels: []string{"beta"}, Value: 3}}, {{Labels: []string{"beta"}, Value: 7}}}, nil
	})
	families, err := r.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			got[f.GetName()] = value(m)
		}
	}
	if calls != 1 || got["imictl_test_items"] != 3 || got["imictl_test_age_seconds"] != 7 {
		t.Errorf("%d reads, values %v: want 1 read, 3 and 7", calls, got)
	}
}

// The profiles are served only once enabled.
func TestProfilingOptIn(t *testing.T) {
	r := NewRegistry()
	get := func(path string) (int, []byte) {
		t.Helper()
		rec := httptest.NewRecorder()
		r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.Bytes()
	}
	if code, _ := get("/debug/pprof/heap"); code != http.StatusNotFound {
		t.Errorf("/debug/pprof/heap before EnableProfiling: HTTP %d, want 404", code)
	}
	r.EnableProfiling()
	code, body := get("/debug/pprof/heap")
	if code != http.StatusOK || !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		t.Errorf("/debug/pprof/heap: HTTP %d, %d bytes: want 200 and a gzipped profile", code, len(body))
	}
	if code, body := get("/debug/pprof/"); code != http.StatusOK || !bytes.Contains(body, []byte("goroutine")) {
		t.Errorf("/debug/pprof/: HTTP %d: want the index of profiles", code)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz with profiling: HTTP %d", code)
	}
}
