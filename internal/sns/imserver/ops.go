package imserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/imictl/imictl/internal/ops"
	"github.com/imictl/imictl/internal/sns/imstore"
)

// Readiness: the directory is stale when no refresh succeeded for this
// many refresh intervals (a failed one is retried well within that).
const staleRefreshes = 3

// instrument registers the server's series and readiness checks
// (docs/OPERATIONS.md) and returns the interconnection handler wrapped
// with the call log and request metrics.
func (s *Server) instrument(h http.Handler) http.Handler {
	m := s.cfg.Ops
	s.deliveries = m.Counter("imictl_deliveries_total",
		"Delivery attempts of queued calls to peers, by result: delivered, retry (tried again later) or parked (refused by the peer).", "result")
	m.GaugeSet([]ops.LabelledGauge{
		{Name: "imictl_outbox_items", Help: "Undelivered queued calls, by destination and state (pending or parked).", Labels: []string{"destination", "state"}},
		{Name: "imictl_outbox_oldest_age_seconds", Help: "Age of the oldest undelivered queued call, by destination.", Labels: []string{"destination"}},
	}, func() ([][]ops.Sample, error) {
		dests, err := s.st.Destinations() // one pass over the outbox for both gauges
		now := time.Now()
		var items, ages []ops.Sample
		for _, d := range dests {
			items = append(items,
				ops.Sample{Labels: []string{d.Destination, string(imstore.OutboxPending)}, Value: float64(d.Pending)},
				ops.Sample{Labels: []string{d.Destination, string(imstore.OutboxParked)}, Value: float64(d.Parked)})
			ages = append(ages, ops.Sample{Labels: []string{d.Destination}, Value: ops.Age(now, d.OldestCreatedAt)})
		}
		return [][]ops.Sample{items, ages}, err
	})
	m.Gauge("imictl_directory_servers", "Servers in this server's copy of the management server's directory.", func() float64 {
		n, _ := s.st.DirectorySize()
		return float64(n)
	})
	m.Gauge("imictl_directory_age_seconds", "Seconds since the directory was last brought up to date (0 before the first time).", func() float64 {
		return ops.Age(time.Now(), s.dir.lastSync())
	})
	m.Gauge("imictl_crl_age_seconds", "Seconds since the thisUpdate of the CRL in use (0 without one).", func() float64 {
		crl, err := s.crl.Current()
		if err != nil {
			return 0
		}
		return ops.Age(time.Now(), crl.ThisUpdate)
	})

	m.Ready("store", func(context.Context) error {
		_, err := s.st.DirectoryCursor()
		return err
	})
	m.Ready("registered", func(context.Context) error {
		if now := time.Now(); now.After(s.id.cert.NotAfter) {
			return fmt.Errorf("the interconnection certificate expired at %s: renew it (imictl register modify)", s.id.cert.NotAfter.UTC().Format(time.RFC3339))
		}
		return nil
	})
	m.Ready("crl", func(context.Context) error {
		_, err := s.crl.Current()
		return err
	})
	m.Ready("directory", func(context.Context) error {
		last := s.dir.lastSync()
		if last.IsZero() {
			return errors.New("the directory has not been fetched from the management server yet")
		}
		if age := time.Since(last); age > staleRefreshes*s.dir.refresh {
			return fmt.Errorf("the directory was last refreshed %s ago: is the management server reachable?", age.Round(time.Second))
		}
		return nil
	})
	return m.Observe(h, endpointLabel, s.log)
}

// knownEndpoints are the label values of the request series: the
// interconnection interfaces under /sns (whichever prefix was used).
var knownEndpoints = func() map[string]bool {
	m := map[string]bool{receiveNotifyPath: true}
	for _, rt := range oneToOne {
		m[prefixSNS+rt.path] = true
	}
	return m
}()

// endpointLabel names a call's interface for the metrics: /sns/v1/chat and
// /sns/chat/ count as /sns/chat; any other path as "other", so that callers
// cannot create series at will.
func endpointLabel(r *http.Request) string {
	p := strings.TrimSuffix(r.URL.Path, "/")
	if rest, ok := strings.CutPrefix(p, prefixSNSV1); ok {
		p = prefixSNS + rest
	}
	if knownEndpoints[p] {
		return p
	}
	return "other"
}
