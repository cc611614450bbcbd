package store

// The store's operations (applications, servers, certificates, the CRL,
// the outbox, the audit log) are written once, against ordered buckets of
// keys and values in one transaction. A backend provides those
// transactions: a bbolt file (bolt.go), the embedded default, or a key
// prefix in an etcd cluster (etcd.go), shared by several management
// server replicas. Every compare-and-swap of the store is an ordinary read
// then write inside one transaction; each backend makes that transaction
// atomic and serialisable: bbolt by its single writer, etcd by committing
// the writes in one etcd Txn that compares the revisions of everything the
// transaction read.

// backend runs the store's transactions.
type backend interface {
	// view runs fn in a read-only transaction over a consistent snapshot.
	view(fn func(kvTxn) error) error
	// update runs fn in a read-write transaction and commits what it wrote,
	// or nothing when fn fails. fn may run more than once (etcd retries
	// when a concurrent transaction changed what fn read), so it must set
	// its results afresh on every run.
	update(fn func(kvTxn) error) error
	close() error
	// describe names where the data lives, for messages.
	describe() string
}

// kvTxn is one transaction of a backend.
type kvTxn interface {
	bucket(name []byte) bucket
}

// bucket is an ordered map of byte keys to byte values with a sequence,
// *bbolt.Bucket's methods that the store uses. Values returned are valid
// until the transaction ends. A backend whose reads can fail (etcd)
// records the first failure and fails the transaction with it, so that the
// store's code reads as if they could not.
type bucket interface {
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
	ForEach(fn func(k, v []byte) error) error
	Cursor() cursor
	NextSequence() (uint64, error)
	Sequence() uint64
	SetSequence(n uint64) error
}

// prefetch tells b's backend that keys are about to be read one by one: a
// backend whose every read is a round trip (etcd) fetches them together.
// Reads are unchanged otherwise; bbolt, which reads from memory, ignores it.
func prefetch(b bucket, keys []string) {
	if p, ok := b.(interface{ Prefetch(keys []string) }); ok {
		p.Prefetch(keys)
	}
}

// cursor walks a bucket in key order; a nil key means the end.
type cursor interface {
	First() (key, value []byte)
	Seek(seek []byte) (key, value []byte)
	Next() (key, value []byte)
}
