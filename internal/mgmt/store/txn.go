package store

import (
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// txn is one transaction plus the time it runs at, so every record written
// by one operation carries the same timestamp.
type txn struct {
	kv  kvTxn
	now time.Time
}

func (t *txn) b(name []byte) bucket { return t.kv.bucket(name) }

// tick advances the change clock and returns the new value: the wall time
// in milliseconds, or one more than the previous value if the wall clock
// has not moved past it (two changes in one millisecond, or a clock that
// went backwards). The clock therefore never repeats or decreases, and a
// reader that saw value c is guaranteed that every later change is > c.
func (t *txn) tick() (int64, error) {
	last := t.clock()
	next := t.now.UnixMilli()
	if next <= last {
		next = last + 1
	}
	return next, t.b(bucketMeta).Put(keyClock, boltdb.U64(uint64(next)))
}

// clock is the last value tick returned, 0 before the first change.
func (t *txn) clock() int64 {
	if v := t.b(bucketMeta).Get(keyClock); len(v) == 8 {
		return int64(boltdb.Btou(v))
	}
	return 0
}
