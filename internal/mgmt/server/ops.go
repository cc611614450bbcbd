package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/ops"
)

// instrument registers the management server's series and readiness
// checks (docs/OPERATIONS.md) and returns the public handler wrapped with
// the call log and request metrics.
func (s *Server) instrument(h http.Handler) http.Handler {
	m := s.cfg.Ops
	m.Gauge("imictl_notifications_pending", "Change notifications (M3) to IM servers not yet delivered.", func() float64 {
		pending, err := s.st.ListOutbox(store.OutboxFilter{State: store.OutboxPending})
		if err != nil {
			return 0
		}
		return float64(len(pending))
	})
	m.Gauge("imictl_notification_changes_expanding", "Changes whose notifications (M3) are not all queued yet.", func() float64 {
		queued, err := s.st.Expanding()
		if err != nil {
			return 0
		}
		return float64(len(queued))
	})
	m.Gauge("imictl_crl_age_seconds", "Seconds since the thisUpdate of the CRL in use (0 without one).", func() float64 {
		crl, err := s.crl.Current()
		if err != nil {
			return 0
		}
		return ops.Age(s.cfg.Now(), crl.ThisUpdate)
	})
	m.Ready("store", func(context.Context) error {
		_, err := s.st.ChangeClock()
		return err
	})
	m.Ready("ca", func(context.Context) error {
		for _, c := range []*smx509.Certificate{s.ca.Root.Cert, s.ca.Self} {
			if now := s.cfg.Now(); now.After(c.NotAfter) {
				return fmt.Errorf("the CA certificate %q expired at %s", c.Subject.CommonName, c.NotAfter.UTC().Format(time.RFC3339))
			}
		}
		return nil
	})
	m.Ready("crl", func(context.Context) error {
		_, err := s.crl.Current()
		return err
	})
	return m.Observe(h, mgmtEndpoint, s.cfg.Logger)
}

var mgmtEndpoints = map[string]bool{
	mgmt.PathServers: true, mgmt.PathServerCert: true, mgmt.PathCRL: true, mgmt.PathRoot: true,
	mgmt.PathSubmit: true, mgmt.PathModify: true, mgmt.PathCancel: true, mgmt.PathStatus: true,
}

// mgmtEndpoint names a call's interface for the metrics; unknown paths are
// "other", so that callers cannot create series at will.
func mgmtEndpoint(r *http.Request) string {
	if p := strings.TrimSuffix(r.URL.Path, "/"); mgmtEndpoints[p] {
		return p
	}
	return "other"
}
