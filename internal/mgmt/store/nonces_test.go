package store

import (
	"errors"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/imictl/imictl/internal/boltdb"
)

func TestRememberNonce(t *testing.T) {
	s, c := openTest(t)
	window := c.Now().Add(5 * time.Minute)
	if err := s.RememberNonce("3f2a", "n1", window); err != nil {
		t.Fatal(err)
	}
	if err := s.RememberNonce("3f2a", "n1", window); !errors.Is(err, ErrNonceUsed) {
		t.Fatalf("the same pair again: %v, want ErrNonceUsed", err)
	}
	for _, other := range [][2]string{{"3f2b", "n1"}, {"3f2a", "n2"}} {
		if err := s.RememberNonce(other[0], other[1], window); err != nil {
			t.Fatalf("%v: %v", other, err)
		}
	}
	before := dump(t, s)
	for _, bad := range [][2]string{{"", "n"}, {"3f2a", ""}, {"a\x00b", "n"}} {
		if err := s.RememberNonce(bad[0], bad[1], window); !errors.Is(err, ErrInvalid) {
			t.Errorf("RememberNonce(%q, %q) = %v, want ErrInvalid", bad[0], bad[1], err)
		}
	}
	assertUnchanged(t, before, dump(t, s))
	// Once their window has passed the pairs are dropped, by the next call.
	c.Add(6 * time.Minute)
	if err := s.RememberNonce("3f2c", "n1", c.Now().Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var held []string
	s.view(func(t *txn) error {
		return t.b(bucketNonces).ForEach(func(k, _ []byte) error { held = append(held, string(k)); return nil })
	})
	if len(held) != 1 || held[0] != "3f2c\x00n1" {
		t.Errorf("held after the window: %q, want only the new pair", held)
	}
}

func TestOpenMigratesSchema2(t *testing.T) {
	s, _ := openTest(t)
	downgrade := func() {
		if db, ok := s.be.(boltBackend); ok {
			err := db.db.Update(func(tx *bbolt.Tx) error {
				if err := tx.DeleteBucket(bucketNonces); err != nil {
					return err
				}
				return tx.Bucket(boltdb.MetaBucket).Put(boltdb.SchemaKey, boltdb.U64(2))
			})
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := s.update(func(t *txn) error { return t.b(bucketMeta).Put(boltdb.SchemaKey, boltdb.U64(2)) }); err != nil {
			t.Fatal(err)
		}
	}
	downgrade()
	s = reopen(t, s)
	var have uint64
	if err := s.view(func(t *txn) error { have = boltdb.Btou(t.b(bucketMeta).Get(boltdb.SchemaKey)); return nil }); err != nil || have != 3 {
		t.Fatalf("schema %d after open, %v", have, err)
	}
	if err := s.RememberNonce("3f2a", "n1", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
}
