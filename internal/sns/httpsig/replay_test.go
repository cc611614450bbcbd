package httpsig

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

func TestReplayCache(t *testing.T) {
	const w = 300 // seconds
	c := newReplayCache(w, 3, 2)
	now := int64(1_767_225_600)
	steps := []struct {
		origin, nonce string
		created, now  int64
		want          error
		size          int
	}{
		{"a", "n1", now, now, nil, 1},
		{"a", "n1", now, now, errReplay, 1},          // same pair
		{"b", "n1", now, now, nil, 2},                // same nonce, other origin
		{"a", "n2", now - w, now, nil, 3},            // oldest acceptable
		{"a", "n3", now, now, errReplayCacheFull, 3}, // a holds its share (2)
		{"c", "n1", now, now, errReplayCacheFull, 3}, // cache full
		{"c", "n1", now, now + 1, nil, 3},            // a/n2 expired (created+w < now+1) and made room
		{"a", "n1", now, now + w, errReplay, 3},      // a/n1 still inside its window
		{"a", "n1", now, now + w + 1, nil, 1},        // gone once now > created+w, like every entry of that second
		{"b", "n9", now + 10*w, now + 10*w, nil, 1},  // a long idle gap is swept
		{"b", "n9", now + 10*w, now + 10*w, errReplay, 1},
		{"b", "n8", now + 11*w, now + 10*w, nil, 2}, // created ahead of the clock
	}
	for i, s := range steps {
		err := c.add(s.origin, s.nonce, s.created, s.now)
		if !errors.Is(err, s.want) || (s.want == nil && err != nil) {
			t.Fatalf("step %d: add(%s,%s) = %v, want %v", i, s.origin, s.nonce, err, s.want)
		}
		if c.len() != s.size {
			t.Fatalf("step %d: %d entries, want %d", i, c.len(), s.size)
		}
	}
	if !c.seenBefore("b", "n8", now+12*w) || c.seenBefore("b", "n8", now+12*w+1) {
		t.Error("an entry created ahead of the clock must live exactly until created+window")
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
	return len(c.seen)
}
