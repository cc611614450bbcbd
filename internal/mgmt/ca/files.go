package ca

import (
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
