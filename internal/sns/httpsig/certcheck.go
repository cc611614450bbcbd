package httpsig

import (
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
)

// certCache remembers which certificates passed pki.VerifyCertificate for
// which serverId under which CRL, so that a call costs one SM2 verification
// instead of a chain and CRL verification. A new CRL empties it; an entry
// lasts until the certificate's notAfter, or an hour at most (intermediates
// may expire earlier than the leaf). Only successes are kept.
type certCache struct {
	mu       sync.Mutex
	crl      *smx509.RevocationList
	ok       map[certKey]time.Time // -> usable until
	capacity int
}

type certKey struct {
	fingerprint [sha256.Size]byte
	serverID    string
}

const certCacheCapacity = 4096

// check verifies cert for serverID with verify, or finds that it did
// recently. One verifier uses one verify function, so it is not in the key.
func (c *certCache) check(cert *smx509.Certificate, serverID string, opts pki.VerifyOptions, verify func(*smx509.Certificate, string, pki.VerifyOptions) error) error {
	k := certKey{sha256.Sum256(cert.Raw), serverID}
	c.mu.Lock()
	if c.crl != opts.CRL {
		c.crl, c.ok = opts.CRL, nil
	}
	until, hit := c.ok[k]
	c.mu.Unlock()
	if hit && opts.Now.Before(until) {
		return nil
	}
	if err := verify(cert, serverID, opts); err != nil {
		return err
	}
	until = cert.NotAfter
	if limit := opts.Now.Add(time.Hour); limit.Before(until) {
		until = limit
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crl != opts.CRL {
		return nil // the CRL changed meanwhile: don't cache under the new one
	}
	if c.ok == nil {
		c.ok = make(map[certKey]time.Time)
	}
	if len(c.ok) >= c.capacity {
		for old := range c.ok { // drop an arbitrary entry: O(1), good enough for a cache of peers
			delete(c.ok, old)
			break
		}
	}
	c.ok[k] = until
	return nil
}

// certRefusal maps a certificate failure to its refusal.
func certRefusal(serverID string, err error) *AuthError {
	var ce *pki.CertError
	if !errors.As(err, &ce) {
		return refuse(ReasonCertInvalid, "the certificate of %q failed verification: %v", serverID, err)
	}
	switch ce.Reason {
	case pki.ReasonExpired, pki.ReasonNotYetValid:
		return refuse(ReasonCertExpired, "the certificate of %q is outside its validity period (%v): the server must renew it", serverID, ce.Err)
	case pki.ReasonRevoked:
		return refuse(ReasonCertRevoked, "the certificate of %q is revoked (%v)", serverID, ce.Err)
	case pki.ReasonCRLInvalid:
		return refuse(ReasonCRLUnavailable, "the CRL cannot be used to check %q (%v): the verifying server must fetch a valid CRL", serverID, ce.Err)
	default:
		return refuse(ReasonCertInvalid, "the certificate of %q is not acceptable: %v", serverID, err)
	}
}
