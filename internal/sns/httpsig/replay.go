package httpsig

import (
	"errors"
	"strings"
	"sync"
)

var (
	errReplay          = errors.New("nonce already used")
	errReplayCacheFull = errors.New("replay cache full")
)

// replayCache remembers the (origin, nonce) pairs of accepted signatures for
// as long as their created time stays inside the skew window, so that a
// captured message cannot be accepted twice.
//
// It holds only nonces of messages that passed every check, signature
// included, so nobody without a registered key can fill it. Entries expire in
// one-second buckets kept in a ring, which makes every operation O(1)
// amortized. When it is full, or one origin holds its whole share, new
// messages are refused (replay_cache_full, 503) rather than forgetting a
// nonce still inside the window: forgetting would silently reopen replays.
type replayCache struct {
	mu        sync.Mutex
	window    int64 // seconds a message stays acceptable on each side of now
	capacity  int
	perOrigin int
	seen      map[replayKey]int64 // key -> expiry (unix seconds)
	count     map[string]int      // origin -> entries held
	ring      [][]replayKey       // ring[expiry % len(ring)]
	swept     int64               // every bucket with expiry <= swept is empty
}

type replayKey struct{ origin, nonce string }

func newReplayCache(windowSeconds int64, capacity, perOrigin int) *replayCache {
	return &replayCache{
		window:    windowSeconds,
		capacity:  capacity,
		perOrigin: perOrigin,
		seen:      make(map[replayKey]int64),
		count:     make(map[string]int),
		ring:      make([][]replayKey, 2*windowSeconds+2),
	}
}

// seenBefore reports whether (origin, nonce) was accepted inside the window.
func (c *replayCache) seenBefore(origin, nonce string, now int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	_, ok := c.seen[replayKey{origin, nonce}]
	return ok
}

// add records an accepted message. created must be within the window of now
// (the verifier checked it), so its expiry created+window lies in the ring.
func (c *replayCache) add(origin, nonce string, created, now int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	k := replayKey{origin, nonce}
	if _, ok := c.seen[k]; ok {
		return errReplay
	}
	if len(c.seen) >= c.capacity || c.count[origin] >= c.perOrigin {
		return errReplayCacheFull
	}
	// The nonce may be a substring of the whole Signature-Input line (the
	// fast parser does not copy): keep only its own bytes for the window.
	k.nonce = strings.Clone(nonce)
	exp := created + c.window
	c.seen[k] = exp
	c.count[origin]++
	i := exp % int64(len(c.ring))
	c.ring[i] = append(c.ring[i], k)
	return nil
}

// sweep drops every entry that expired at or before now-1. A gap longer
// than the ring is bounded by its length.
func (c *replayCache) sweep(now int64) {
	if c.swept == 0 || now-1-c.swept > int64(len(c.ring)) {
		c.swept = now - 1 - int64(len(c.ring))
	}
	for ; c.swept < now-1; c.swept++ {
		i := (c.swept + 1) % int64(len(c.ring))
		kept := c.ring[i][:0]
		for _, k := range c.ring[i] {
			if c.seen[k] > c.swept+1 { // a later expiry sharing the slot: keep
				kept = append(kept, k)
				continue
			}
			delete(c.seen, k)
			if c.count[k.origin]--; c.count[k.origin] == 0 {
				delete(c.count, k.origin)
			}
		}
		c.ring[i] = kept
	}
}
