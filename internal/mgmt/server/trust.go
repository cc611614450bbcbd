package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// storeResolver is the directory as the management server itself sees it:
// straight from its store, so a suspension or a rotation takes effect on
// the next call. The management server's own identity is included.
type storeResolver struct {
	st   *store.Store
	self *httpsig.ServerInfo

	mu    sync.Mutex
	certs map[string]*smx509.Certificate // parsed certificates by serial
}

// maxParsedCerts bounds storeResolver's cache; it is emptied when full.
const maxParsedCerts = 4096

func newStoreResolver(st *store.Store, self *httpsig.ServerInfo) *storeResolver {
	return &storeResolver{st: st, self: self, certs: map[string]*smx509.Certificate{}}
}

func (r *storeResolver) Resolve(_ context.Context, serverID string) (*httpsig.ServerInfo, error) {
	if serverID == r.self.ServerID {
		return r.self, nil
	}
	srv, err := r.st.GetServer(serverID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w %q", httpsig.ErrUnknownServer, serverID)
	}
	if err != nil {
		return nil, err
	}
	info := &httpsig.ServerInfo{ServerID: srv.ServerID, Status: int(srv.Status), Address: srv.ServerAddress}
	if srv.CertSerial == "" {
		return info, nil
	}
	if info.Certificate, err = r.certificate(srv.CertSerial); err != nil {
		return nil, err
	}
	return info, nil
}

func (r *storeResolver) certificate(serial string) (*smx509.Certificate, error) {
	r.mu.Lock()
	cert := r.certs[serial]
	r.mu.Unlock()
	if cert != nil {
		return cert, nil
	}
	rec, err := r.st.GetCertificate(serial)
	if err != nil {
		return nil, err
	}
	if cert, err = smx509.ParseCertificate(rec.DER); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", serial, err)
	}
	r.mu.Lock()
	if len(r.certs) >= maxParsedCerts {
		clear(r.certs)
	}
	r.certs[serial] = cert
	r.mu.Unlock()
	return cert, nil
}

// crlState is the CRL the server's verifier checks certificates against:
// the one the Service publishes (set), parsed once.
type crlState struct {
	now func() time.Time

	mu  sync.RWMutex
	crl *smx509.RevocationList
}

// set switches to a newly published CRL; an older number is ignored.
func (c *crlState) set(rec store.CRL) error {
	crl, err := pki.ParseCRL(rec.DER)
	if err != nil {
		return fmt.Errorf("the stored CRL %d: %w", rec.Number, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crl == nil || c.crl.Number == nil || crl.Number == nil || crl.Number.Cmp(c.crl.Number) > 0 {
		c.crl = crl
	}
	return nil
}

// Current implements httpsig.CRLProvider with the stale policy of
// httpsig.CRLHolder: an expired CRL is not used.
func (c *crlState) Current() (*smx509.RevocationList, error) {
	c.mu.RLock()
	crl := c.crl
	c.mu.RUnlock()
	switch {
	case crl == nil:
		return nil, errors.New("the management server has published no CRL yet")
	case c.now().After(crl.NextUpdate):
		return nil, fmt.Errorf("the management server's CRL expired at %s and was not renewed: check its log", crl.NextUpdate.UTC().Format(time.RFC3339))
	}
	return crl, nil
}
