package httpsig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

// CRLSource fetches the current CRL of the interconnection CA (from the
// management server in production).
type CRLSource interface {
	FetchCRL(ctx context.Context) (*smx509.RevocationList, error)
}

// StalePolicy says what to do when the CRL held is past its nextUpdate
// (plus grace) because the source could not be reached.
type StalePolicy int

const (
	// StaleRefuse refuses every call (crl_unavailable, 503) until a fresh
	// CRL arrives: a revoked peer is never let in. The default.
	StaleRefuse StalePolicy = iota
	// StaleAccept keeps using the last CRL and logs a warning: calls go on
	// through a management outage, at the risk of missing a revocation.
	StaleAccept
)

// CRLOptions configures a CRLHolder. Zero values take the defaults.
type CRLOptions struct {
	Refresh time.Duration // how often Run fetches; default 5 minutes
	Grace   time.Duration // how long past nextUpdate a CRL is still used; default 1 hour
	Stale   StalePolicy
	Logger  *slog.Logger     // default slog.Default()
	Now     func() time.Time // default time.Now
}

// CRLHolder holds the latest CRL fetched from a CRLSource and refreshes it
// in the background (Run). The verifier reads it with Current.
type CRLHolder struct {
	src  CRLSource
	opts CRLOptions

	mu       sync.RWMutex
	crl      *smx509.RevocationList
	lastErr  error
	lastWarn atomic.Int64 // unix seconds of the last stale warning: one per Refresh interval
}

// NewCRLHolder returns a holder with no CRL yet: call Refresh (or Run) first.
func NewCRLHolder(src CRLSource, opts CRLOptions) *CRLHolder {
	if opts.Refresh <= 0 {
		opts.Refresh = 5 * time.Minute
	}
	if opts.Grace <= 0 {
		opts.Grace = time.Hour
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &CRLHolder{src: src, opts: opts}
}

// Refresh fetches the CRL now. A CRL older than the one held (lower CRL
// number) is ignored, so a lagging replica cannot roll revocations back.
func (h *CRLHolder) Refresh(ctx context.Context) error {
	crl, err := h.src.FetchCRL(ctx)
	if err == nil && crl == nil {
		err = errors.New("the CRL source returned nothing")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.lastErr = err
		return fmt.Errorf("fetching the CRL: %w", err)
	}
	h.lastErr = nil
	if h.crl != nil && h.crl.Number != nil && crl.Number != nil && crl.Number.Cmp(h.crl.Number) < 0 {
		return nil
	}
	h.crl = crl
	return nil
}

// Run refreshes the CRL every Refresh interval until ctx ends.
func (h *CRLHolder) Run(ctx context.Context) {
	t := time.NewTicker(h.opts.Refresh)
	defer t.Stop()
	for {
		if err := h.Refresh(ctx); err != nil && ctx.Err() == nil {
			h.opts.Logger.Warn("CRL refresh failed; will retry", "err", err, "retry_in", h.opts.Refresh)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Current returns the CRL to check certificates against, or an error when
// there is none usable under the stale policy.
func (h *CRLHolder) Current() (*smx509.RevocationList, error) {
	h.mu.RLock()
	crl, lastErr := h.crl, h.lastErr
	h.mu.RUnlock()
	if crl == nil {
		if lastErr != nil {
			return nil, fmt.Errorf("no CRL yet (last fetch failed: %v): check that the management server is reachable", lastErr)
		}
		return nil, errors.New("no CRL fetched yet: the server is still starting, retry shortly")
	}
	now := h.opts.Now()
	if crl.NextUpdate.IsZero() || now.Before(crl.NextUpdate.Add(h.opts.Grace)) {
		return crl, nil
	}
	if h.opts.Stale == StaleAccept {
		if last := h.lastWarn.Load(); now.Unix()-last >= int64(h.opts.Refresh/time.Second) && h.lastWarn.CompareAndSwap(last, now.Unix()) {
			h.opts.Logger.Warn("using a stale CRL", "next_update", crl.NextUpdate, "last_fetch_error", lastErr)
		}
		return crl, nil
	}
	return nil, fmt.Errorf("the CRL expired at %s (grace %s) and no newer one could be fetched (%v): check the management server", crl.NextUpdate.UTC().Format(time.RFC3339), h.opts.Grace, lastErr)
}
