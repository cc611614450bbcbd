package imstore

import (
	"time"

	"go.etcd.io/bbolt"
)

// txn is one transaction plus the time it runs at, so every record written
// by one operation carries the same timestamp.
type txn struct {
	tx  *bbolt.Tx
	now time.Time
}

func (t *txn) b(name []byte) *bbolt.Bucket { return t.tx.Bucket(name) }
