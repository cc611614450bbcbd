package imstore

import (
	"io"
	"time"

	"go.etcd.io/bbolt"

	"github.com/imictl/imictl/internal/boltdb"
)

// DefaultTimeout is how long Open waits for the file lock before reporting
// ErrLocked.
const DefaultTimeout = boltdb.DefaultTimeout

// DefaultDeliveredHistory is how many delivered outbox items are kept for
// the admin surface before the oldest are deleted.
const DefaultDeliveredHistory = 1000

// Options tune Open. The zero value is ready to use.
type Options struct {
	// Timeout to obtain the file lock; 0 means DefaultTimeout. bbolt retries
	// every 50ms, so the effective minimum is about that.
	Timeout time.Duration
	// ReadOnly takes a shared lock: several read-only opens may coexist, but
	// none with a read-write open (a running IM server).
	ReadOnly bool
	// Now is the clock for timestamps; nil means time.Now.
	Now func() time.Time
	// DeliveredHistory bounds the delivered outbox items kept; 0 means
	// DefaultDeliveredHistory, a negative value keeps none.
	DeliveredHistory int
}

// Store is the IM server's persistent state in one bbolt file. It is safe
// for concurrent use; bbolt serialises writers, so every check-then-write
// below is atomic.
type Store struct {
	db      *bbolt.DB
	group   *boltdb.Group // commits the hot paths' transactions together
	path    string
	now     func() time.Time
	history int
}

// Open opens (creating if needed, unless ReadOnly) the database at path and
// brings its schema up to date. A file held by another open returns a
// *LockedError (errors.Is ErrLocked) after opts.Timeout.
func Open(path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	switch {
	case opts.DeliveredHistory == 0:
		opts.DeliveredHistory = DefaultDeliveredHistory
	case opts.DeliveredHistory < 0:
		opts.DeliveredHistory = 0
	}
	db, err := boltdb.Open(path, schema, boltdb.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly})
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, group: boltdb.NewGroup(db, 0), path: path, now: opts.Now, history: opts.DeliveredHistory}
	return s, nil
}

// Close releases the file and its lock.
func (s *Store) Close() error { return s.db.Close() }

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Backup writes a consistent copy of the whole database to w while the store
// stays in use (a hot backup); the copy opens with Open. File blobs live
// outside the database (BlobStore) and are copied separately.
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
// everything fn wrote.
func (s *Store) update(fn func(t *txn) error) error {
	return boltdb.ExplainNoSpace(schema.Name, s.path, s.db.Update(func(tx *bbolt.Tx) error {
		return fn(&txn{tx: tx, now: s.now().UTC()})
	}))
}

// batch is update for the paths every message takes (received, sent,
// delivered): concurrent calls share one commit and its fsyncs
// (boltdb.Group), and each returns only once its own changes are
// committed, so acknowledged still means persisted. fn may run more than
// once, when another call of its group fails: it must only write through
// t and must set its results afresh on every run.
func (s *Store) batch(fn func(t *txn) error) error {
	return boltdb.ExplainNoSpace(schema.Name, s.path, s.group.Update(func(tx *bbolt.Tx) error {
		return fn(&txn{tx: tx, now: s.now().UTC()})
	}))
}

// CommitStats counts the group commits of the paths every message takes:
// transactions, the calls they carried, calls that failed in a group and
// ran again alone.
type CommitStats = boltdb.GroupStats

// CommitStats returns the counts since Open.
func (s *Store) CommitStats() CommitStats { return s.group.Stats() }
