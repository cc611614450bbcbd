package mgmt

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// Actor names written to the audit log for applicants. Submit is not
// authenticated (the CSR proves the key, not who holds it); modify and
// cancel are signed by the server's current certificate.
func applicantActor(serverID string) string { return "applicant:" + serverID }
func serverActor(serverID string) string    { return "server:" + serverID }

// Submit applies for the registration of a new server (§6.1.1). The CSR
// must verify and name req.ServerID; the store refuses a serverId that is
// taken, retired or has an application pending.
func (s *Service) Submit(_ context.Context, req api.SubmitRequest) (store.Application, error) {
	if err := req.Validate(); err != nil {
		return store.Application{}, invalid(err)
	}
	if _, err := checkCSR([]byte(req.CSR), req.ServerID); err != nil {
		return store.Application{}, err
	}
	return s.st.Submit(applicantActor(req.ServerID), store.Application{
		Kind:     store.KindNew,
		ServerID: req.ServerID,
		Fields: store.ServerFields{
			ServerName:    req.ServerName,
			ServerAddress: req.ServerAddress,
			ContactName:   req.ContactName,
			ContactEmail:  req.ContactEmail,
			ContactMobile: req.ContactMobile,
			ServerType:    req.ServerType,
			Area:          req.Area,
			OwnerID:       req.OwnerID,
		},
		CSR: []byte(req.CSR),
	})
}

// Modify applies to change a registration (§6.1.2) on behalf of origin, the
// authenticated caller, which must be the server itself. A CSR asks for a
// certificate for a new key (rotation on approval).
func (s *Service) Modify(_ context.Context, origin string, req api.ModifyRequest) (store.Application, error) {
	if err := req.Validate(); err != nil {
		return store.Application{}, invalid(err)
	}
	if err := sameServer(origin, req.ServerID); err != nil {
		return store.Application{}, err
	}
	a := store.Application{Kind: store.KindModify, ServerID: req.ServerID}
	c := req.Changes
	for _, f := range []struct {
		name string
		v    *string
		dst  *string
	}{
		{"serverName", c.ServerName, &a.Fields.ServerName},
		{"serverAddress", c.ServerAddress, &a.Fields.ServerAddress},
		{"contactName", c.ContactName, &a.Fields.ContactName},
		{"contactEmail", c.ContactEmail, &a.Fields.ContactEmail},
		{"contactMobile", c.ContactMobile, &a.Fields.ContactMobile},
		{"serverType", c.ServerType, &a.Fields.ServerType},
		{"area", c.Area, &a.Fields.Area},
		{"ownerId", c.OwnerID, &a.Fields.OwnerID},
	} {
		if f.v != nil {
			*f.dst = *f.v
			a.Changed = append(a.Changed, f.name)
		}
	}
	if req.CSR != "" {
		if _, err := checkCSR([]byte(req.CSR), req.ServerID); err != nil {
			return store.Application{}, err
		}
		a.CSR = []byte(req.CSR)
	}
	return s.st.Submit(serverActor(origin), a)
}

// Cancel applies to cancel a registration for good (§6.1.3) on behalf of
// origin, which must be the server itself.
func (s *Service) Cancel(_ context.Context, origin string, req api.CancelRequest) (store.Application, error) {
	if err := req.Validate(); err != nil {
		return store.Application{}, invalid(err)
	}
	if err := sameServer(origin, req.ServerID); err != nil {
		return store.Application{}, err
	}
	return s.st.Submit(serverActor(origin), store.Application{Kind: store.KindCancel, ServerID: req.ServerID, Note: req.Reason})
}

func sameServer(origin, serverID string) error {
	if origin != serverID {
		return fmt.Errorf("%w: %q signed a request about %q: a server applies only for itself", ErrForbidden, origin, serverID)
	}
	return nil
}

// StatusResult is where an application stands, with the certificate its
// approval issued (DER; nil when none).
type StatusResult struct {
	Application store.Application
	Certificate []byte
}

// Status returns the application with this id and, once a registration or
// a key rotation is approved, its certificate. It does not authenticate:
// the caller checks the request against ApplicantKeys first.
func (s *Service) Status(_ context.Context, requestID string) (StatusResult, error) {
	a, err := s.st.GetApplication(requestID)
	if err != nil {
		return StatusResult{}, err
	}
	r := StatusResult{Application: a}
	if a.State == store.StateApproved && a.ResultSerial != "" {
		c, err := s.st.GetCertificate(a.ResultSerial)
		if err != nil {
			return StatusResult{}, fmt.Errorf("application %s: its certificate: %w", requestID, err)
		}
		r.Certificate = c.DER
	}
	return r, nil
}

// ApplicantKeys are the public keys that may read application a: the key
// of its CSR (before any certificate exists it is the applicant's only
// credential) and the key of the server's current certificate. The status
// call must be signed, as a.ServerID, by one of them.
func (s *Service) ApplicantKeys(a store.Application) ([]*ecdsa.PublicKey, error) {
	var keys []*ecdsa.PublicKey
	if len(a.CSR) > 0 {
		csr, err := pki.ParseCSR(a.CSR)
		if err != nil {
			return nil, fmt.Errorf("application %s: stored CSR: %w", a.ID, err)
		}
		if pub, ok := csr.PublicKey.(*ecdsa.PublicKey); ok {
			keys = append(keys, pub)
		}
	}
	c, err := s.st.ServerCertificate(a.ServerID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		cert, err := smx509.ParseCertificate(c.DER)
		if err != nil {
			return nil, fmt.Errorf("certificate %s: %w", c.Serial, err)
		}
		if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); ok {
			keys = append(keys, pub)
		}
	}
	return keys, nil
}

// checkCSR parses a CSR, verifies its self-signature and serverId binding,
// and requires that it names serverID.
func checkCSR(data []byte, serverID string) (*smx509.CertificateRequest, error) {
	csr, err := pki.ParseCSR(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCSR, err)
	}
	id, err := pki.CheckCSR(csr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCSR, err)
	}
	if id != serverID {
		return nil, fmt.Errorf("%w: the CSR is for %q, the application for %q: make the CSR with --server-id %s", ErrCSRServerID, id, serverID, serverID)
	}
	return csr, nil
}
