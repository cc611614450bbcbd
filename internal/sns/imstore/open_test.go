package imstore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imictl/imictl/internal/boltdb"

	"go.etcd.io/bbolt"
)

func TestOpenLockedReturnsErrLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "im.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, readOnly := range []bool{false, true} {
		_, err := Open(path, Options{Timeout: 100 * time.Millisecond, ReadOnly: readOnly})
		var le *LockedError
		if !errors.Is(err, ErrLocked) || !errors.As(err, &le) || le.Path != path {
			t.Fatalf("readOnly=%v: got %v, want ErrLocked", readOnly, err)
		}
		want := "the IM database " + path + " is in use by a running IM server; use its admin API (`imictl im ...` does this automatically when the server is running), or stop the server first"
		if err.Error() != want {
			t.Fatalf("message:\n%s\nwant:\n%s", err, want)
		}
	}
}

func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "im.db")
	if _, err := Open(path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "no IM database at "+path) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a read-only open created the directory: %v", err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	addUser(t, s, "alice", "Alice")
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
	if _, err := r2.GetUser("alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := r1.AddUser(User{UserID: "bob", Name: "Bob"}); !errors.Is(err, bbolt.ErrDatabaseReadOnly) {
		t.Fatalf("write on read-only: %v", err)
	}
}

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

func TestOpenSchema(t *testing.T) {
	dir := t.TempDir()
	newer := filepath.Join(dir, "newer.db")
	setSchema(t, newer, schema.Version()+1)
	_, err := Open(newer, Options{})
	var se *SchemaTooNewError
	if !errors.As(err, &se) || !errors.Is(err, ErrSchemaTooNew) || se.File != schema.Version()+1 || !strings.Contains(err.Error(), "upgrade imictl") {
		t.Fatalf("newer schema: %v", err)
	}

	old := filepath.Join(dir, "old.db")
	setSchema(t, old, 0)
	if _, err := Open(old, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "needs migrating") {
		t.Fatalf("read-only open of an old schema: %v", err)
	}
	s, err := Open(old, Options{})
	if err != nil {
		t.Fatalf("read-write open migrates: %v", err)
	}
	var have uint64
	s.db.View(func(tx *bbolt.Tx) error { have = boltdb.FileVersion(tx); return nil })
	s.Close()
	if have != schema.Version() {
		t.Fatalf("schema %d after migrating, want %d", have, schema.Version())
	}
}

func TestOpenRefusesMissingBucket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "im.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket(bucketOutbox) })
	s.Close()
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "missing bucket outbox_items") {
		t.Fatalf("got %v", err)
	}
}

func TestDecodeRefusesUnreadableRecords(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
	for raw, want := range map[string]string{
		`{"v":2,"d":{"userID":"alice"}}`: "record format version 2 is not one this imictl reads (1..1); upgrade imictl",
		`{"d":{"userID":"alice"}}`:       "record format version 0",
		`{"v":1,"d":`:                    "corrupt record",
	} {
		if err := s.db.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketUsers).Put([]byte("alice"), []byte(raw)) }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetUser("alice"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", raw, err, want)
		}
	}
}

func TestBackupRestores(t *testing.T) {
	s, _ := openTest(t)
	addUser(t, s, "alice", "Alice")
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
