package boltdb

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

var testSchema = &Schema{
	Name: "test database", Holder: "a test", LockedHint: "wait for it", MigrateHint: "open it read-write",
	Buckets: [][]byte{MetaBucket, []byte("things")},
}

func init() {
	testSchema.Migrations = []Migration{{Version: 1, Name: "create buckets", Apply: testSchema.CreateBuckets}}
}

func TestOpenMigratesLocksAndRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "t.db")
	if _, err := Open(path, testSchema, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "no test database at") {
		t.Fatalf("read-only open of a missing file: %v", err)
	}
	db, err := Open(path, testSchema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bbolt.Tx) error {
		if v := FileVersion(tx); v != 1 {
			t.Errorf("schema version %d", v)
		}
		return nil
	})
	_, err = Open(path, testSchema, Options{Timeout: 60 * time.Millisecond})
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) || err.Error() != "the test database "+path+" is in use by a test; wait for it" {
		t.Fatalf("second open: %v", err)
	}
	db.Update(func(tx *bbolt.Tx) error { return SetFileVersion(tx, 9) })
	db.Close()
	_, err = Open(path, testSchema, Options{})
	var se *SchemaTooNewError
	if !errors.As(err, &se) || se.File != 9 || se.Binary != 1 || !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("newer schema: %v", err)
	}
}

func TestCodec(t *testing.T) {
	type rec struct{ A string }
	raw, err := Encode(rec{A: "x"})
	if err != nil || string(raw) != `{"v":1,"d":{"A":"x"}}` {
		t.Fatalf("Encode: %s %v", raw, err)
	}
	if got, err := Decode[rec](raw); err != nil || got.A != "x" {
		t.Fatalf("Decode: %+v %v", got, err)
	}
	for _, bad := range []string{`{"v":2,"d":{}}`, `{"v":0}`, `not json`} {
		if _, err := Decode[rec]([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if Btou(U64(1<<40+7)) != 1<<40+7 || string(U64(1)) != "\x00\x00\x00\x00\x00\x00\x00\x01" {
		t.Error("U64/Btou")
	}
}
