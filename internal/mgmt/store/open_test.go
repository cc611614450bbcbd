package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/imictl/imictl/internal/boltdb"
)

func TestOpenCreatesSchemaAndReopens(t *testing.T) {
	bboltPass(t)
	path := filepath.Join(t.TempDir(), "data", "mgmt.db") // the data directory is created
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	register(t, s, "alpha")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.GetServer("alpha"); err != nil {
		t.Fatalf("after reopen: %v", err)
	}
	var have uint64
	boltOf(t, s).View(func(tx *bbolt.Tx) error { have = boltdb.FileVersion(tx); return nil })
	if have != schema.Version() {
		t.Fatalf("schema %d, want %d", have, schema.Version())
	}
}

func TestOpenLockedReturnsErrLocked(t *testing.T) {
	bboltPass(t)
	path := filepath.Join(t.TempDir(), "mgmt.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, readOnly := range []bool{false, true} {
		_, err := Open(path, Options{Timeout: 100 * time.Millisecond, ReadOnly: readOnly})
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("readOnly=%v: got %v, want ErrLocked", readOnly, err)
		}
		want := "the database " + path + " is in use by a running imictl server; stop it, or use the running server's admin API (the admin commands do this automatically when the server is running)"
		if err.Error() != want {
			t.Fatalf("message:\n%s\nwant:\n%s", err, want)
		}
	}
}

func TestOpenReadOnly(t *testing.T) {
	bboltPass(t)
	path := filepath.Join(t.TempDir(), "mgmt.db")
	if _, err := Open(path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "no database at "+path) {
		t.Fatalf("missing file: %v", err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	register(t, s, "alpha")
	s.Close()

	r1, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(path, Options{ReadOnly: true, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("two readers must share the lock: %v", err)
	}
	defer r2.Close()
	if _, err := r2.GetServer("alpha"); err != nil {
		t.Fatal(err)
	}
	if _, err := r1.SetStatus("admin", "alpha", StatusNormal, StatusSuspended); !errors.Is(err, bbolt.ErrDatabaseReadOnly) {
		t.Fatalf("write on read-only: %v", err)
	}
	if _, err := Open(path, Options{Timeout: 100 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("writer while readers hold the file: %v", err)
	}
}

// setSchema writes a schema version into a closed database file.
func setSchema(t *testing.T, path string, v uint64) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bbolt.Tx) error { return boltdb.SetFileVersion(tx, v) })
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	bboltPass(t)
	path := filepath.Join(t.TempDir(), "mgmt.db")
	setSchema(t, path, schema.Version()+1)
	_, err := Open(path, Options{})
	var se *SchemaTooNewError
	if !errors.As(err, &se) || !errors.Is(err, ErrSchemaTooNew) || se.File != schema.Version()+1 || se.Binary != schema.Version() {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "upgrade imictl") {
		t.Fatalf("message does not say what to do: %v", err)
	}
}

func TestOpenReadOnlyRefusesToMigrate(t *testing.T) {
	bboltPass(t)
	path := filepath.Join(t.TempDir(), "mgmt.db")
	setSchema(t, path, 0)
	_, err := Open(path, Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "needs migrating") {
		t.Fatalf("got %v", err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("read-write open migrates: %v", err)
	}
	s.Close()
}

func TestDecodeRefusesUnreadableRecords(t *testing.T) {
	s, _ := openTest(t)
	register(t, s, "alpha")
	for raw, want := range map[string]string{
		`{"v":2,"d":{"serverId":"alpha"}}`: "record format version 2 is not one this imictl reads (1..1); upgrade imictl",
		`{"d":{"serverId":"alpha"}}`:       "record format version 0",
		`{"v":1,"d":`:                      "corrupt record",
	} {
		err := boltOf(t, s).Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketServers).Put([]byte("alpha"), []byte(raw)) })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetServer("alpha"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", raw, err, want)
		}
	}
}

func TestBackupRestores(t *testing.T) {
	s, _ := openTest(t)
	boltOf(t, s)
	register(t, s, "alpha")
	var buf bytes.Buffer
	if _, err := s.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "restored.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	assertUnchanged(t, dump(t, s), dump(t, r))
}
