package httpsig

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestReadBody(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 300)
	boom := errors.New("connection reset")
	for _, tc := range []struct {
		name     string
		r        io.Reader
		declared int64
		want     []byte
		err      error
	}{
		{"declared exactly", bytes.NewReader(data), int64(len(data)), data, nil},
		{"declared less", bytes.NewReader(data), 10, data, nil},
		{"declared more", bytes.NewReader(data), 5000, data, nil},
		{"unknown length", bytes.NewReader(data), -1, data, nil},
		{"beyond the preallocation", bytes.NewReader(data), maxPrealloc + 1, data, nil},
		{"empty", bytes.NewReader(nil), 0, []byte{}, nil},
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(data)), int64(len(data)), data, nil},
		{"data with EOF", iotest.DataErrReader(bytes.NewReader(data)), int64(len(data)), data, nil},
		{"error midway", io.MultiReader(bytes.NewReader(data[:100]), iotest.ErrReader(boom)), int64(len(data)), data[:100], boom},
	} {
		got, err := readBody(tc.r, tc.declared)
		if !bytes.Equal(got, tc.want) || !errors.Is(err, tc.err) {
			t.Errorf("%s: %d bytes, %v; want %d bytes, %v", tc.name, len(got), err, len(tc.want), tc.err)
		}
	}
}

// TestReadBodyAllocatesOnce: a body of the declared length costs one
// allocation, which is the point of readBody.
func TestReadBodyAllocatesOnce(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 4096)
	r := bytes.NewReader(data)
	allocs := testing.AllocsPerRun(20, func() {
		r.Reset(data)
		if b, err := readBody(r, int64(len(data))); err != nil || len(b) != len(data) {
			t.Fatal(len(b), err)
		}
	})
	if allocs != 1 {
		t.Errorf("%v allocations, want 1", allocs)
	}
}
