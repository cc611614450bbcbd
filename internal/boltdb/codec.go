package boltdb

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// RecordVersion is the format version written into every value. A record
// with a higher version was written by a newer imictl and is refused rather
// than misread; a format change bumps this and adds a migration.
const RecordVersion = 1

// envelope is the stored form of every value: {"v": 1, "d": {...}}.
type envelope[T any] struct {
	V int `json:"v"`
	D T   `json:"d"`
}

// Encode returns the stored form of v.
func Encode[T any](v T) ([]byte, error) {
	return json.Marshal(envelope[T]{V: RecordVersion, D: v})
}

// Decode parses a stored value. json.Unmarshal copies strings and byte
// slices (json.RawMessage included), so the result never aliases bbolt's
// memory map.
func Decode[T any](raw []byte) (T, error) {
	var e envelope[T]
	if err := json.Unmarshal(raw, &e); err != nil {
		return e.D, fmt.Errorf("corrupt record: %w; restore the database from a backup", err)
	}
	if e.V < 1 || e.V > RecordVersion {
		return e.D, fmt.Errorf("record format version %d is not one this imictl reads (1..%d); upgrade imictl", e.V, RecordVersion)
	}
	return e.D, nil
}

// Put stores v at key of b (a *bbolt.Bucket, or a bucket of another
// backend with its Put).
func Put[T any](b interface{ Put(key, value []byte) error }, key []byte, v T) error {
	raw, err := Encode(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

// Get returns the value at key of b, and false if there is none.
func Get[T any](b interface{ Get(key []byte) []byte }, key []byte) (T, bool, error) {
	raw := b.Get(key)
	if raw == nil {
		var zero T
		return zero, false, nil
	}
	v, err := Decode[T](raw)
	return v, err == nil, err
}

// U64 is n as an 8-byte big-endian key, so that byte order is numeric order.
func U64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n)
}

// Btou reads an 8-byte big-endian key.
func Btou(b []byte) uint64 {
	return binary.BigEndian.Uint64(b)
}
