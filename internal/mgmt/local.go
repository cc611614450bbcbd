package mgmt

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
)

// LocalOptions configure OpenLocal.
type LocalOptions struct {
	// CAPassword is asked for the CA password the first time an operation
	// needs the CA key, and only if that key is encrypted. nil: such
	// operations fail with ErrCAUnavailable.
	CAPassword func() ([]byte, error)
	// Create makes the directory and the database when missing; without it
	// a missing database is refused (a mistyped --data-dir should not
	// silently start an empty registry).
	Create bool
	// Service options; CA and LoadCA are set by OpenLocal.
	Service Options
}

// ErrNoDatabase: there is no management database in the data directory.
var ErrNoDatabase = errors.New("no management database")

// OpenLocal opens the management database of dataDir directly, for the
// admin commands on a stopped server. It waits at most a second for the
// file lock and then fails with store.ErrLocked (a running server holds
// it: use its admin socket instead). Close the returned Closer to release
// the database.
func OpenLocal(dataDir string, o LocalOptions) (*Service, io.Closer, error) {
	path := DBPath(dataDir)
	if !o.Create {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("%w at %s: check --data-dir (or IMICTL_DATA_DIR), or start `imictl serve --mgmt` once to create it", ErrNoDatabase, path)
		}
	} else if err := os.MkdirAll(Dir(dataDir), 0o700); err != nil {
		return nil, nil, err
	}
	st, err := store.Open(path, store.Options{Timeout: store.DefaultTimeout, Now: o.Service.Now})
	if err != nil {
		return nil, nil, err
	}
	opts := o.Service
	opts.CA = nil
	opts.LoadCA = func() (*ca.CA, error) { return LoadCA(CADir(dataDir), o.CAPassword) }
	return New(st, opts), st, nil
}

// LoadCA loads the CA in dir, asking password for the password only when
// the key is encrypted.
func LoadCA(dir string, password func() ([]byte, error)) (*ca.CA, error) {
	enc, err := ca.IsEncrypted(dir)
	if err != nil {
		return nil, err
	}
	var pw []byte
	if enc {
		if password == nil {
			return nil, errors.New("the CA key is encrypted and no password was given")
		}
		if pw, err = password(); err != nil {
			return nil, err
		}
	}
	return ca.Load(dir, pw)
}
