package store

import (
	"bytes"
	"fmt"

	"github.com/imictl/imictl/internal/boltdb"
)

// Contents is everything the store holds, bucket by bucket: "bucket/" maps
// to the bucket's sequence and "bucket/key" to the stored value. Two stores
// with equal Contents hold the same registry; migrate verifies its copy
// with it, and tests that a refused operation changed nothing.
func (s *Store) Contents() (map[string]string, error) {
	out := map[string]string{}
	err := s.view(func(t *txn) error {
		for _, name := range allBuckets {
			b := t.b(name)
			out[string(name)+"/"] = fmt.Sprint(b.Sequence())
			err := b.ForEach(func(k, v []byte) error {
				out[string(name)+"/"+string(k)] = string(v)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// IsEmpty reports whether the store holds no registry yet: no server, no
// application, no certificate, no audit entry.
func (s *Store) IsEmpty() (bool, error) {
	empty := true
	err := s.view(func(t *txn) error {
		for _, name := range allBuckets {
			if bytes.Equal(name, bucketMeta) {
				continue
			}
			if k, _ := t.b(name).Cursor().First(); k != nil || t.b(name).Sequence() != 0 {
				empty = false
				return nil
			}
		}
		return nil
	})
	return empty, err
}

// copyBatch bounds the keys written by one transaction of CopyFrom, well
// under etcd's default limit of 128 operations per transaction.
const copyBatch = 100

// CopyFrom copies every bucket of src into s, with the buckets' sequences
// and the change clock, in transactions of at most copyBatch keys, and then
// checks that both hold the same Contents. s should be empty (IsEmpty):
// keys of s that src lacks are left alone and make the check fail. src is
// read in one snapshot, so copy from a store nobody writes (a stopped
// server's bbolt file).
func (s *Store) CopyFrom(src *Store) error {
	type item struct{ bucket, key, value []byte }
	var items []item
	seqs := map[string]uint64{}
	err := src.view(func(t *txn) error {
		for _, name := range allBuckets {
			b := t.b(name)
			seqs[string(name)] = b.Sequence()
			err := b.ForEach(func(k, v []byte) error {
				items = append(items, item{name, bytes.Clone(k), bytes.Clone(v)})
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading %s: %w", src.Path(), err)
	}
	for len(items) > 0 {
		n := min(len(items), copyBatch)
		batch := items[:n]
		err := s.update(func(t *txn) error {
			for _, it := range batch {
				if err := t.b(it.bucket).Put(it.key, it.value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("writing to %s: %w", s.Path(), err)
		}
		items = items[n:]
	}
	err = s.update(func(t *txn) error {
		for name, seq := range seqs {
			if err := t.b([]byte(name)).SetSequence(seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("writing to %s: %w", s.Path(), err)
	}
	return s.verifyCopyOf(src)
}

// verifyCopyOf compares the Contents of s and src and names the first
// difference.
func (s *Store) verifyCopyOf(src *Store) error {
	want, err := src.Contents()
	if err != nil {
		return err
	}
	got, err := s.Contents()
	if err != nil {
		return err
	}
	for k, v := range want {
		if w, ok := got[k]; !ok || w != v {
			return fmt.Errorf("the copy in %s differs from %s at %q: run the migration again with --force", s.Path(), src.Path(), k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			return fmt.Errorf("the copy in %s has %q, which %s lacks: the target was not empty; run the migration again with --force", s.Path(), k, src.Path())
		}
	}
	return nil
}

// Clear deletes everything the store holds but its schema version, in
// transactions of at most copyBatch keys: what migrate --force does to a
// target before copying into it.
func (s *Store) Clear() error {
	for _, name := range allBuckets {
		for {
			n := 0
			err := s.update(func(t *txn) error {
				b := t.b(name)
				var doomed [][]byte
				c := b.Cursor()
				for k, _ := c.First(); k != nil && len(doomed) < copyBatch; k, _ = c.Next() {
					if !bytes.Equal(name, bucketMeta) || !bytes.Equal(k, boltdb.SchemaKey) {
						doomed = append(doomed, bytes.Clone(k))
					}
				}
				for _, k := range doomed {
					if err := b.Delete(k); err != nil {
						return err
					}
				}
				n = len(doomed)
				if n == 0 {
					return b.SetSequence(0)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("clearing %s: %w", s.Path(), err)
			}
			if n == 0 {
				break
			}
		}
	}
	return nil
}

// Summary counts what a store holds, to show what a copy carried.
type Summary struct {
	Servers      int   `json:"servers"`
	Applications int   `json:"applications"`
	Certificates int   `json:"certificates"`
	Outbox       int   `json:"notifications"`
	AuditEntries int   `json:"auditEntries"`
	ChangeClock  int64 `json:"changeClock"`
}

// Summarize counts the store's records and reads its change clock.
func (s *Store) Summarize() (Summary, error) {
	var sum Summary
	err := s.view(func(t *txn) error {
		count := func(name []byte) int {
			n := 0
			c := t.b(name).Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				n++
			}
			return n
		}
		sum = Summary{
			Servers: count(bucketServers), Applications: count(bucketApplications), Certificates: count(bucketCertificates),
			Outbox: count(bucketOutbox), AuditEntries: count(bucketAudit), ChangeClock: t.clock(),
		}
		return nil
	})
	return sum, err
}
