package store

import (
	"fmt"
	"time"

	"github.com/imictl/imictl/internal/boltdb"
)

// CRL is the current certificate revocation list, as the CA signed it.
type CRL struct {
	Number     uint64    `json:"number"` // the CRLNumber extension; increases with every CRL
	DER        []byte    `json:"der"`
	ThisUpdate time.Time `json:"thisUpdate"`
	NextUpdate time.Time `json:"nextUpdate"`
}

// PutCRL replaces the current CRL, as a compare-and-swap on its number: a
// CRL whose number is not greater than the current one's is refused
// (ErrStaleCRL), so two CAs racing cannot publish an older list last.
func (s *Store) PutCRL(actor string, crl CRL) error {
	if err := requireActor(actor); err != nil {
		return err
	}
	if len(crl.DER) == 0 {
		return boltdb.Invalid("CRL DER", "empty")
	}
	if crl.Number == 0 {
		return boltdb.Invalid("CRL number", "0; numbers start at 1")
	}
	return s.update(func(t *txn) error {
		b := t.b(bucketCRL)
		cur, ok, err := boltdb.Get[CRL](b, keyCurrentCRL)
		if err != nil {
			return fmt.Errorf("current CRL: %w", err)
		}
		if ok && crl.Number <= cur.Number {
			return fmt.Errorf("%w: number %d, current %d; build the CRL again from the current number", ErrStaleCRL, crl.Number, cur.Number)
		}
		if err := boltdb.Put(b, keyCurrentCRL, crl); err != nil {
			return err
		}
		return t.audit(actor, ActionCRLPublish, fmt.Sprintf("crl %d", crl.Number), "next update "+crl.NextUpdate.UTC().Format(time.RFC3339))
	})
}

// CurrentCRL returns the CRL last stored by PutCRL; ErrNotFound before the first.
func (s *Store) CurrentCRL() (CRL, error) {
	var crl CRL
	err := s.view(func(t *txn) error {
		var ok bool
		var err error
		crl, ok, err = boltdb.Get[CRL](t.b(bucketCRL), keyCurrentCRL)
		if err == nil && !ok {
			err = &NotFoundError{Kind: "CRL"}
		}
		return err
	})
	return crl, err
}
