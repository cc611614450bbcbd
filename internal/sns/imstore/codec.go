package imstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"
)

// recordVersion is the format version written into every value. A record
// with a higher version was written by a newer imictl and is refused rather
// than misread; a format change bumps this and adds a migration.
const recordVersion = 1

// envelope is the stored form of every value: {"v": 1, "d": {...}}.
type envelope[T any] struct {
	V int `json:"v"`
	D T   `json:"d"`
}

func encode[T any](v T) ([]byte, error) {
	return json.Marshal(envelope[T]{V: recordVersion, D: v})
}

// decode parses a stored value. json.Unmarshal copies strings and byte
// slices (json.RawMessage included), so the result never aliases bbolt's
// memory map.
func decode[T any](raw []byte) (T, error) {
	var e envelope[T]
	if err := json.Unmarshal(raw, &e); err != nil {
		return e.D, fmt.Errorf("corrupt record: %w; restore the IM database from a backup", err)
	}
	if e.V < 1 || e.V > recordVersion {
		return e.D, fmt.Errorf("record format version %d is not one this imictl reads (1..%d); upgrade imictl", e.V, recordVersion)
	}
	return e.D, nil
}

func put[T any](b *bbolt.Bucket, key []byte, v T) error {
	raw, err := encode(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

// get returns the value at key, and false if there is none.
func get[T any](b *bbolt.Bucket, key []byte) (T, bool, error) {
	raw := b.Get(key)
	if raw == nil {
		var zero T
		return zero, false, nil
	}
	v, err := decode[T](raw)
	return v, err == nil, err
}

func u64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n)
}

func btou(b []byte) uint64 {
	return binary.BigEndian.Uint64(b)
}

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
func tailSeq(k []byte) uint64 { return btou(k[len(k)-8:]) }

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
