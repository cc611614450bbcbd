package httpsig

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"time"
)

var (
	// ErrReplay is what a SharedNonces store answers for a pair it holds.
	ErrReplay          = errors.New("nonce already used")
	errReplayCacheFull = errors.New("replay cache full")
)

// SharedNonces remembers (origin, nonce) pairs for the verifiers of
// several processes serving as one (management server replicas on one
// etcd registry): each replica's replay cache knows only the requests it
// verified itself, so a request captured on its way to one replica could be
// accepted again by another. Remember records the pair until expires, the
// end of its window, and returns ErrReplay (wrapped or not) when it is
// already recorded.
type SharedNonces interface {
	Remember(origin, nonce string, expires time.Time) error
}

// replayCache remembers the (origin, nonce) pairs of accepted signatures for
// as long as their created time stays inside the skew window, so that a
// captured message cannot be accepted twice.
//
// It holds only nonces of messages that passed every check, signature
// included, so nobody without a registered key can fill it. When it is
// full, or one origin holds its whole share, new messages are refused
// (replay_cache_full, 503) rather than forgetting a nonce still inside the
// window: forgetting would silently reopen replays.
//
// A busy server holds every nonce of the last minutes (300,000 at 1,000
// calls/s and the default 5-minute window), which made this cache most of
// a server's heap. So an entry is only a 128-bit digest of the pair (which
// nobody can make collide with another pair) in a set, and the sets are
// generations: each holds the entries whose expiry (created + window)
// falls in one span of window/10 seconds, and is dropped whole once its
// span has passed. No per-entry bookkeeping, no pointers for the garbage
// collector to follow, and each generation's set is sized to its own
// entries (a Go map never shrinks): about 37 bytes a nonce
// (BenchmarkReplayCache), against 64 for one set and an expiry ring. The
// price is that a pair is remembered up to a span longer than its window
// (safe: it only refuses what is already too old), and that a lookup reads
// the 23 sets of the window.
type replayCache struct {
	mu        sync.Mutex
	window    int64 // seconds a message stays acceptable on each side of now
	span      int64 // seconds of expiry one generation covers
	capacity  int
	perOrigin int
	gens      []replayGen // gens[g % len(gens)] holds generation g
	held      int         // entries in all generations
	origins   map[string]*originEntries
}

// replayGen is generation id: the entries expiring in
// [id*span, (id+1)*span).
type replayGen struct {
	id      int64
	seen    map[replayKey]struct{}
	origins map[*originEntries]int // its entries per origin, to give back when it goes
}

// originEntries counts one origin's entries; its name is a copy of the
// header's. It is reached through a pointer so that the maps never store
// the caller's string as a key: assigning to a string key that is already
// there stores the new string, which may be a substring of a header line
// the cache would then keep alive for the window.
type originEntries struct {
	name string
	n    int
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

func newReplayCache(windowSeconds int64, capacity, perOrigin int) *replayCache {
	span := max(windowSeconds/10, 1)
	// Expiries lie in [now, now+2*window]: that many spans, one more for
	// the span now is in the middle of, and one for a clock read a second
	// apart from the verifier's.
	gens := make([]replayGen, 2*windowSeconds/span+3)
	for i := range gens {
		gens[i].id = -1
	}
	return &replayCache{
		window:    windowSeconds,
		span:      span,
		capacity:  capacity,
		perOrigin: perOrigin,
		gens:      gens,
		origins:   make(map[string]*originEntries),
	}
}

// seenBefore reports whether (origin, nonce) was accepted inside the window.
func (c *replayCache) seenBefore(origin, nonce string, now int64) bool {
	k := keyOf(origin, nonce)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	return c.has(k)
}

func (c *replayCache) has(k replayKey) bool {
	for i := range c.gens {
		if _, ok := c.gens[i].seen[k]; ok {
			return true
		}
	}
	return false
}

// add records an accepted message. created must be within the window of now
// (the verifier checked it), so its expiry created+window lies within the
// generations kept.
func (c *replayCache) add(origin, nonce string, created, now int64) error {
	k := keyOf(origin, nonce)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire(now)
	if c.has(k) {
		return ErrReplay
	}
	o := c.origins[origin]
	if c.held >= c.capacity || o != nil && o.n >= c.perOrigin {
		return errReplayCacheFull
	}
	if o == nil {
		// The origin may be a substring of a header line: keep only its
		// own bytes for the window.
		o = &originEntries{name: strings.Clone(origin)}
		c.origins[o.name] = o
	}
	id := (created + c.window) / c.span
	g := &c.gens[id%int64(len(c.gens))]
	switch {
	case g.id == id:
	case g.id < 0:
		*g = replayGen{id: id, seen: make(map[replayKey]struct{}), origins: make(map[*originEntries]int)}
	default:
		// Another generation still lives there: created was outside the
		// window after all. Never drop nonces to make room.
		return errReplayCacheFull
	}
	g.seen[k] = struct{}{}
	g.origins[o]++
	o.n++
	c.held++
	return nil
}

// expire drops every generation whose entries have all expired: their
// expiry is before now.
func (c *replayCache) expire(now int64) {
	for i := range c.gens {
		g := &c.gens[i]
		if g.id < 0 || (g.id+1)*c.span > now {
			continue
		}
		c.held -= len(g.seen)
		for o, n := range g.origins {
			if o.n -= n; o.n == 0 {
				delete(c.origins, o.name)
			}
		}
		*g = replayGen{id: -1}
	}
}
