package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// Validity defaults of the certificate profile (docs/PROTOCOL.md §2).
const (
	DefaultRootValidity       = 10 * 365 * 24 * time.Hour
	DefaultServerCertValidity = 365 * 24 * time.Hour
	DefaultCRLValidity        = 24 * time.Hour
	// Backdate absorbs clock skew between the CA and relying servers.
	Backdate = 5 * time.Minute
)

// Issuer is a CA certificate and its key. Key is any crypto.Signer whose
// Public() is the certificate's SM2 key: a *sm2.PrivateKey loaded from an
// encrypted file, or a key held in an HSM or a KMS that never leaves it.
// smx509 asks it to sign the whole to-be-signed bytes with
// sm2.DefaultSM2SignerOpts (the signer computes ZA and SM3 itself) and
// checks the signature against Cert before using it.
type Issuer struct {
	Cert *smx509.Certificate
	Key  crypto.Signer
}

// NewSerial returns a random positive 128-bit serial number.
func NewSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 127)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return nil, err
	}
	return n.Add(n, limit), nil // top bit set: always 16 bytes, never zero
}

// SerialHex renders a serial as lower-case hex, the form imictl prints and
// accepts everywhere.
func SerialHex(n *big.Int) string { return n.Text(16) }

// ParseSerial reads a serial in hex, with optional colons or 0x prefix.
func ParseSerial(s string) (*big.Int, error) {
	h := strings.TrimPrefix(strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), ":", "")), "0x")
	n, ok := new(big.Int).SetString(h, 16)
	if !ok || n.Sign() <= 0 {
		return nil, fmt.Errorf("serial %q is not a positive hex number (e.g. 8f3a...)", s)
	}
	return n, nil
}

// CreateRootCert makes a self-signed SM2 root. Path length 1 leaves room for
// an issuing CA below it later without changing the trust anchor.
func CreateRootCert(key *sm2.PrivateKey, commonName string, notBefore, notAfter time.Time) ([]byte, error) {
	serial, err := NewSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &smx509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              smx509.KeyUsageCertSign | smx509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            1,
		SignatureAlgorithm:    smx509.SM2WithSM3,
	}
	return smx509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
}

// IssueParams are the issuer's choices for one certificate.
type IssueParams struct {
	Serial                *big.Int
	NotBefore, NotAfter   time.Time
	CRLDistributionPoints []string // e.g. the management server's /sns/restApi/crl
}

// IssueServerCert issues an IM server certificate from a CSR, after checking
// it with CheckCSR. The subject and SANs come from the CSR; key usage,
// validity and extensions follow the profile, whatever the CSR asked for.
func (is *Issuer) IssueServerCert(csr *smx509.CertificateRequest, p IssueParams) ([]byte, error) {
	if _, err := CheckCSR(csr); err != nil {
		return nil, err
	}
	if err := p.check(is); err != nil {
		return nil, err
	}
	tmpl := &smx509.Certificate{
		SerialNumber:          p.Serial,
		Subject:               csr.Subject,
		NotBefore:             p.NotBefore,
		NotAfter:              p.NotAfter,
		KeyUsage:              smx509.KeyUsageDigitalSignature | smx509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []smx509.ExtKeyUsage{smx509.ExtKeyUsageServerAuth, smx509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		DNSNames:              csr.DNSNames,
		URIs:                  csr.URIs,
		CRLDistributionPoints: p.CRLDistributionPoints,
		SignatureAlgorithm:    smx509.SM2WithSM3,
	}
	return smx509.CreateCertificate(rand.Reader, tmpl, is.Cert, csr.PublicKey, is.Key)
}

// check validates p and shortens its validity to the issuer's: a
// certificate never outlives its CA.
func (p *IssueParams) check(is *Issuer) error {
	if p.Serial == nil || p.Serial.Sign() <= 0 {
		return errors.New("issue: a positive serial is required")
	}
	if !p.NotAfter.After(p.NotBefore) {
		return errors.New("issue: notAfter must be after notBefore")
	}
	if p.NotAfter.After(is.Cert.NotAfter) {
		p.NotAfter = is.Cert.NotAfter
	}
	return nil
}

// Revoked is one CRL entry.
type Revoked struct {
	Serial     *big.Int
	RevokedAt  time.Time
	ReasonCode int // RFC 5280 §5.3.1
}

// CreateCRL signs a CRL (DER) listing revoked, numbered number.
func (is *Issuer) CreateCRL(revoked []Revoked, number *big.Int, thisUpdate, nextUpdate time.Time) ([]byte, error) {
	entries := make([]smx509.RevocationListEntry, 0, len(revoked))
	for _, r := range revoked {
		entries = append(entries, smx509.RevocationListEntry{SerialNumber: r.Serial, RevocationTime: r.RevokedAt.UTC(), ReasonCode: r.ReasonCode})
	}
	tmpl := &smx509.RevocationList{
		SignatureAlgorithm:        smx509.SM2WithSM3,
		RevokedCertificateEntries: entries,
		Number:                    number,
		ThisUpdate:                thisUpdate,
		NextUpdate:                nextUpdate,
	}
	return smx509.CreateRevocationList(rand.Reader, tmpl, is.Cert, is.Key)
}

// ParseCRL parses a CRL in PEM ("X509 CRL") or DER. It does not check the
// signature: VerifyCertificate checks it against the leaf's issuer.
func ParseCRL(data []byte) (*smx509.RevocationList, error) {
	der, found, ok := pemOrDER(data, "X509 CRL")
	if !ok {
		return nil, &FormatError{Want: "a CRL", Found: describeFound(data, found)}
	}
	crl, err := smx509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("cannot parse the CRL: %w", err)
	}
	return crl, nil
}

// RevocationReasons maps RFC 5280 reason names (as `ca revoke --reason`
// takes them) to codes.
var RevocationReasons = map[string]int{
	"unspecified":          0,
	"keyCompromise":        1,
	"cACompromise":         2,
	"affiliationChanged":   3,
	"superseded":           4,
	"cessationOfOperation": 5,
	"certificateHold":      6,
	"removeFromCRL":        8,
	"privilegeWithdrawn":   9,
	"aACompromise":         10,
}

// RevocationReasonName is the RFC 5280 name of a reason code.
func RevocationReasonName(code int) string {
	for name, c := range RevocationReasons {
		if c == code {
			return name
		}
	}
	return fmt.Sprintf("code %d", code)
}

// ParseRevocationReason accepts a reason name (case-insensitive) or code.
func ParseRevocationReason(s string) (int, error) {
	for name, c := range RevocationReasons {
		if strings.EqualFold(name, s) || fmt.Sprint(c) == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("unknown revocation reason %q: use one of unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, privilegeWithdrawn, aACompromise", s)
}
