package httpsig

import (
	"crypto/sha256"
	"encoding/binary"
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
//
// A busy server holds every nonce of the last minutes (300,000 at 1,000
// calls/s and the default 5-minute window), so an entry is small: a 128-bit
// digest of the pair, which nobody can make collide with another pair, in a
// set and in its expiry's bucket with a pointer to its origin's counter:
// about 60 bytes in all (BenchmarkReplayCache), half of what the two strings
// of the headers and their copies took.
type replayCache struct {
	mu        sync.Mutex
	window    int64 // seconds a message stays acceptable on each side of now
	capacity  int
	perOrigin int
	seen      map[replayKey]struct{}
	origins   map[string]*originEntries // origin -> its entries held
	ring      [][]replayEntry           // ring[expiry % len(ring)]
	swept     int64                     // every bucket with expiry <= swept is empty
}

// replayKey identifies an (origin, nonce) pair: the first 128 bits of its
// SHA-256.
type replayKey [16]byte

func keyOf(origin, nonce string) replayKey {
	h := sha256.New()
	// The length first, so that no two pairs hash the same bytes.
	h.Write(binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64), uint64(len(origin))))
	h.Write([]byte(origin))
	h.Write([]byte(nonce))
	var k replayKey
	copy(k[:], h.Sum(nil))
	return k
}

type replayEntry struct {
	key    replayKey
	expiry int64 // unix seconds
	origin *originEntries
}

// originEntries counts one origin's entries; its name is a copy of the
// header's, shared by all of them.
type originEntries struct {
	name string
	n    int
}

func newReplayCache(windowSeconds int64, capacity, perOrigin int) *replayCache {
	return &replayCache{
		window:    windowSeconds,
		capacity:  capacity,
		perOrigin: perOrigin,
		seen:      make(map[replayKey]struct{}),
		origins:   make(map[string]*originEntries),
		ring:      make([][]replayEntry, 2*windowSeconds+2),
	}
}

// seenBefore reports whether (origin, nonce) was accepted inside the window.
func (c *replayCache) seenBefore(origin, nonce string, now int64) bool {
	k := keyOf(origin, nonce)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	_, ok := c.seen[k]
	return ok
}

// add records an accepted message. created must be within the window of now
// (the verifier checked it), so its expiry created+window lies in the ring.
func (c *replayCache) add(origin, nonce string, created, now int64) error {
	k := keyOf(origin, nonce)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	if _, ok := c.seen[k]; ok {
		return errReplay
	}
	o := c.origins[origin]
	if len(c.seen) >= c.capacity || o != nil && o.n >= c.perOrigin {
		return errReplayCacheFull
	}
	if o == nil {
		// The origin may be a substring of a header line: keep only its
		// own bytes for the window.
		o = &originEntries{name: strings.Clone(origin)}
		c.origins[o.name] = o
	}
	exp := created + c.window
	c.seen[k] = struct{}{}
	o.n++
	i := exp % int64(len(c.ring))
	c.ring[i] = append(c.ring[i], replayEntry{key: k, expiry: exp, origin: o})
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
		for _, e := range c.ring[i] {
			if e.expiry > c.swept+1 { // a later expiry sharing the slot: keep
				kept = append(kept, e)
				continue
			}
			delete(c.seen, e.key)
			if e.origin.n--; e.origin.n == 0 {
				delete(c.origins, e.origin.name)
			}
		}
		c.ring[i] = kept
	}
}
