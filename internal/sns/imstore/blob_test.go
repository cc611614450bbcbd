package imstore

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sums(data []byte) (string, string) {
	s, m := sha256.Sum256(data), md5.Sum(data)
	return hex.EncodeToString(s[:]), hex.EncodeToString(m[:])
}

// entries lists every file under dir, for asserting that nothing was left.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return err
	})
	return out
}

func TestBlobPutAndOpen(t *testing.T) {
	bs, err := NewBlobStore(filepath.Join(t.TempDir(), "files"))
	must(t, err)
	data := []byte("hello, interconnected world")
	wantHash, wantMD5 := sums(data)
	b, err := bs.Put(bytes.NewReader(data), int64(len(data)))
	if err != nil || b.Hash != wantHash || b.MD5 != wantMD5 || b.Size != int64(len(data)) {
		t.Fatalf("Put: %+v %v", b, err)
	}
	// The same bytes again: same blob, stored once.
	if b2, err := bs.Put(bytes.NewReader(data), 1<<20); err != nil || b2 != b {
		t.Fatalf("second Put: %+v %v", b2, err)
	}
	if got := entries(t, bs.Dir()); len(got) != 1 || got[0] != "/"+wantHash[:2]+"/"+wantHash {
		t.Fatalf("files: %v", got)
	}
	f, err := bs.Open(b.Hash)
	must(t, err)
	defer f.Close()
	if got, _ := io.ReadAll(f); !bytes.Equal(got, data) {
		t.Fatalf("read back %q", got)
	}
	missing := strings.Repeat("0", 64)
	if _, err := bs.Open(missing); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing blob: %v", err)
	}
	if _, err := bs.Open("../../etc/passwd"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad name: %v", err)
	}
	if b, err := bs.Put(strings.NewReader(""), 0); err != nil || b.Size != 0 {
		t.Fatalf("empty file: %+v %v", b, err)
	}
}

// errReader fails after its data, like a connection reset mid-download.
type errReader struct{ r io.Reader }

func (e errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, errors.New("connection reset")
	}
	return n, err
}

func TestBlobRefusalsLeaveNothing(t *testing.T) {
	bs, err := NewBlobStore(filepath.Join(t.TempDir(), "files"))
	must(t, err)
	data := []byte("0123456789")
	_, md := sums(data)
	cases := []struct {
		name string
		put  func() error
		kind error
		want string
	}{
		{"over the limit", func() error { _, err := bs.Put(bytes.NewReader(data), 9); return err }, ErrTooLarge, "file larger than the limit of 9 bytes; nothing was stored"},
		{"longer than announced", func() error { _, err := bs.PutExpect(bytes.NewReader(data), 5, md); return err }, ErrTooLarge, "limit of 5 bytes"},
		{"shorter than announced", func() error { _, err := bs.PutExpect(bytes.NewReader(data), 11, md); return err }, ErrMismatch, "downloaded file size is 10, the message announced 11"},
		{"other md5", func() error {
			_, err := bs.PutExpect(bytes.NewReader(data), 10, strings.Repeat("a", 32))
			return err
		}, ErrMismatch, "downloaded file md5 is " + md},
		{"malformed md5", func() error { _, err := bs.PutExpect(bytes.NewReader(data), 10, "XYZ"); return err }, ErrInvalid, `invalid md5: "XYZ"`},
		{"read error", func() error { _, err := bs.Put(errReader{bytes.NewReader(data)}, 100); return err }, nil, "store file: connection reset"},
	}
	for _, tc := range cases {
		err := tc.put()
		if err == nil || (tc.kind != nil && !errors.Is(err, tc.kind)) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
		if got := entries(t, bs.Dir()); len(got) != 0 {
			t.Errorf("%s: left %v", tc.name, got)
		}
	}
	if b, err := bs.PutExpect(bytes.NewReader(data), 10, md); err != nil || b.Size != 10 {
		t.Fatalf("matching download: %+v %v", b, err)
	}
}

func TestNewBlobStoreRemovesStaleTemporaries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "files")
	_, err := NewBlobStore(dir)
	must(t, err)
	stale, fresh := filepath.Join(dir, "tmp", "put-1"), filepath.Join(dir, "tmp", "put-2")
	must(t, os.WriteFile(stale, []byte("partial"), 0o600))
	must(t, os.WriteFile(fresh, []byte("in progress"), 0o600))
	old := time.Now().Add(-2 * staleTemp)
	must(t, os.Chtimes(stale, old, old))
	_, err = NewBlobStore(dir)
	must(t, err)
	if got := entries(t, dir); len(got) != 1 || got[0] != "/tmp/put-2" {
		t.Fatalf("left %v", got)
	}
}
