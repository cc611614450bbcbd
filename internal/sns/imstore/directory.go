package imstore

import (
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
	"github.com/imictl/imictl/internal/ids"
)

// DirEntry is one server of the management server's directory (M1), as
// cached here. Status is the management server's (0 normal; others mean
// suspended or cancelled).
type DirEntry struct {
	ServerID   string    `json:"serverId"`
	ServerName string    `json:"serverName,omitempty"`
	Address    string    `json:"address,omitempty"`
	Status     int       `json:"status"`
	CertPEM    string    `json:"certPEM,omitempty"`
	UpdatedAt  time.Time `json:"updatedAt"` // when this cache last stored it
}

// maxCertPEM bounds a cached certificate.
const maxCertPEM = 64 << 10

func checkDirEntry(e DirEntry) error {
	if err := ids.ValidateServerID(e.ServerID); err != nil {
		return boltdb.Invalid("serverId", "%v", err)
	}
	if err := checkText("serverName", e.ServerName, maxNameLen, false); err != nil {
		return err
	}
	if err := checkText("address", e.Address, maxPortraitLen, false); err != nil {
		return err
	}
	if len(e.CertPEM) > maxCertPEM {
		return boltdb.Invalid("certPEM", "%d bytes, at most %d", len(e.CertPEM), maxCertPEM)
	}
	return nil
}

// PutDirectory stores the entries of one M1 answer and its serverTime, the
// lastQueryTime of the next query, in one transaction: the cursor never
// runs ahead of the entries it covers. Entries replace earlier ones with
// the same serverId; a bad entry refuses the whole answer.
func (s *Store) PutDirectory(entries []DirEntry, serverTime int64) error {
	if serverTime < 0 {
		return boltdb.Invalid("serverTime", "%d is negative", serverTime)
	}
	for i, e := range entries {
		if err := checkDirEntry(e); err != nil {
			return fmt.Errorf("directory entry %d: %w", i+1, err)
		}
	}
	return s.update(func(t *txn) error {
		b := t.b(bucketDirectory)
		for _, e := range entries {
			e.UpdatedAt = t.now
			if err := boltdb.Put(b, []byte(e.ServerID), e); err != nil {
				return err
			}
		}
		return t.b(bucketMeta).Put(keyDirCursor, boltdb.U64(uint64(serverTime)))
	})
}

// GetDirEntry returns the cached entry of serverID, or a *NotFoundError.
func (s *Store) GetDirEntry(serverID string) (DirEntry, error) {
	var e DirEntry
	err := s.view(func(t *txn) error {
		var ok bool
		var err error
		if e, ok, err = boltdb.Get[DirEntry](t.b(bucketDirectory), []byte(serverID)); err != nil {
			return fmt.Errorf("directory entry %s: %w", serverID, err)
		}
		if !ok {
			return &NotFoundError{Kind: "directory entry", Key: serverID}
		}
		return nil
	})
	return e, err
}

// ListDirectory returns every cached entry ordered by serverId.
func (s *Store) ListDirectory() ([]DirEntry, error) {
	var out []DirEntry
	err := s.view(func(t *txn) error {
		return t.b(bucketDirectory).ForEach(func(k, v []byte) error {
			e, err := boltdb.Decode[DirEntry](v)
			if err != nil {
				return fmt.Errorf("directory entry %s: %w", k, err)
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// DirectoryCursor is the serverTime of the last stored M1 answer, to send
// as lastQueryTime; 0 before the first (a full query).
func (s *Store) DirectoryCursor() (int64, error) {
	var c int64
	err := s.view(func(t *txn) error {
		if v := t.b(bucketMeta).Get(keyDirCursor); len(v) == 8 {
			c = int64(boltdb.Btou(v))
		}
		return nil
	})
	return c, err
}

// DirectorySize is the number of cached entries.
func (s *Store) DirectorySize() (int, error) {
	n := 0
	err := s.view(func(t *txn) error {
		n = t.b(bucketDirectory).Stats().KeyN
		return nil
	})
	return n, err
}
