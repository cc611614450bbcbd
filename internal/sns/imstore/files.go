package imstore

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
	"github.com/imictl/imictl/internal/ids"
)

// FileMeta describes a file this server holds: one a local user uploaded
// (Local, we are the origin) or one downloaded from its origin with S2 and
// cached. Its bytes are the blob named ContentHash in the BlobStore.
type FileMeta struct {
	FileID      string    `json:"fileID"` // "xxxx@origin"
	Name        string    `json:"name,omitempty"`
	Size        int64     `json:"size"`
	MD5         string    `json:"md5"`         // lowercase hex, as sent in message content
	ContentHash string    `json:"contentHash"` // sha256 lowercase hex: the blob's name
	Origin      string    `json:"origin"`      // server part of FileID
	Local       bool      `json:"local"`
	CachedAt    time.Time `json:"cachedAt"` // when the bytes were stored here
}

// NewID makes a fresh id "xxxx@serverID" (a messageID or fileID) with 128
// random bits, unguessable so that ids cannot be probed.
func NewID(serverID string) (string, error) {
	if err := ids.ValidateServerID(serverID); err != nil {
		return "", boltdb.Invalid("serverID", "%v", err)
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]) + "@" + serverID, nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func checkFile(m *FileMeta) error {
	var err error
	if m.FileID, err = canonicalFileID(m.FileID); err != nil {
		return err
	}
	if m.Origin, err = OriginOf(m.FileID); err != nil {
		return err
	}
	if err := checkText("name", m.Name, maxNameLen, false); err != nil {
		return err
	}
	if m.Size < 0 {
		return boltdb.Invalid("size", "%d is negative", m.Size)
	}
	if !isHex(m.MD5, 32) {
		return boltdb.Invalid("md5", "%q: want 32 lowercase hex digits", m.MD5)
	}
	if !isHex(m.ContentHash, 64) {
		return boltdb.Invalid("contentHash", "%q: want 64 lowercase hex digits (sha256)", m.ContentHash)
	}
	return nil
}

func canonicalFileID(id string) (string, error) {
	c, _, err := canonicalAddress("fileID", id)
	return c, err
}

// PutFile records a stored file's metadata; Origin and CachedAt are set
// here. An existing fileID is refused (*ExistsError) unless the new record
// describes the same bytes (same size, md5 and content hash), in which case
// the stored record is returned unchanged: a second download of a file
// racing the first is harmless.
func (s *Store) PutFile(m FileMeta) (FileMeta, error) {
	if err := checkFile(&m); err != nil {
		return FileMeta{}, err
	}
	err := s.update(func(t *txn) error {
		b := t.b(bucketFiles)
		old, ok, err := boltdb.Get[FileMeta](b, []byte(m.FileID))
		if err != nil {
			return fmt.Errorf("file %s: %w", m.FileID, err)
		}
		if ok {
			if old.Size == m.Size && old.MD5 == m.MD5 && old.ContentHash == m.ContentHash {
				m = old
				return nil
			}
			return &ExistsError{Kind: "file", Key: m.FileID}
		}
		m.CachedAt = t.now
		return boltdb.Put(b, []byte(m.FileID), m)
	})
	if err != nil {
		return FileMeta{}, err
	}
	return m, nil
}

// GetFile returns a file's metadata, or a *NotFoundError when this server
// does not hold it (not uploaded here, or not downloaded yet).
func (s *Store) GetFile(fileID string) (FileMeta, error) {
	var m FileMeta
	err := s.view(func(t *txn) error {
		var ok bool
		var err error
		if m, ok, err = boltdb.Get[FileMeta](t.b(bucketFiles), []byte(fileID)); err != nil {
			return fmt.Errorf("file %s: %w", fileID, err)
		}
		if !ok {
			return &NotFoundError{Kind: "file", Key: fileID}
		}
		return nil
	})
	return m, err
}

// AllowDownload lets serverID download fileID with S2. Enqueueing a Send
// with a FileID does this in the same transaction; call it directly only
// for other cases (e.g. a group's main server re-hosting a member's file).
func (s *Store) AllowDownload(fileID, serverID string) error {
	fileID, err := canonicalFileID(fileID)
	if err != nil {
		return err
	}
	if serverID, err = canonicalDestination("serverID", serverID); err != nil {
		return err
	}
	return s.update(func(t *txn) error {
		return t.b(bucketFileRecipients).Put(key(fileID, serverID), nil)
	})
}

// MayDownload reports whether serverID (the authenticated caller of S2)
// was sent a message carrying fileID. Anyone else is refused.
func (s *Store) MayDownload(fileID, serverID string) (bool, error) {
	fileID, err := canonicalFileID(fileID)
	if err != nil {
		return false, nil
	}
	if serverID, err = canonicalDestination("serverID", serverID); err != nil {
		return false, nil
	}
	ok := false
	err = s.view(func(t *txn) error {
		ok = t.b(bucketFileRecipients).Get(key(fileID, serverID)) != nil
		return nil
	})
	return ok, err
}
