package httpsig

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

// TestReplayCache: a pair is remembered at least until created+window and
// at most one span (window/10) longer, when its whole generation goes.
func TestReplayCache(t *testing.T) {
	const w, span = 300, 30 // seconds
	c := newReplayCache(w, 3, 2)
	now := int64(1_767_225_600) // a multiple of the span: generations start at now
	steps := []struct {
		origin, nonce string
		created, now  int64
		want          error
		size          int
	}{
		{"a", "n1", now, now, nil, 1},
		{"a", "n1", now, now, ErrReplay, 1},                     // same pair
		{"b", "n1", now, now, nil, 2},                           // same nonce, other origin
		{"a", "n2", now - w, now, nil, 3},                       // oldest acceptable: expires at now
		{"a", "n3", now, now, errReplayCacheFull, 3},            // a holds its share (2)
		{"c", "n1", now, now, errReplayCacheFull, 3},            // cache full
		{"c", "n1", now, now + span - 1, errReplayCacheFull, 3}, // a/n2 expired, its generation not yet
		{"c", "n1", now, now + span, nil, 3},                    // its generation went and made room
		{"a", "n1", now, now + w, ErrReplay, 3},                 // a/n1 still inside its window
		{"a", "n1", now, now + w + span - 1, ErrReplay, 3},      // past it, in its generation's span
		{"a", "n1", now + span, now + w + span, nil, 1},         // gone with its generation
		{"b", "n9", now + 10*w, now + 10*w, nil, 1},             // a long idle gap is swept
		{"b", "n9", now + 10*w, now + 10*w, ErrReplay, 1},
		{"b", "n8", now + 11*w, now + 10*w, nil, 2}, // created ahead of the clock
	}
	for i, s := range steps {
		err := c.add(s.origin, s.nonce, s.created, s.now)
		if !errors.Is(err, s.want) || (s.want == nil && err != nil) {
			t.Fatalf("step %d: add(%s,%s) at %+d = %v, want %v", i, s.origin, s.nonce, s.now-now, err, s.want)
		}
		if c.len() != s.size {
			t.Fatalf("step %d: %d entries, want %d", i, c.len(), s.size)
		}
	}
	if !c.seenBefore("b", "n8", now+12*w) || !c.seenBefore("b", "n8", now+12*w+span-1) || c.seenBefore("b", "n8", now+12*w+span) {
		t.Error("an entry created ahead of the clock must live until created+window, and not a span longer")
	}
	if c.len() != 0 || len(c.origins) != 0 {
		t.Errorf("after every generation went: %d entries, origins %v", c.len(), c.origins)
	}
}

// A generation that goes gives its origins' shares back.
func TestReplayCacheShareGivenBack(t *testing.T) {
	const w, span = 300, 30
	c := newReplayCache(w, 10, 1)
	now := int64(1_767_225_600)
	if err := c.add("a", "x", now-w, now); err != nil {
		t.Fatal(err)
	}
	if err := c.add("a", "y", now, now+span-1); !errors.Is(err, errReplayCacheFull) {
		t.Fatalf("a second nonce of a while x is held: %v, want replay cache full", err)
	}
	if err := c.add("a", "y", now, now+span); err != nil {
		t.Fatalf("once x's generation went: %v", err)
	}
	if o := c.origins["a"]; o == nil || o.n != 1 || c.len() != 1 {
		t.Fatalf("a holds %+v of %d entries, want 1 of 1", o, c.len())
	}
}

func TestReplayCacheOneWinnerUnderConcurrency(t *testing.T) {
	c := newReplayCache(300, 100, 100)
	results := make(chan error, 8)
	for range 8 {
		go func() { results <- c.add("a", "same-nonce-0123456", 1000, 1000) }()
	}
	ok := 0
	for range 8 {
		if <-results == nil {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent adds of one nonce succeeded, want 1", ok)
	}
}

// TestReplayCacheKeepsNoHeader: the parser hands out the nonce and the
// origin as substrings of header lines; the cache, which holds its entries
// for the whole window, must keep neither line alive: it keeps digests, and
// its own copy of the origin.
func TestReplayCacheKeepsNoHeader(t *testing.T) {
	c := newReplayCache(300, 100, 100)
	line := reqInput + strings.Repeat(";x=1", 1000)
	at := strings.Index(line, "2b1hbXBsZS1ub25jZS1h")
	nonce := line[at : at+20]
	origins := "alpha-im, beta-im"
	origin := origins[:len("alpha-im")]
	if err := c.add(origin, nonce, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	for name, o := range c.origins {
		if name != origin || unsafe.StringData(name) == unsafe.StringData(origins) || unsafe.StringData(o.name) == unsafe.StringData(origins) {
			t.Fatalf("the cache holds origin %q sharing the memory of the header", name)
		}
	}
	if !c.seenBefore("alpha-im", strings.Clone(nonce), 1000) || c.seenBefore("alpha-im", nonce[1:], 1000) || c.seenBefore("alpha-i", "m"+nonce, 1000) {
		t.Fatal("pairs are not told apart by origin and nonce")
	}
}

// len is the number of nonces remembered.
func (c *replayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.held
}

// A created time outside the window (the verifier refuses those first)
// never makes the cache drop a generation that still holds nonces.
func TestReplayCacheKeepsLiveGenerations(t *testing.T) {
	const w, span = 300, 30
	c := newReplayCache(w, 10, 10)
	now := int64(1_767_225_600)
	if err := c.add("a", "n1", now, now); err != nil {
		t.Fatal(err)
	}
	far := now + int64(len(c.gens))*span // the same slot, a generation later
	if err := c.add("a", "n2", far, now); !errors.Is(err, errReplayCacheFull) {
		t.Fatalf("a created time outside the window: %v, want replay cache full", err)
	}
	if !c.seenBefore("a", "n1", now) || c.len() != 1 {
		t.Fatal("the live generation was dropped")
	}
}
