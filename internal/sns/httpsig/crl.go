package httpsig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

// CRLSource fetches the current CRL of the interconnection CA (from the
// management server in production).
type CRLSource interface {
	FetchCRL(ctx context.Context) (*smx509.RevocationList, error)
}

// CRLOptions configures a CRLHolder. Zero values take the defaults.
type CRLOptions struct {
	Refresh time.Duration    // how often Run fetches; default 5 minutes
	Logger  *slog.Logger     // default slog.Default()
	Now     func() time.Time // default time.Now
}

// CRLHolder holds the latest CRL fetched from a CRLSource and refreshes it
// in the background (Run). The verifier reads it with Current.
//
// Stale policy: a CRL past its nextUpdate is stale and is never used; every
// call is then refused with crl_unavailable (503) until a fresh CRL is
// fetched, so that a revoked peer is never let in. The CA issues CRLs whose
// nextUpdate lies far beyond the refresh interval (hours against minutes), so
// a management outage shorter than that margin goes unnoticed.
type CRLHolder struct {
	src  CRLSource
	opts CRLOptions

	mu      sync.RWMutex
	crl     *smx509.RevocationList
	lastErr error
}

// NewCRLHolder returns a holder with no CRL yet: call Refresh (or Run) first.
func NewCRLHolder(src CRLSource, opts CRLOptions) *CRLHolder {
	if opts.Refresh <= 0 {
		opts.Refresh = 5 * time.Minute
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
	if next := crl.NextUpdate; !next.IsZero() && h.opts.Now().After(next) {
		return nil, fmt.Errorf("the CRL expired at %s and no newer one could be fetched (%v): check that the management server is reachable", next.UTC().Format(time.RFC3339), lastErr)
	}
	return crl, nil
}
