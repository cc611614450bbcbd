package pki

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/ids"
)

// An administrator certificate authenticates a person calling the
// management server's remote admin API (docs/PROTOCOL.md §2.1). Its
// profile is disjoint from a server's, so that neither can pass for the
// other: subject CN = the administrator's name, one URI SAN
// urn:imi:admin:<name> and no urn:imi:server: SAN, key usage
// digitalSignature only, extended key usage clientAuth only, not a CA, and
// a short validity.

// DefaultAdminCertValidity is the validity of an administrator certificate
// unless the issuer says otherwise: short, since a person's key is more
// exposed than a server's.
const DefaultAdminCertValidity = 90 * 24 * time.Hour

// adminURIPrefix names an administrator in a certificate's URI SAN.
const adminURIPrefix = "urn:imi:admin:"

// ReasonNotAdmin is VerifyAdminCertificate's reason for a certificate of
// another profile (a server's, above all).
const ReasonNotAdmin Reason = "not_admin"

// ValidateAdminName applies the serverId rule to administrator names
// (letters, digits, '_' and '-', at most 64): they travel in the same
// places (keyids, audit actors).
func ValidateAdminName(name string) error {
	if ids.ValidateServerID(name) == nil {
		return nil
	}
	if name == "" {
		return errors.New("the administrator's name is empty: give one such as alice")
	}
	return fmt.Errorf("administrator name %q is invalid: 1-64 letters, digits, '_' or '-' only (e.g. alice)", name)
}

// AdminURI is the URI SAN that names administrator name.
func AdminURI(name string) *url.URL {
	return &url.URL{Scheme: "urn", Opaque: strings.TrimPrefix(adminURIPrefix, "urn:") + name}
}

func adminNameFromURIs(uris []*url.URL) []string {
	var found []string
	for _, u := range uris {
		if s := u.String(); strings.HasPrefix(s, adminURIPrefix) {
			found = append(found, strings.TrimPrefix(s, adminURIPrefix))
		}
	}
	return found
}

// AdminNameFromCertificate returns the administrator a certificate names,
// if it has the administrator profile; the error says what differs.
func AdminNameFromCertificate(c *smx509.Certificate) (string, error) {
	names := adminNameFromURIs(c.URIs)
	switch {
	case len(serverIDFromURIs(c.URIs)) > 0:
		return "", fmt.Errorf("certificate %s names an IM server (urn:imi:server: URI SAN): it is a server's certificate, not an administrator's; issue one with `imictl ca sign --admin NAME`", describeCert(c))
	case len(names) != 1:
		return "", fmt.Errorf("certificate %s has %d %s<name> URI SANs, not one: it is not an administrator certificate (`imictl ca sign --admin NAME` issues those)", describeCert(c), len(names), adminURIPrefix)
	case ValidateAdminName(names[0]) != nil:
		return "", fmt.Errorf("certificate %s: %w", describeCert(c), ValidateAdminName(names[0]))
	case c.Subject.CommonName != names[0]:
		return "", fmt.Errorf("certificate %s: subject CN differs from the administrator %q of its URI SAN", describeCert(c), names[0])
	case c.IsCA:
		return "", fmt.Errorf("certificate %s is a CA certificate, not an administrator's", describeCert(c))
	case len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != smx509.ExtKeyUsageClientAuth || len(c.UnknownExtKeyUsage) > 0:
		return "", fmt.Errorf("certificate %s: an administrator certificate has the extended key usage clientAuth and nothing else", describeCert(c))
	}
	return names[0], nil
}

// CheckAdminCSR verifies a request's self-signature and that it may become
// the certificate of administrator name: it names no IM server (a server's
// key is never also a person's), and its subject CN and administrator URI
// SAN, if it has them, say name. It returns the request's key.
func CheckAdminCSR(csr *smx509.CertificateRequest, name string) (*ecdsa.PublicKey, error) {
	if err := ValidateAdminName(name); err != nil {
		return nil, err
	}
	if err := CheckCSRSignature(csr); err != nil {
		return nil, err
	}
	if ids := serverIDFromURIs(csr.URIs); len(ids) > 0 {
		return nil, fmt.Errorf("the CSR names IM server %q: an administrator's key must be a key of its own; make one with `imictl key gen` and `imictl csr create --admin %s`", ids[0], name)
	}
	if cn := csr.Subject.CommonName; cn != "" && cn != name {
		return nil, fmt.Errorf("the CSR's subject CN is %q, not the administrator %q: check --admin, or make the CSR again", cn, name)
	}
	for _, n := range adminNameFromURIs(csr.URIs) {
		if n != name {
			return nil, fmt.Errorf("the CSR names administrator %q, not %q: check --admin, or make the CSR again", n, name)
		}
	}
	return csr.PublicKey.(*ecdsa.PublicKey), nil // CheckCSRSignature checked the type
}

// AdminNameFromCSR returns the administrator a request names, when it is
// an administrator's: one urn:imi:admin: URI SAN, no serverId, the CN equal
// to the name. It does not check the signature.
func AdminNameFromCSR(csr *smx509.CertificateRequest) (string, bool) {
	names := adminNameFromURIs(csr.URIs)
	if len(names) != 1 || len(serverIDFromURIs(csr.URIs)) > 0 || csr.Subject.CommonName != names[0] || ValidateAdminName(names[0]) != nil {
		return "", false
	}
	return names[0], true
}

// CreateAdminCSR makes a PKCS#10 request binding key to administrator
// name (subject CN and URI SAN), signed with SM2-with-SM3. It returns DER.
func CreateAdminCSR(key *sm2.PrivateKey, name string) ([]byte, error) {
	if err := ValidateAdminName(name); err != nil {
		return nil, err
	}
	tmpl := &smx509.CertificateRequest{
		Subject:            pkix.Name{CommonName: name},
		SignatureAlgorithm: smx509.SM2WithSM3,
		URIs:               []*url.URL{AdminURI(name)},
	}
	return smx509.CreateCertificateRequest(rand.Reader, tmpl, key)
}

// IssueAdminCert issues the certificate of administrator name from a CSR
// that CheckAdminCSR accepts. Subject, SAN, key usages and extensions are
// the profile's, whatever the CSR asked for.
func (is *Issuer) IssueAdminCert(csr *smx509.CertificateRequest, name string, p IssueParams) ([]byte, error) {
	pub, err := CheckAdminCSR(csr, name)
	if err != nil {
		return nil, err
	}
	if err := p.check(is); err != nil {
		return nil, err
	}
	tmpl := &smx509.Certificate{
		SerialNumber:          p.Serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             p.NotBefore,
		NotAfter:              p.NotAfter,
		KeyUsage:              smx509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []smx509.ExtKeyUsage{smx509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		URIs:                  []*url.URL{AdminURI(name)},
		CRLDistributionPoints: p.CRLDistributionPoints,
		SignatureAlgorithm:    smx509.SM2WithSM3,
	}
	return smx509.CreateCertificate(rand.Reader, tmpl, is.Cert, pub, is.Key)
}

// VerifyAdminCertificate checks an administrator certificate as
// VerifyCertificate checks a server's (validity, chain to opts.Roots,
// digitalSignature, revocation against opts.CRL when given), but requires
// the administrator profile: a server certificate is refused with
// ReasonNotAdmin. opts.ServerID is ignored. It returns the administrator's
// name. Failures are *CertError.
func VerifyAdminCertificate(cert *smx509.Certificate, opts VerifyOptions) (string, error) {
	name, err := AdminNameFromCertificate(cert)
	if err != nil {
		return "", &CertError{Reason: ReasonNotAdmin, Err: err}
	}
	chain, err := verifyChain(cert, opts, smx509.ExtKeyUsageClientAuth)
	if err != nil {
		return "", err
	}
	if err := revocation(cert, chain, opts); err != nil {
		return "", err
	}
	return name, nil
}
