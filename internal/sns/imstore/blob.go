package imstore

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// staleTemp is how old a partial upload or download in tmp/ must be before
// NewBlobStore deletes it (left behind by a crash).
const staleTemp = time.Hour

// BlobStore keeps file contents on disk, named by their sha256 (content
// addressed: the same bytes are stored once), under dir/<2 hex>/<64 hex>.
// Bytes are streamed, never held whole in memory. Writes go to dir/tmp,
// are fsynced, then renamed into place, so a blob is either complete or
// absent.
type BlobStore struct {
	dir string
}

// Blob is what Put measured while storing.
type Blob struct {
	Hash string // sha256, lowercase hex: the blob's name
	MD5  string // lowercase hex, for the standard's md5 fields
	Size int64
}

// NewBlobStore opens (creating, 0700) a blob directory and removes partial
// files older than an hour from its tmp/.
func NewBlobStore(dir string) (*BlobStore, error) {
	tmp := filepath.Join(dir, "tmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("create the file store %s: %w", dir, err)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", tmp, err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(tmp, e.Name()))
		}
	}
	return &BlobStore{dir: dir}, nil
}

// Dir is the directory the blobs live in.
func (bs *BlobStore) Dir() string { return bs.dir }

// TooLargeError: the content exceeded the size limit while streaming.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("file larger than the limit of %d bytes; nothing was stored", e.Limit)
}

func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// MismatchError: downloaded content is not what the message announced.
type MismatchError struct {
	Field      string // "size" or "md5"
	Want, Have string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("downloaded file %s is %s, the message announced %s; nothing was stored (the origin served other bytes: try again later or report it to its operator)", e.Field, e.Have, e.Want)
}

func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// Put stores r's content, at most maxSize bytes (*TooLargeError beyond,
// detected while streaming, with nothing left behind).
func (bs *BlobStore) Put(r io.Reader, maxSize int64) (Blob, error) {
	return bs.put(r, maxSize, nil)
}

// PutExpect stores r's content only if it is exactly size bytes with the
// given md5 (lowercase hex): what a receiving server checks when it
// downloads a file from its origin. A mismatch is a *MismatchError (or
// *TooLargeError for extra bytes) and stores nothing.
func (bs *BlobStore) PutExpect(r io.Reader, size int64, md5hex string) (Blob, error) {
	if size < 0 {
		return Blob{}, boltdb.Invalid("size", "%d is negative", size)
	}
	if !isHex(md5hex, 32) {
		return Blob{}, boltdb.Invalid("md5", "%q: want 32 lowercase hex digits", md5hex)
	}
	return bs.put(r, size, func(b Blob) error {
		switch {
		case b.Size != size:
			return &MismatchError{Field: "size", Want: fmt.Sprint(size), Have: fmt.Sprint(b.Size)}
		case b.MD5 != md5hex:
			return &MismatchError{Field: "md5", Want: md5hex, Have: b.MD5}
		}
		return nil
	})
}

func (bs *BlobStore) put(r io.Reader, maxSize int64, accept func(Blob) error) (b Blob, err error) {
	if maxSize < 0 {
		return Blob{}, boltdb.Invalid("maxSize", "%d is negative", maxSize)
	}
	f, err := os.CreateTemp(filepath.Join(bs.dir, "tmp"), "put-*")
	if err != nil {
		return Blob{}, fmt.Errorf("create a temporary file in %s: %w", bs.dir, err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	sha, sum := sha256.New(), md5.New()
	n, err := io.Copy(io.MultiWriter(f, sha, sum), io.LimitReader(r, maxSize+1))
	if err != nil {
		return Blob{}, fmt.Errorf("store file: %w", err)
	}
	if n > maxSize {
		return Blob{}, &TooLargeError{Limit: maxSize}
	}
	b = Blob{Hash: hexSum(sha), MD5: hexSum(sum), Size: n}
	if accept != nil {
		if err := accept(b); err != nil {
			return Blob{}, err
		}
	}
	if err := f.Sync(); err != nil {
		return Blob{}, fmt.Errorf("store file: %w", err)
	}
	if err := f.Close(); err != nil {
		return Blob{}, fmt.Errorf("store file: %w", err)
	}
	final := bs.path(b.Hash)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return Blob{}, fmt.Errorf("store file: %w", err)
	}
	// Renaming over an existing blob is harmless: same name, same bytes.
	if err := os.Rename(f.Name(), final); err != nil {
		return Blob{}, fmt.Errorf("store file: %w", err)
	}
	done = true
	// The rename is durable once the directory is synced too.
	if err := syncDir(filepath.Dir(final)); err != nil {
		return Blob{}, fmt.Errorf("store file: %w", err)
	}
	return b, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

func (bs *BlobStore) path(hash string) string {
	return filepath.Join(bs.dir, hash[:2], hash)
}

// Open opens the blob named hash for reading; the caller closes it. A
// missing blob is a *NotFoundError.
func (bs *BlobStore) Open(hash string) (*os.File, error) {
	if !isHex(hash, 64) {
		return nil, boltdb.Invalid("hash", "%q: want 64 lowercase hex digits (sha256)", hash)
	}
	f, err := os.Open(bs.path(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotFoundError{Kind: "file content", Key: hash}
	}
	return f, err
}
