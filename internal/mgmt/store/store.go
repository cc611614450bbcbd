package store

import (
	"fmt"
	"io"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// DefaultTimeout is how long Open waits for the file lock before reporting
// ErrLocked.
const DefaultTimeout = boltdb.DefaultTimeout

// Options tune Open. The zero value is ready to use.
type Options struct {
	// Timeout to obtain the file lock; 0 means DefaultTimeout. bbolt retries
	// every 50ms, so the effective minimum is about that.
	Timeout time.Duration
	// ReadOnly takes a shared lock: several read-only opens may coexist, but
	// none with a read-write open (a running server).
	ReadOnly bool
	// Now is the clock for timestamps; nil means time.Now.
	Now func() time.Time
}

// Store is the management server's persistent state, in one bbolt file
// (Open) or under a key prefix of an etcd cluster (OpenEtcd). It is safe
// for concurrent use, and with etcd for use by several processes at once.
type Store struct {
	be  backend
	now func() time.Time
	// expandBatch is how many destinations ExpandChanges queues per
	// transaction.
	expandBatch int
}

// Open opens (creating if needed, unless ReadOnly) the database at path and
// brings its schema up to date. A file held by another open returns a
// *LockedError after opts.Timeout.
func Open(path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	db, err := boltdb.Open(path, schema, boltdb.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly})
	if err != nil {
		return nil, err
	}
	return &Store{be: boltBackend{db}, now: opts.Now, expandBatch: boltExpandBatch}, nil
}

// Close releases the file and its lock (bbolt) or the store's hold on the
// etcd client (etcd; the caller closes the client).
func (s *Store) Close() error { return s.be.close() }

// Path names where the store lives: the bbolt file, or etcd's endpoints and
// the key prefix.
func (s *Store) Path() string { return s.be.describe() }

// Backup writes a consistent copy of the whole bbolt database to w while
// the store stays in use (a hot backup); the copy opens with Open. An etcd
// store is backed up with etcd's own tools (etcdctl snapshot save).
func (s *Store) Backup(w io.Writer) (int64, error) {
	b, ok := s.be.(boltBackend)
	if !ok {
		return 0, fmt.Errorf("the store at %s is in etcd: back it up with `etcdctl snapshot save`, or copy it with `imictl admin migrate`", s.Path())
	}
	return boltdb.Backup(b.db, w)
}

// view runs a read transaction. Keep fn short: a long reader holds pages
// that writers cannot reuse.
func (s *Store) view(fn func(t *txn) error) error {
	return s.be.view(func(kv kvTxn) error {
		return fn(&txn{kv: kv, now: s.now().UTC()})
	})
}

// update runs fn in one read-write transaction; any error rolls back
// everything fn wrote, audit entries included. fn may run more than once
// (see backend.update): it sets its results afresh on every run.
func (s *Store) update(fn func(t *txn) error) error {
	return s.be.update(func(kv kvTxn) error {
		return fn(&txn{kv: kv, now: s.now().UTC()})
	})
}
