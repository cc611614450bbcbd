package imserver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/imictl/imictl/internal/sns/client"
	"github.com/imictl/imictl/internal/sns/httpsig"
	"github.com/imictl/imictl/internal/sns/imstore"
	"github.com/imictl/imictl/internal/sns/wire"
)

// delivery sends the outbox: one worker per destination with undelivered
// items, started at start-up for every such destination and whenever
// something is queued or retried. A worker keeps up to Window
// conversations in flight, each one item at a time and in order (the store
// hands out only each conversation's oldest item), retries network errors
// and 5xx with exponential backoff and jitter, and parks what the peer
// refuses (4xx) with the reason, holding back that conversation until the
// condition ends (retryParked) or an administrator retries or drops it. A
// worker with nothing due exits.
type delivery struct {
	s *Server

	mu      sync.Mutex
	ctx     context.Context          // of run; nil before it
	workers map[string]chan struct{} // destination -> wake-up signal
	wg      sync.WaitGroup
}

func newDelivery(s *Server) *delivery {
	return &delivery{s: s, workers: map[string]chan struct{}{}}
}

// run starts a worker for every destination with undelivered items and
// waits, once ctx ends, for every worker to finish.
func (d *delivery) run(ctx context.Context) {
	d.mu.Lock()
	d.ctx = ctx
	d.mu.Unlock()
	// Items queued before ctx was set were not woken, but they are in the
	// store, which is read only now.
	dests, err := d.s.st.Destinations()
	if err != nil {
		d.s.log.Error("listing the outbox failed; queued messages wait for the next start or send", "err", err)
	}
	for _, ds := range dests {
		if ds.Pending > 0 {
			d.wake(ds.Destination)
		}
	}
	<-ctx.Done()
	d.wg.Wait()
}

// wake makes destination's worker look at the outbox now, starting one if
// there is none.
func (d *delivery) wake(destination string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil || d.ctx.Err() != nil {
		return // run reads the store when it starts
	}
	if ch, ok := d.workers[destination]; ok {
		select {
		case ch <- struct{}{}:
		default:
		}
		return
	}
	ch := make(chan struct{}, 1)
	d.workers[destination] = ch
	ctx := d.ctx
	d.wg.Go(func() { d.work(ctx, destination, ch) })
}

// work is one destination's worker.
func (d *delivery) work(ctx context.Context, dest string, wake chan struct{}) {
	st, window := d.s.st, d.s.cfg.Delivery.Window
	inflight := map[uint64]bool{}
	done := make(chan uint64)
	defer func() {
		for range inflight {
			<-done
		}
	}()
	for {
		// One instant for both reads: a head Due left out was not due at
		// now, so the timer below is set for it even if it is due by the
		// time NextDue runs (measured from a later instant, its wait would
		// be 0 and the worker would retire with it pending). A head due at
		// now that is not started is in flight, or the window is full:
		// either way a call ends before long and the loop looks again.
		now := time.Now()
		due, err := st.Due(dest, now, window)
		if err != nil {
			d.s.log.Error("reading the outbox failed", "destination", dest, "err", err)
		}
		for _, it := range due {
			if inflight[it.ID] || len(inflight) >= window {
				continue
			}
			inflight[it.ID] = true
			go func() {
				d.deliver(ctx, it)
				done <- it.ID
			}()
		}
		var timer <-chan time.Time
		next, pending, err := st.NextDue(dest)
		if err == nil && pending && next.After(now) {
			timer = time.After(time.Until(next))
		}
		if len(inflight) == 0 && timer == nil && d.idle(dest, wake) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case id := <-done:
			delete(inflight, id)
		case <-wake:
		case <-timer:
		}
	}
}

// idle retires dest's worker unless it was woken meanwhile.
func (d *delivery) idle(dest string, wake chan struct{}) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	select {
	case <-wake:
		return false
	default:
		delete(d.workers, dest)
		return true
	}
}

// deliver makes one attempt and records its outcome. An attempt cut short
// by shutdown records nothing: the item is tried again after the restart.
func (d *delivery) deliver(ctx context.Context, it imstore.OutboxItem) {
	err := d.attempt(ctx, it)
	if ctx.Err() != nil {
		return
	}
	st := d.s.st
	switch park, reason, why := classify(err); {
	case err == nil:
		d.s.deliveries.WithLabelValues("delivered").Inc()
		err = st.MarkDelivered(it.ID)
	case park:
		d.s.deliveries.WithLabelValues("parked").Inc()
		retry := parkRetry(reason)
		d.s.log.Warn("the peer refused a queued call; it is parked", "destination", it.Destination, "id", it.ID, "path", it.Path, "reason", reason, "retry", retry, "err", why)
		err = st.Park(it.ID, reason, why, retry)
	default:
		d.s.deliveries.WithLabelValues("retry").Inc()
		delay := backoff(it.Attempts, time.Duration(d.s.cfg.Delivery.RetryBase), time.Duration(d.s.cfg.Delivery.RetryMax))
		d.s.log.Info("delivery failed; will retry", "destination", it.Destination, "id", it.ID, "attempt", it.Attempts+1, "retry_in", delay.Round(time.Millisecond), "err", why)
		err = st.MarkRetry(it.ID, time.Now().Add(delay), why)
	}
	if err != nil {
		d.s.log.Error("recording a delivery attempt failed", "id", it.ID, "err", err)
	}
}

// attempt makes the queued call.
func (d *delivery) attempt(ctx context.Context, it imstore.OutboxItem) error {
	peer, err := d.s.peerOfDestination(ctx, it.Destination)
	if err != nil {
		return err
	}
	if peer.ServerID != "" && !d.s.policy.Allowed(peer.ServerID) {
		return &httpsig.AuthError{Side: httpsig.SideRequest, Reason: httpsig.ReasonForbiddenByPolicy, Status: http.StatusForbidden, Peer: peer.ServerID,
			Message: fmt.Sprintf("%s is not allowed by this server's own white/black list: change the policy, then retry", peer.ServerID)}
	}
	_, err = d.s.peers.Call(ctx, peer, http.MethodPost, it.Path, it.Body)
	return err
}

// classify says whether a failed attempt is parked (the peer, or a
// condition that a backoff will not end, refuses it) or retried, the
// refusal's stable reason, and why, for the outbox record.
func classify(err error) (park bool, reason, why string) {
	if err == nil {
		return false, "", ""
	}
	var api *client.APIError
	var auth *httpsig.AuthError
	switch {
	case errors.As(err, &api):
		return api.Status < 500, api.Reason, err.Error()
	case errors.As(err, &auth) && auth.Reported:
		return auth.Status < 500, string(auth.Reason), string(auth.Reason) + ": " + err.Error()
	case errors.As(err, &auth):
		// Our check of the answer failed; the peer may have taken the call,
		// and taking it twice is harmless (it dedupes by messageID), so
		// retry unless the failure will not go away by itself.
		switch auth.Reason {
		case httpsig.ReasonForbiddenByPolicy, httpsig.ReasonUnknownServer, httpsig.ReasonServerSuspended, httpsig.ReasonServerCancelled,
			httpsig.ReasonCertInvalid, httpsig.ReasonCertExpired, httpsig.ReasonCertRevoked, httpsig.ReasonUnexpectedOrigin:
			return true, string(auth.Reason), string(auth.Reason) + ": " + err.Error()
		}
		return false, string(auth.Reason), string(auth.Reason) + ": " + err.Error()
	case errors.Is(err, httpsig.ErrUnknownServer):
		return true, string(httpsig.ReasonUnknownServer), "unknown_server: " + err.Error()
	}
	return false, "", err.Error()
}

// backoff is the delay before attempt number attempts+1: base doubled at
// each failed attempt, capped at max, with "equal jitter" (between half
// and all of it) so that peers coming back are not hit in lockstep.
func backoff(attempts int, base, max time.Duration) time.Duration {
	d := base
	for range attempts {
		if d >= max/2 {
			d = max
			break
		}
		d *= 2
	}
	d = min(d, max)
	return d/2 + rand.N(d/2+1)
}

// peerOfDestination is the peer of an outbox destination: a serverId,
// found in the directory, or host:port.
func (s *Server) peerOfDestination(ctx context.Context, dest string) (client.Peer, error) {
	a, err := wire.ParseAddress("x@" + dest)
	if err != nil {
		return client.Peer{}, fmt.Errorf("destination %q: %w", dest, err)
	}
	if a.IsDirectory() {
		return s.peers.PeerFor(ctx, a.ServerID)
	}
	return client.PeerForAddress(a, "")
}

// peerOf is the server of an id (a user, a file).
func (s *Server) peerOf(ctx context.Context, id string) (client.Peer, error) {
	a, err := wire.ParseAddress(id)
	if err != nil {
		return client.Peer{}, fmt.Errorf("%w: %v", imstore.ErrInvalid, err)
	}
	return s.peerOfDestination(ctx, a.Domain())
}
