package ca

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Files is where a CA's four PEM files live: a directory (Dir), the
// default, or the shared store of management server replicas (the etcd
// store's SharedFiles), which holds the keys only encrypted.
type Files interface {
	// ReadFile returns a file; an error matching fs.ErrNotExist if absent.
	ReadFile(name string) ([]byte, error)
	// CreateFiles writes new files (name -> content), refusing
	// (fs.ErrExist) to overwrite any.
	CreateFiles(files map[string][]byte) error
	// RemoveFiles deletes files; absent ones are no error.
	RemoveFiles(names ...string) error
	// String names the place, for messages.
	String() string
}

// Dir is a CA directory (0700): keys 0600, certificates 0644.
type Dir string

func (d Dir) String() string { return string(d) }

func (d Dir) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), name))
}

func (d Dir) CreateFiles(files map[string][]byte) error {
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		perm := fs.FileMode(0o644)
		if strings.HasSuffix(name, ".key") {
			perm = 0o600
		}
		if err := writeNew(filepath.Join(string(d), name), files[name], perm); err != nil {
			return err
		}
	}
	return nil
}

func (d Dir) RemoveFiles(names ...string) error {
	for _, name := range names {
		if err := os.Remove(filepath.Join(string(d), name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// writeNew creates a file that must not exist yet, with perm.
func writeNew(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// RequireEncrypted refuses a CA whose keys are stored in clear, for a
// store shared by replicas: its keys are never written there in clear.
func RequireEncrypted(files Files) error {
	enc, err := IsEncryptedIn(files)
	if err != nil {
		return err
	}
	if !enc {
		return fmt.Errorf("the CA key in %s is not encrypted; a store shared by replicas holds CA keys only encrypted: create the CA with a password", files)
	}
	return nil
}

// fileNames are the CA's files.
var fileNames = []string{RootCertFile, RootKeyFile, SelfCertFile, SelfKeyFile}

// Copy copies the CA in src to dst, replacing one there only when
// replace is set, reads the copy back to check it, and returns the names
// of the files copied. The keys are copied as they are (encrypted, or
// plain if the CA was created with --insecure).
func Copy(dst, src Files, replace bool) ([]string, error) {
	files := map[string][]byte{}
	for _, name := range fileNames {
		data, err := src.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w (%s missing in %s)", ErrNotInitialized, name, src)
		}
		if err != nil {
			return nil, err
		}
		files[name] = data
	}
	if replace {
		if err := dst.RemoveFiles(fileNames...); err != nil {
			return nil, err
		}
	}
	err := dst.CreateFiles(files)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%w (%s); --force replaces it", ErrExists, dst)
	}
	if err != nil {
		return nil, err
	}
	for name, want := range files {
		got, err := dst.ReadFile(name)
		if err != nil || !bytes.Equal(got, want) {
			return nil, fmt.Errorf("the copy of %s in %s does not read back as written (%v)", name, dst, err)
		}
	}
	return fileNames, nil
}
