package store

import (
	"bytes"
	"errors"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// ErrNonceUsed: the (origin, nonce) pair is recorded already.
var ErrNonceUsed = errors.New("nonce already used")

// RememberNonce records that origin signed a request with nonce, until
// expires (the end of its window), so that every replica sharing the store
// refuses the same request again: ErrNonceUsed when the pair is recorded.
// Pairs whose window has passed are dropped in the same transaction, so
// the bucket holds only the last minutes' (the remote admin API's calls,
// a few a minute). It is one compare-and-swap: of two replicas recording
// the same pair at once, one succeeds.
func (s *Store) RememberNonce(origin, nonce string, expires time.Time) error {
	if origin == "" || nonce == "" || bytes.IndexByte([]byte(origin), 0) >= 0 {
		return boltdb.Invalid("nonce", "needs an origin without NUL and a nonce")
	}
	k := append(append([]byte(origin), 0), nonce...)
	return s.update(func(t *txn) error {
		b := t.b(bucketNonces)
		now := uint64(t.now.Unix())
		var expired [][]byte
		if err := b.ForEach(func(key, v []byte) error {
			if len(v) != 8 || boltdb.Btou(v) < now {
				expired = append(expired, bytes.Clone(key))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, key := range expired {
			if err := b.Delete(key); err != nil {
				return err
			}
		}
		if b.Get(k) != nil {
			return ErrNonceUsed
		}
		return b.Put(k, boltdb.U64(uint64(expires.Unix())))
	})
}
