package imstore

import (
	"bytes"
	"encoding/binary"

	"go.etcd.io/bbolt"

	"github.com/imictl/imictl/internal/boltdb"
)

// key joins string parts with 0x00 and appends an optional big-endian
// sequence; parts never contain 0x00 (validated on the way in).
func key(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	k := make([]byte, 0, n+8)
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

// seqKey is key(parts...) 0x00 u64(seq).
func seqKey(seq uint64, parts ...string) []byte {
	return binary.BigEndian.AppendUint64(append(key(parts...), 0), seq)
}

// prefix is key(parts...) 0x00: every key that starts with these parts.
func prefix(parts ...string) []byte { return append(key(parts...), 0) }

// tailSeq reads the sequence at the end of a seqKey.
func tailSeq(k []byte) uint64 { return boltdb.Btou(k[len(k)-8:]) }

// forPrefix calls fn for each key/value under p, in key order, until fn
// returns false or an error. Do not write to the bucket from fn.
func forPrefix(b *bbolt.Bucket, p []byte, fn func(k, v []byte) (bool, error)) error {
	c := b.Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}
