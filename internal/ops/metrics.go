package ops

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry holds the metrics and readiness checks of every service of a
// process.
type Registry struct {
	reg *prometheus.Registry

	mu        sync.Mutex
	checks    []Check
	services  map[string]*Service
	profiling atomic.Bool // /debug/pprof/ on the handler
}

// NewRegistry returns a registry with the Go runtime and process series.
func NewRegistry() *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Registry{reg: reg, services: map[string]*Service{}}
}

// Gatherer is what /metrics exposes.
func (r *Registry) Gatherer() prometheus.Gatherer { return r.reg }

// Check is one readiness condition: ready while Fn returns nil.
type Check struct {
	Service string
	Name    string
	Fn      func(ctx context.Context) error
}

// Service is the part of a Registry one service writes to: its series
// carry service=<name>.
type Service struct {
	name string
	r    *Registry
	reg  prometheus.Registerer

	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	verifications *prometheus.CounterVec

	counters map[string]*prometheus.CounterVec
}

// Service returns the view of the registry for the named service, the
// same one each time: a service restarted in the process (as serve does
// after registering) keeps counting in the same series.
func (r *Registry) Service(name string) *Service {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.services[name]; ok {
		return s
	}
	reg := prometheus.WrapRegistererWith(prometheus.Labels{"service": name}, r.reg)
	s := &Service{
		name:     name,
		r:        r,
		reg:      reg,
		counters: map[string]*prometheus.CounterVec{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imictl_requests_total",
			Help: "Calls answered, by endpoint, HTTP status and refusal reason (empty on success).",
		}, []string{"endpoint", "status", "reason"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "imictl_request_duration_seconds",
			Help:    "Time from a call's arrival to the end of its answer, by endpoint.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"endpoint"}),
		verifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "imictl_signature_verifications_total",
			Help: "Signature checks of incoming calls, by result: ok or the refusal reason.",
		}, []string{"result"}),
	}
	reg.MustRegister(s.requests, s.duration, s.verifications)
	r.services[name] = s
	return s
}

// Name is the service's label value.
func (s *Service) Name() string { return s.name }

// Counter registers a counter of this service with the given labels, or
// returns the one registered under that name before.
func (s *Service) Counter(name, help string, labels ...string) *prometheus.CounterVec {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if c, ok := s.counters[name]; ok {
		return c
	}
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	s.reg.MustRegister(c)
	s.counters[name] = c
	return c
}

// Gauge registers a gauge whose value is read from fn at each scrape. It
// replaces a gauge of the same name: the value comes from the service
// running now, not from one that stopped.
func (s *Service) Gauge(name, help string, fn func() float64) {
	s.replace(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// replace registers c in place of a collector with the same descriptors.
func (s *Service) replace(c prometheus.Collector) {
	s.reg.Unregister(c)
	s.reg.MustRegister(c)
}

// Sample is one value of a labelled gauge.
type Sample struct {
	Labels []string // in the order the gauge's labels were declared
	Value  float64
}

// LabelledGauge describes one gauge of a GaugeSet.
type LabelledGauge struct {
	Name, Help string
	Labels     []string
}

// GaugeSet registers labelled gauges whose samples are read from fn at
// each scrape, once for all of them (they come from one read, such as one
// pass over the outbox): fn returns the samples of each gauge, in the
// order of gauges. An error from fn is reported to the scraper.
func (s *Service) GaugeSet(gauges []LabelledGauge, fn func() ([][]Sample, error)) {
	g := &gaugeSet{fn: fn}
	for _, lg := range gauges {
		g.descs = append(g.descs, prometheus.NewDesc(lg.Name, lg.Help, lg.Labels, nil))
	}
	s.replace(g)
}

type gaugeSet struct {
	descs []*prometheus.Desc
	fn    func() ([][]Sample, error)
}

func (g *gaugeSet) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range g.descs {
		ch <- d
	}
}

func (g *gaugeSet) Collect(ch chan<- prometheus.Metric) {
	samples, err := g.fn()
	for i, d := range g.descs {
		if err != nil {
			ch <- prometheus.NewInvalidMetric(d, err)
			continue
		}
		if i < len(samples) {
			for _, s := range samples[i] {
				ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, s.Value, s.Labels...)
			}
		}
	}
}

// Ready adds a readiness check of this service, in place of one of the
// same name.
func (s *Service) Ready(name string, fn func(ctx context.Context) error) {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	c := Check{Service: s.name, Name: name, Fn: fn}
	for i, old := range s.r.checks {
		if old.Service == s.name && old.Name == name {
			s.r.checks[i] = c
			return
		}
	}
	s.r.checks = append(s.r.checks, c)
}

// Age is the time since t in seconds, 0 for the zero time: what the *_age
// gauges report.
func Age(now, t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return now.Sub(t).Seconds()
}
