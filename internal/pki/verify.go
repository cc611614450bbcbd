package pki

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

// Reason is a stable, machine-readable cause of a certificate failure.
type Reason string

// The reasons VerifyCertificate reports.
const (
	ReasonExpired          Reason = "expired"
	ReasonNotYetValid      Reason = "not_yet_valid"
	ReasonUnknownAuthority Reason = "unknown_authority"
	ReasonRevoked          Reason = "revoked"
	ReasonWrongServerID    Reason = "wrong_server_id"
	ReasonBadSignature     Reason = "bad_signature"
	ReasonBadKeyUsage      Reason = "bad_key_usage"
	ReasonCRLInvalid       Reason = "crl_invalid"
	ReasonMalformed        Reason = "malformed"
)

// CertError is a certificate verification failure with its Reason.
type CertError struct {
	Reason Reason
	Err    error
}

func (e *CertError) Error() string { return fmt.Sprintf("%s: %v", e.Reason, e.Err) }
func (e *CertError) Unwrap() error { return e.Err }

func certErr(r Reason, format string, args ...any) *CertError {
	return &CertError{Reason: r, Err: fmt.Errorf(format, args...)}
}

// VerifyOptions says what a certificate must satisfy.
type VerifyOptions struct {
	Roots         *smx509.CertPool
	Intermediates *smx509.CertPool       // optional
	CRL           *smx509.RevocationList // optional; issued by the leaf's issuer
	ServerID      string                 // optional: the serverId it must name (any bound one otherwise)
	Now           time.Time              // zero means time.Now()
}

// VerifyCertificate checks an IM server certificate: validity at Now, chain to
// Roots, key usage (digitalSignature, and serverAuth or clientAuth), the
// serverId binding (a certificate that names no serverId identifies no IM
// server: malformed; one naming another than opts.ServerID, when given:
// wrong_server_id), and revocation against the CRL when opts.CRL is given.
// Failures are *CertError.
func VerifyCertificate(cert *smx509.Certificate, opts VerifyOptions) error {
	chain, err := verifyChain(cert, opts, smx509.ExtKeyUsageServerAuth, smx509.ExtKeyUsageClientAuth)
	if err != nil {
		return err
	}
	id, err := ServerIDFromCertificate(cert)
	if err != nil {
		return &CertError{Reason: ReasonMalformed, Err: err}
	}
	if opts.ServerID != "" && id != opts.ServerID {
		return certErr(ReasonWrongServerID, "certificate is for serverId %q, not %q", id, opts.ServerID)
	}
	return revocation(cert, chain, opts)
}

// revocation checks cert against opts.CRL, when given.
func revocation(cert *smx509.Certificate, chain []*smx509.Certificate, opts VerifyOptions) error {
	if opts.CRL == nil {
		return nil
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	return checkRevocation(cert, chain, opts.CRL, now)
}

// verifyChain runs the checks every profile shares: validity at opts.Now,
// a chain to opts.Roots allowing one of usages, digitalSignature, and
// the leaf issued by a root, not one. It returns the chain.
func verifyChain(cert *smx509.Certificate, opts VerifyOptions, usages ...smx509.ExtKeyUsage) ([]*smx509.Certificate, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	// Validity first: smx509 folds it into an opaque chain error.
	if now.Before(cert.NotBefore) {
		return nil, certErr(ReasonNotYetValid, "certificate %s is not valid before %s", describeCert(cert), cert.NotBefore.UTC().Format(time.RFC3339))
	}
	if now.After(cert.NotAfter) {
		return nil, certErr(ReasonExpired, "certificate %s expired at %s", describeCert(cert), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	if opts.Roots == nil {
		return nil, certErr(ReasonUnknownAuthority, "no trusted root was given")
	}
	chains, err := cert.Verify(smx509.VerifyOptions{
		Roots:         opts.Roots,
		Intermediates: opts.Intermediates,
		CurrentTime:   now,
		KeyUsages:     usages,
	})
	if err != nil {
		return nil, classifyChainError(cert, err)
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&smx509.KeyUsageDigitalSignature == 0 {
		return nil, certErr(ReasonBadKeyUsage, "certificate %s may not sign (no digitalSignature key usage)", describeCert(cert))
	}
	// smx509 trusts a certificate found in Roots as a chain of its own; a
	// leaf must be issued by a root, not be one.
	chain := issuedChain(chains)
	if chain == nil {
		return nil, certErr(ReasonUnknownAuthority, "certificate %s is itself in the trusted roots, not issued by one of them (wrong --root?)", describeCert(cert))
	}
	return chain, nil
}

// issuedChain returns the first chain in which the certificate has an
// issuer, or nil.
func issuedChain(chains [][]*smx509.Certificate) []*smx509.Certificate {
	for _, c := range chains {
		if len(c) >= 2 {
			return c
		}
	}
	return nil
}

func classifyChainError(cert *smx509.Certificate, err error) error {
	var unknown smx509.UnknownAuthorityError
	var invalid smx509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown) && strings.Contains(err.Error(), "possibly because of"):
		// A root of the right name exists but its key did not sign this.
		return &CertError{Reason: ReasonBadSignature, Err: fmt.Errorf("certificate %s names a trusted issuer but its signature does not verify: %w", describeCert(cert), err)}
	case errors.As(err, &unknown):
		return &CertError{Reason: ReasonUnknownAuthority, Err: fmt.Errorf("certificate %s was not issued by a trusted root (wrong --root?): %w", describeCert(cert), err)}
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case smx509.Expired:
			return &CertError{Reason: ReasonExpired, Err: err}
		case smx509.IncompatibleUsage:
			return &CertError{Reason: ReasonBadKeyUsage, Err: err}
		}
	}
	return &CertError{Reason: ReasonBadSignature, Err: fmt.Errorf("certificate %s: %w", describeCert(cert), err)}
}

// checkRevocation looks the leaf's serial up in a CRL that its own issuer
// signed, and refuses a CRL past its nextUpdate: stale revocation data must
// not pass silently.
func checkRevocation(cert *smx509.Certificate, chain []*smx509.Certificate, crl *smx509.RevocationList, now time.Time) error {
	issuer := chain[1] // VerifyCertificate only passes chains with an issuer
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return certErr(ReasonCRLInvalid, "the CRL was not signed by the certificate's issuer %s: %v", issuer.Subject.CommonName, err)
	}
	if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
		return certErr(ReasonCRLInvalid, "the CRL is stale: its nextUpdate %s has passed; fetch a fresh one", crl.NextUpdate.UTC().Format(time.RFC3339))
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			return certErr(ReasonRevoked, "certificate %s (serial %s) was revoked at %s (reason %s)",
				describeCert(cert), SerialHex(cert.SerialNumber), e.RevocationTime.UTC().Format(time.RFC3339), RevocationReasonName(e.ReasonCode))
		}
	}
	return nil
}

func describeCert(c *smx509.Certificate) string {
	if c.Subject.CommonName != "" {
		return fmt.Sprintf("%q", c.Subject.CommonName)
	}
	return "serial " + SerialHex(c.SerialNumber)
}
