package imserver

import (
	"testing"
	"time"
)

func TestLookupBucket(t *testing.T) {
	var b bucket
	now := time.Now()
	for i := range lookupBurst {
		if !b.take(now) {
			t.Fatalf("refused lookup %d of the burst", i+1)
		}
	}
	if b.take(now) {
		t.Error("a lookup beyond the burst was allowed")
	}
	if !b.take(now.Add(time.Second / lookupRate)) {
		t.Error("no token after its refill time")
	}
	if b.take(now.Add(time.Second / lookupRate)) {
		t.Error("two tokens from one refill")
	}
}
