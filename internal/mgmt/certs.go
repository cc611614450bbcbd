package mgmt

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// ActorCRLRefresh is the actor of CRLs the server republishes on its own.
const ActorCRLRefresh = "system:crl-refresh"

// Certificates lists the certificates f selects.
func (s *Service) Certificates(_ context.Context, f store.CertFilter) ([]store.Certificate, error) {
	return s.st.ListCertificates(f)
}

// Certificate returns one certificate; serial is hex in any form
// pki.ParseSerial reads (colons, 0x, either case).
func (s *Service) Certificate(_ context.Context, serial string) (store.Certificate, error) {
	hex, err := normalSerial(serial)
	if err != nil {
		return store.Certificate{}, err
	}
	return s.st.GetCertificate(hex)
}

// CertificatePEM is a stored certificate in PEM.
func CertificatePEM(c store.Certificate) []byte { return pki.EncodeCertificatePEM(c.DER) }

// SignCSR issues a certificate outside any application (`imictl ca sign`)
// and records it, so that it can be listed and revoked. validity 0 means
// the default. It creates no server record: the certificate identifies its
// serverId only once a server with that id is registered with it.
func (s *Service) SignCSR(_ context.Context, csrPEM []byte, validity time.Duration, actor string) (store.Certificate, error) {
	csr, err := pki.ParseCSR(csrPEM)
	if err != nil {
		return store.Certificate{}, fmt.Errorf("%w: %w", ErrInvalidCSR, err)
	}
	id, err := pki.CheckCSR(csr)
	if err != nil {
		return store.Certificate{}, fmt.Errorf("%w: %w", ErrInvalidCSR, err)
	}
	c, err := s.CA()
	if err != nil {
		return store.Certificate{}, err
	}
	if validity <= 0 {
		validity = s.opts.CertValidity
	}
	rec, err := s.issue(c, csrPEM, id, validity)
	if err != nil {
		return store.Certificate{}, err
	}
	return s.st.RecordCertificate(actor, *rec)
}

// SignAdminCSR issues the certificate of administrator name from a CSR
// (`imictl ca sign --admin`) and records it: listed, revocable and on the
// CRL like any other, under its administrator rather than a serverId.
func (s *Service) SignAdminCSR(_ context.Context, csrPEM []byte, name string, validity time.Duration, actor string) (store.Certificate, error) {
	csr, err := pki.ParseCSR(csrPEM)
	if err != nil {
		return store.Certificate{}, fmt.Errorf("%w: %w", ErrInvalidCSR, err)
	}
	if _, err := pki.CheckAdminCSR(csr, name); err != nil {
		return store.Certificate{}, fmt.Errorf("%w: %w", ErrInvalidCSR, err)
	}
	c, err := s.CA()
	if err != nil {
		return store.Certificate{}, err
	}
	if validity <= 0 {
		validity = pki.DefaultAdminCertValidity
	}
	der, err := c.IssueAdmin(csr, name, validity, s.opts.Now(), s.opts.CRLURLs)
	if err != nil {
		return store.Certificate{}, fmt.Errorf("issuing the certificate: %w", err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		return store.Certificate{}, fmt.Errorf("parsing the certificate just issued: %w", err)
	}
	return s.st.RecordCertificate(actor, store.Certificate{
		Serial: pki.SerialHex(cert.SerialNumber), Admin: name, DER: der, NotBefore: cert.NotBefore, NotAfter: cert.NotAfter,
	})
}

// Revoke revokes a certificate with an RFC 5280 reason code and publishes
// a new CRL. The server record is left alone: suspend the server too if it
// must stop being used at once, before relying peers fetch the CRL.
func (s *Service) Revoke(ctx context.Context, serial string, reason int, actor string) (store.Certificate, error) {
	hex, err := normalSerial(serial)
	if err != nil {
		return store.Certificate{}, err
	}
	if _, err := s.CA(); err != nil { // before the store changes: the CRL must follow
		return store.Certificate{}, fmt.Errorf("revoking needs the CA key to sign the CRL: %w", err)
	}
	cert, err := s.st.RevokeCertificate(actor, hex, reason)
	if err != nil {
		return cert, err
	}
	if _, err := s.RegenerateCRL(ctx, actor); err != nil {
		return cert, fmt.Errorf("%s revoked, but publishing the new CRL failed: %w; publish it with `imictl ca crl --regenerate`", hex, err)
	}
	return cert, nil
}

func normalSerial(serial string) (string, error) {
	n, err := pki.ParseSerial(serial)
	if err != nil {
		return "", &store.ValidationError{Field: "serial", Problem: err.Error()}
	}
	return pki.SerialHex(n), nil
}

// CRL returns the current CRL (store.ErrNotFound before the first).
func (s *Service) CRL(context.Context) (store.CRL, error) { return s.st.CurrentCRL() }

// RegenerateCRL signs and publishes a new CRL listing every revoked
// certificate that has not expired, numbered one more than the current one.
func (s *Service) RegenerateCRL(_ context.Context, actor string) (store.CRL, error) {
	c, err := s.CA()
	if err != nil {
		return store.CRL{}, err
	}
	s.crlMu.Lock()
	defer s.crlMu.Unlock()
	// With bbolt no other process can publish concurrently (the file is
	// locked while this one is open); replicas on etcd can. The retries
	// cover a CRL published between our read and write: the next attempt
	// numbers after it and lists every revocation committed before it.
	for attempt := 0; ; attempt++ {
		crl, err := s.makeCRL(c.Root)
		if err != nil {
			return store.CRL{}, err
		}
		err = s.st.PutCRL(actor, crl)
		if err == nil {
			if s.opts.CRLPublished != nil {
				s.opts.CRLPublished(crl)
			}
			return crl, nil
		}
		if !errors.Is(err, store.ErrStaleCRL) || attempt >= crlAttempts {
			return store.CRL{}, err
		}
	}
}

// crlAttempts bounds RegenerateCRL's retries after a concurrent publication.
const crlAttempts = 5

func (s *Service) makeCRL(root pki.Issuer) (store.CRL, error) {
	number := uint64(1)
	switch cur, err := s.st.CurrentCRL(); {
	case err == nil:
		number = cur.Number + 1
	case !errors.Is(err, store.ErrNotFound):
		return store.CRL{}, err
	}
	revs, err := s.st.Revocations()
	if err != nil {
		return store.CRL{}, err
	}
	now := s.opts.Now()
	var entries []pki.Revoked
	for _, r := range revs {
		if r.NotAfter.Before(now) {
			continue // RFC 5280 §5: an expired certificate may leave the CRL
		}
		n, err := pki.ParseSerial(r.Serial)
		if err != nil {
			return store.CRL{}, fmt.Errorf("revocation of %q: %w", r.Serial, err)
		}
		entries = append(entries, pki.Revoked{Serial: n, RevokedAt: r.RevokedAt, ReasonCode: r.Reason})
	}
	next := now.Add(s.opts.CRLValidity)
	der, err := root.CreateCRL(entries, new(big.Int).SetUint64(number), now, next)
	if err != nil {
		return store.CRL{}, fmt.Errorf("signing the CRL: %w", err)
	}
	return store.CRL{Number: number, DER: der, ThisUpdate: now, NextUpdate: next}, nil
}

// CRLDue reports whether the CRL should be republished: there is none, or
// half of its validity has passed. The server checks it periodically.
func (s *Service) CRLDue() (bool, error) {
	cur, err := s.st.CurrentCRL()
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	half := cur.ThisUpdate.Add(cur.NextUpdate.Sub(cur.ThisUpdate) / 2)
	return !s.opts.Now().Before(half), nil
}
