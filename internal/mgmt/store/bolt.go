package store

import (
	"go.etcd.io/bbolt"
)

// boltBackend keeps the store in one bbolt file.
type boltBackend struct{ db *bbolt.DB }

func (b boltBackend) view(fn func(kvTxn) error) error {
	return b.db.View(func(tx *bbolt.Tx) error { return fn(boltTxn{tx}) })
}

func (b boltBackend) update(fn func(kvTxn) error) error {
	return b.db.Update(func(tx *bbolt.Tx) error { return fn(boltTxn{tx}) })
}

func (b boltBackend) close() error { return b.db.Close() }

func (b boltBackend) describe() string { return b.db.Path() }

type boltTxn struct{ tx *bbolt.Tx }

func (t boltTxn) bucket(name []byte) bucket { return boltBucket{t.tx.Bucket(name)} }

// boltBucket is *bbolt.Bucket with its cursor behind the cursor interface.
type boltBucket struct{ *bbolt.Bucket }

func (b boltBucket) Cursor() cursor { return b.Bucket.Cursor() }
