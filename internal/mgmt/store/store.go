package store

import (
	"io"
	"time"

	"go.etcd.io/bbolt"

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

// Store is the management server's persistent state in one bbolt file. It is
// safe for concurrent use; bbolt serialises writers.
type Store struct {
	db   *bbolt.DB
	path string
	now  func() time.Time
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
	s := &Store{db: db, path: path, now: opts.Now}
	return s, nil
}

// Close releases the file and its lock.
func (s *Store) Close() error { return s.db.Close() }

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Backup writes a consistent copy of the whole database to w while the store
// stays in use (a hot backup); the copy opens with Open.
func (s *Store) Backup(w io.Writer) (int64, error) {
	return boltdb.Backup(s.db, w)
}

// view runs a read transaction. Keep fn short: a long reader holds pages
// that writers cannot reuse.
func (s *Store) view(fn func(t *txn) error) error {
	return s.db.View(func(tx *bbolt.Tx) error {
		return fn(&txn{tx: tx, now: s.now().UTC()})
	})
}

// update runs fn in one read-write transaction; any error rolls back
// everything fn wrote, audit entries included.
func (s *Store) update(fn func(t *txn) error) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		return fn(&txn{tx: tx, now: s.now().UTC()})
	})
}
