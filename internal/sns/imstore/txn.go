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

func (t *txn) b(name []byte) *bbolt.Bucket {
	b := t.tx.Bucket(name)
	if appendOnly[string(name)] {
		// bbolt splits a full page in half, right for random keys; a
		// bucket written only at the end of its key ranges would keep
		// every page half empty, doubling the file and its writes.
		b.FillPercent = 0.9
	}
	return b
}

// appendOnly names the buckets whose keys only grow within each range
// (a sequence number after a user or a destination).
var appendOnly = map[string]bool{
	string(bucketInbox): true, string(bucketSentByUser): true, string(bucketOutbox): true, string(bucketOutboxQueue): true,
}
