// Package boltdb is the plumbing shared by imictl's bbolt stores (the
// management server's and the IM server's): opening with a lock timeout and
// an error that says what to do, a schema version with ordered migrations,
// versioned JSON records and big-endian keys, and Group, a group commit for
// stores whose concurrent writers should share fsyncs. Each store keeps its
// own buckets, records and operations.
package boltdb

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"go.etcd.io/bbolt"
)

// DefaultTimeout is how long Open waits for the file lock before reporting
// a *LockedError. bbolt retries every 50ms, so that is about the minimum.
const DefaultTimeout = time.Second

// Kinds of failure at Open, for errors.Is.
var (
	ErrLocked       = errors.New("database in use")
	ErrSchemaTooNew = errors.New("database schema too new")
)

// Schema describes one kind of imictl database.
type Schema struct {
	// Name is how messages call the database, e.g. "database" or "IM database".
	Name string
	// Holder names what holds the file when it is locked, e.g. "a running IM server".
	Holder string
	// LockedHint says what to do about a locked file.
	LockedHint string
	// MigrateHint says how to migrate a file opened read-only that needs it.
	MigrateHint string
	// Buckets lists every bucket, the meta bucket included; Open checks them.
	Buckets [][]byte
	// Migrations run in order at Open, all in one transaction. Append only;
	// never edit a released migration. The first usually is CreateBuckets.
	Migrations []Migration
}

// Migration brings the schema from Version-1 to Version.
type Migration struct {
	Version uint64
	Name    string
	Apply   func(tx *bbolt.Tx) error
}

// The schema version is kept under this key of this bucket.
var (
	MetaBucket = []byte("meta")
	// SchemaKey, in MetaBucket, holds the schema version.
	SchemaKey = []byte("schema")
)

// CreateBuckets is the usual first migration: create every bucket of s.
func (s *Schema) CreateBuckets(tx *bbolt.Tx) error {
	for _, name := range s.Buckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// Version is the schema version this binary writes.
func (s *Schema) Version() uint64 { return s.Migrations[len(s.Migrations)-1].Version }

// Options tune Open.
type Options struct {
	Timeout  time.Duration // 0 means DefaultTimeout
	ReadOnly bool          // a shared lock: read-only opens coexist, but not with a writer
}

// LockedError: another process (or another Open in this one) holds the file.
type LockedError struct {
	Path         string
	Name, Holder string
	Hint         string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("the %s %s is in use by %s; %s", e.Name, e.Path, e.Holder, e.Hint)
}

func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// SchemaTooNewError: the file was written by a newer imictl.
type SchemaTooNewError struct {
	Path         string
	Name         string
	File, Binary uint64
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("the %s %s has schema version %d, newer than this imictl understands (%d); upgrade imictl, or restore a backup made by this version", e.Name, e.Path, e.File, e.Binary)
}

func (e *SchemaTooNewError) Is(target error) bool { return target == ErrSchemaTooNew }

// Open opens (creating it and its directory, unless ReadOnly) the database
// at path and brings its schema up to date.
func Open(path string, s *Schema, o Options) (*bbolt.DB, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no %s at %s; check --data-dir, or start the server once to create it", s.Name, path)
		}
	} else if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the data directory for %s: %w", path, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, &LockedError{Path: path, Name: s.Name, Holder: s.Holder, Hint: s.LockedHint}
	}
	if err != nil {
		return nil, openError(s.Name, path, o.ReadOnly, err)
	}
	if err := s.prepare(db, path, o.ReadOnly); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openError says why the file at path could not be opened and, when the
// file system refused it, what to do.
func openError(name, path string, readOnly bool, err error) error {
	access := "readable and writable"
	if readOnly {
		access = "readable"
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		return &explained{fmt.Sprintf("cannot open the %s %s: permission denied; make the file and its directory %s by the user running imictl (check their owner and mode), or pass another --data-dir", name, path, access), err}
	case errors.Is(err, syscall.EROFS):
		return &explained{fmt.Sprintf("cannot open the %s %s: it is on a read-only file system; remount it read-write, or pass a --data-dir on a writable one", name, path), err}
	}
	return fmt.Errorf("open %s %s: %w", name, path, err)
}

// explained is an error whose message already says what err (which it
// wraps, for errors.Is) would.
type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

// prepare checks the schema version and runs pending migrations.
func (s *Schema) prepare(db *bbolt.DB, path string, readOnly bool) error {
	var have uint64
	if err := db.View(func(tx *bbolt.Tx) error { have = FileVersion(tx); return nil }); err != nil {
		return err
	}
	want := s.Version()
	switch {
	case have > want:
		return &SchemaTooNewError{Path: path, Name: s.Name, File: have, Binary: want}
	case have == want:
		return db.View(s.checkBuckets)
	case readOnly:
		return fmt.Errorf("the %s %s has schema version %d and needs migrating to %d; %s", s.Name, path, have, want, s.MigrateHint)
	}
	return db.Update(func(tx *bbolt.Tx) error {
		for _, m := range s.Migrations {
			if m.Version <= have {
				continue
			}
			if err := m.Apply(tx); err != nil {
				return fmt.Errorf("migrate %s to schema %d (%s): %w; the file is unchanged", path, m.Version, m.Name, err)
			}
		}
		if err := tx.Bucket(MetaBucket).Put(SchemaKey, U64(want)); err != nil {
			return err
		}
		return s.checkBuckets(tx)
	})
}

// FileVersion is the schema version recorded in a file (0 for a new one).
func FileVersion(tx *bbolt.Tx) uint64 {
	meta := tx.Bucket(MetaBucket)
	if meta == nil {
		return 0
	}
	if v := meta.Get(SchemaKey); len(v) == 8 {
		return Btou(v)
	}
	return 0
}

// SetFileVersion records a schema version; for tests of migrations.
func SetFileVersion(tx *bbolt.Tx, v uint64) error {
	meta, err := tx.CreateBucketIfNotExists(MetaBucket)
	if err != nil {
		return err
	}
	return meta.Put(SchemaKey, U64(v))
}

func (s *Schema) checkBuckets(tx *bbolt.Tx) error {
	for _, name := range s.Buckets {
		if tx.Bucket(name) == nil {
			return fmt.Errorf("the %s is missing bucket %s; it is damaged or not an imictl %s: restore a backup", s.Name, name, s.Name)
		}
	}
	return nil
}

// Backup writes a consistent copy of the whole database to w while it stays
// in use (a hot backup).
func Backup(db *bbolt.DB, w io.Writer) (int64, error) {
	var n int64
	err := db.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}
