package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/imictl/imictl/internal/mgmt"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// NotifierOptions tune change notification. Zero values take the defaults.
type NotifierOptions struct {
	BaseBackoff time.Duration // first retry delay; default 1s
	MaxBackoff  time.Duration // retry delay cap; default 5 minutes
	Timeout     time.Duration // one delivery; default 10s
	Parallel    int           // destinations served at once; default 8
	Batch       int           // due entries taken per round; default 256
	KeepFor     time.Duration // delivered entries are pruned after; default 7 days
}

func (o *NotifierOptions) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.BaseBackoff, time.Second)
	def(&o.MaxBackoff, 5*time.Minute)
	def(&o.Timeout, 10*time.Second)
	def(&o.KeepFor, 7*24*time.Hour)
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	if o.Batch <= 0 {
		o.Batch = 256
	}
}

// notifier drains the store's outbox: it expands each change into one
// notification per destination (store.ExpandChanges), then tells each
// normal IM server, with M3 (receivenotify) signed as the management
// server, and checks the signed answer. Failures are retried with capped
// exponential backoff and ±20% jitter for as long as it takes (the
// standard wants every server told); the schedule lives in the store, so it
// survives restarts. One delivery at a time per destination, in order;
// several entries about the same subject go out as one call.
type notifier struct {
	st   *store.Store
	http *http.Client // signs as the management server, verifies answers
	opts NotifierOptions
	log  *slog.Logger
	now  func() time.Time
	wake chan struct{}
}

func newNotifier(st *store.Store, t *httpsig.Transport, opts NotifierOptions, log *slog.Logger, now func() time.Time) *notifier {
	opts.defaults()
	return &notifier{st: st, http: &http.Client{Transport: t}, opts: opts, log: log, now: now, wake: make(chan struct{}, 1)}
}

// Wake makes the notifier look for due entries now.
func (n *notifier) Wake() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (n *notifier) Run(ctx context.Context) {
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	for ctx.Err() == nil {
		full, err := n.round(ctx)
		if err != nil && ctx.Err() == nil {
			n.log.Error("notification round failed", "err", err)
		}
		if full {
			continue // more are due right now
		}
		timer := time.NewTimer(n.untilNext())
		select {
		case <-ctx.Done():
		case <-n.wake:
		case <-timer.C:
		case <-prune.C:
			if _, err := n.st.PruneOutbox(n.now().Add(-n.opts.KeepFor), 10000); err != nil {
				n.log.Warn("pruning delivered notifications failed", "err", err)
			}
		}
		timer.Stop()
	}
}

// untilNext is how long to sleep: until the earliest pending entry is due,
// at most MaxBackoff (and at least a millisecond, so a clock step can't spin).
func (n *notifier) untilNext() time.Duration {
	next, err := n.st.DueOutbox(n.now().Add(100*365*24*time.Hour), 1)
	if err != nil || len(next) == 0 {
		return n.opts.MaxBackoff
	}
	return min(max(next[0].NextAttemptAt.Sub(n.now()), time.Millisecond), n.opts.MaxBackoff)
}

// expandPerRound bounds the batches of changes expanded per round, so
// that deliveries go on while a long backlog of changes is expanded.
const expandPerRound = 64

// round expands queued changes into notifications and delivers the
// entries due now; full reports that it expanded or took a whole batch,
// so more may be waiting.
func (n *notifier) round(ctx context.Context) (full bool, err error) {
	more := true
	for i := 0; more && i < expandPerRound && ctx.Err() == nil; i++ {
		if more, err = n.st.ExpandChanges(); err != nil {
			// Deliver what is queued anyway; the expansion is tried
			// again next round.
			n.log.Error("queueing a change's notifications failed", "err", err)
			more = false
		}
	}
	due, err := n.st.DueOutbox(n.now(), n.opts.Batch)
	if err != nil {
		return false, err
	}
	byDest := map[string][]store.OutboxEntry{}
	var order []string
	for _, e := range due {
		if byDest[e.Destination] == nil {
			order = append(order, e.Destination)
		}
		byDest[e.Destination] = append(byDest[e.Destination], e)
	}
	sem := make(chan struct{}, n.opts.Parallel)
	var wg sync.WaitGroup
	for _, dest := range order {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			n.deliver(ctx, dest, byDest[dest])
		})
	}
	wg.Wait()
	return more || len(due) == n.opts.Batch, nil
}

// deliver sends one destination's due entries in order, stopping at the
// first failure: the rest wait with it.
func (n *notifier) deliver(ctx context.Context, dest string, entries []store.OutboxEntry) {
	srv, err := n.st.GetServer(dest)
	switch {
	case errors.Is(err, store.ErrNotFound) || err == nil && srv.Status == store.StatusCancelled:
		// Nobody to tell any more: the destination is gone for good.
		for _, e := range entries {
			n.mark(n.st.MarkDelivered(e.ID))
		}
		n.log.Info("dropped notifications for a cancelled server", "destination", dest, "count", len(entries))
		return
	case err != nil:
		n.failAll(entries, err.Error())
		return
	case srv.Status == store.StatusSuspended:
		// Held until it is resumed (Service.Resume makes them due again).
		n.failAll(entries, "the destination is suspended: held until it is resumed")
		return
	}
	done := map[string]bool{} // subjects told in this round
	for i, e := range entries {
		if done[e.Subject] {
			continue
		}
		if err := n.send(ctx, srv, e.Subject); err != nil {
			if ctx.Err() != nil {
				return // shutting down: leave the entries due
			}
			n.log.Info("notification not delivered; will retry", "destination", dest, "subject", e.Subject, "attempt", e.Attempts+1, "err", err)
			var rest []store.OutboxEntry
			for _, r := range entries[i:] {
				if !done[r.Subject] {
					rest = append(rest, r)
				}
			}
			n.failAll(rest, err.Error())
			return
		}
		// Every entry about this subject is answered by this one call.
		done[e.Subject] = true
		for _, same := range entries[i:] {
			if same.Subject == e.Subject {
				n.mark(n.st.MarkDelivered(same.ID))
			}
		}
	}
}

// failAll reschedules entries after a failure of the first: the backoff
// follows the first entry's attempts.
func (n *notifier) failAll(entries []store.OutboxEntry, reason string) {
	next := n.now().Add(n.backoff(entries[0].Attempts + 1))
	for _, e := range entries {
		n.mark(n.st.MarkFailed(e.ID, next, reason))
	}
}

func (n *notifier) mark(err error) {
	if err != nil && !errors.Is(err, store.ErrOutboxEntryNotReady) {
		n.log.Error("recording a notification's outcome failed", "err", err)
	}
}

// backoff is BaseBackoff·2^(attempt-1), capped at MaxBackoff, ±20%.
func (n *notifier) backoff(attempt int) time.Duration {
	d := n.opts.MaxBackoff
	if attempt < 32 {
		d = min(n.opts.BaseBackoff<<(attempt-1), n.opts.MaxBackoff)
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// maxNotifyAnswer bounds what is read of an answer to M3.
const maxNotifyAnswer = 1 << 20

// send is one M3 call: POST {"serverId": subject} to dest's receivenotify,
// signed; success is a verified answer with code "0".
func (n *notifier) send(ctx context.Context, dest store.Server, subject string) error {
	body, _ := json.Marshal(api.ReceiveNotifyRequest{ServerID: subject})
	ctx, cancel := context.WithTimeout(httpsig.WithDestination(ctx, dest.ServerID), n.opts.Timeout)
	defer cancel()
	url := strings.TrimRight(dest.ServerAddress, "/") + mgmt.PathReceiveNotify
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentTypeJSON)
	resp, err := n.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxNotifyAnswer))
	if err != nil {
		return err
	}
	var answer api.ReceiveNotifyResponse
	if err := json.Unmarshal(data, &answer); err != nil {
		return fmt.Errorf("HTTP %d, unreadable answer: %v", resp.StatusCode, err)
	}
	if resp.StatusCode/100 != 2 || !answer.Succeeded() {
		return fmt.Errorf("HTTP %d, code %q: %s", resp.StatusCode, answer.Code, answer.Desc)
	}
	return nil
}
