package mgmt

import (
	"context"
	"fmt"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// Requests lists the applications f selects, oldest first.
func (s *Service) Requests(_ context.Context, f store.ApplicationFilter) ([]store.Application, error) {
	return s.st.ListApplications(f)
}

// Request returns one application.
func (s *Service) Request(_ context.Context, id string) (store.Application, error) {
	return s.st.GetApplication(id)
}

// Approve decides a pending application and applies it:
//   - a registration: the CA issues the certificate from its CSR and the
//     server is created with status 0;
//   - a modification: its fields change; with a CSR a new certificate is
//     issued and the previous one revoked (superseded);
//   - a cancellation: status 2, the certificate revoked, the serverId
//     retired forever.
//
// The store's compare-and-swap makes exactly one of concurrent approvals
// win; the others get store.ErrAlreadyDecided and their certificate, never
// published, is discarded. When the application needs the CA key and it
// can't be loaded, nothing changes (ErrCAUnavailable). When approval
// revoked a certificate, a new CRL is published before Approve returns; if
// that fails the approval stands and the error says to publish the CRL.
func (s *Service) Approve(_ context.Context, id, reviewer, note string) (store.Application, error) {
	a, err := s.st.GetApplication(id)
	if err != nil {
		return store.Application{}, err
	}
	if a.State != store.StatePending {
		return store.Application{}, &store.AlreadyDecidedError{ID: id, State: a.State, Reviewer: a.Reviewer}
	}
	revokes := a.Kind == store.KindCancel || (a.Kind == store.KindModify && len(a.CSR) > 0)
	var authority *ca.CA
	if a.NeedsCertificate() || revokes {
		if authority, err = s.CA(); err != nil {
			return store.Application{}, fmt.Errorf("approving %s needs the CA key: %w", id, err)
		}
	}
	ap := store.Approval{Reviewer: reviewer, Reason: note}
	if a.NeedsCertificate() {
		if ap.Certificate, err = s.issue(authority, a.CSR, a.ServerID, s.opts.CertValidity); err != nil {
			return store.Application{}, fmt.Errorf("approving %s: %w", id, err)
		}
	}
	a, err = s.st.Approve(id, ap)
	if err != nil {
		return store.Application{}, err
	}
	s.changed()
	if revokes {
		if _, err := s.RegenerateCRL(context.Background(), reviewer); err != nil {
			return a, fmt.Errorf("%s approved, but publishing the new CRL failed: %w; publish it with `imictl ca crl --regenerate`", id, err)
		}
	}
	return a, nil
}

// Reject refuses a pending application; reason is shown to the applicant.
func (s *Service) Reject(_ context.Context, id, reviewer, reason string) (store.Application, error) {
	return s.st.Reject(id, reviewer, reason)
}

// issue checks a CSR for serverID and has the CA make a certificate from
// it, returned as the store's record (not stored yet).
func (s *Service) issue(c *ca.CA, csrPEM []byte, serverID string, validity time.Duration) (*store.Certificate, error) {
	csr, err := checkCSR(csrPEM, serverID)
	if err != nil {
		return nil, err
	}
	der, err := c.Issue(csr, validity, s.opts.Now(), s.opts.CRLURLs)
	if err != nil {
		return nil, fmt.Errorf("issuing the certificate: %w", err)
	}
	return certRecord(der)
}

// certRecord is the store's record of a certificate the CA just made.
func certRecord(der []byte) (*store.Certificate, error) {
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing the certificate just issued: %w", err)
	}
	id, err := pki.ServerIDFromCertificate(cert)
	if err != nil {
		return nil, err
	}
	return &store.Certificate{
		Serial:    pki.SerialHex(cert.SerialNumber),
		ServerID:  id,
		DER:       der,
		NotBefore: cert.NotBefore,
		NotAfter:  cert.NotAfter,
	}, nil
}
