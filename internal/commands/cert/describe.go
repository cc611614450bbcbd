package cert

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/key"
	"github.com/imictl/imictl/internal/pki"
)

// Info describes a certificate. Its JSON form is the scripting contract of
// `cert inspect -o json`: times are RFC 3339 UTC, serials and key ids
// lower-case hex, and lists are [] when empty.
type Info struct {
	Version               int              `json:"version"`
	Serial                string           `json:"serial"`
	Subject               string           `json:"subject"` // RFC 4514
	Issuer                string           `json:"issuer"`
	NotBefore             time.Time        `json:"notBefore"`
	NotAfter              time.Time        `json:"notAfter"`
	ServerID              string           `json:"serverId"` // empty when the certificate binds none
	IsCA                  bool             `json:"isCA"`
	MaxPathLen            *int             `json:"maxPathLen,omitempty"` // CA certificates with a limit
	KeyUsages             []string         `json:"keyUsages"`
	ExtKeyUsages          []string         `json:"extKeyUsages"`
	DNSNames              []string         `json:"dnsNames"`
	URIs                  []string         `json:"uris"`
	IPAddresses           []string         `json:"ipAddresses"`
	EmailAddresses        []string         `json:"emailAddresses"`
	PublicKeyAlgorithm    string           `json:"publicKeyAlgorithm"` // e.g. "SM2 (sm2p256v1)"
	SignatureAlgorithm    string           `json:"signatureAlgorithm"`
	SubjectKeyID          string           `json:"subjectKeyId"`
	AuthorityKeyID        string           `json:"authorityKeyId"`
	CRLDistributionPoints []string         `json:"crlDistributionPoints"`
	Fingerprints          key.Fingerprints `json:"fingerprints"`          // of the certificate's DER
	PublicKeyFingerprints key.Fingerprints `json:"publicKeyFingerprints"` // of its SubjectPublicKeyInfo
}

func describe(c *smx509.Certificate) Info {
	info := Info{
		Version:               c.Version,
		Serial:                pki.SerialHex(c.SerialNumber),
		Subject:               c.Subject.String(),
		Issuer:                c.Issuer.String(),
		NotBefore:             c.NotBefore.UTC(),
		NotAfter:              c.NotAfter.UTC(),
		IsCA:                  c.IsCA,
		KeyUsages:             keyUsageNames(c.KeyUsage),
		ExtKeyUsages:          extKeyUsageNames(c.ExtKeyUsage, c.UnknownExtKeyUsage),
		DNSNames:              orEmpty(c.DNSNames),
		URIs:                  []string{},
		IPAddresses:           []string{},
		EmailAddresses:        orEmpty(c.EmailAddresses),
		PublicKeyAlgorithm:    publicKeyName(c.PublicKey),
		SignatureAlgorithm:    c.SignatureAlgorithm.String(),
		SubjectKeyID:          hex.EncodeToString(c.SubjectKeyId),
		AuthorityKeyID:        hex.EncodeToString(c.AuthorityKeyId),
		CRLDistributionPoints: orEmpty(c.CRLDistributionPoints),
		Fingerprints:          key.FingerprintsOf(c.Raw),
		PublicKeyFingerprints: key.FingerprintsOf(c.RawSubjectPublicKeyInfo),
	}
	if id, err := pki.ServerIDFromCertificate(c); err == nil {
		info.ServerID = id
	}
	if c.IsCA && (c.MaxPathLen > 0 || c.MaxPathLenZero) {
		n := c.MaxPathLen
		info.MaxPathLen = &n
	}
	for _, u := range c.URIs {
		info.URIs = append(info.URIs, u.String())
	}
	for _, ip := range c.IPAddresses {
		info.IPAddresses = append(info.IPAddresses, ip.String())
	}
	return info
}

func orEmpty(s []string) []string {
	return append([]string{}, s...)
}

// keyUsageNames lists key usages by their RFC 5280 names, in bit order.
func keyUsageNames(ku smx509.KeyUsage) []string {
	names := []string{"digitalSignature", "contentCommitment", "keyEncipherment", "dataEncipherment",
		"keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"}
	out := []string{}
	for i, n := range names {
		if ku&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

var extKeyUsageByID = map[smx509.ExtKeyUsage]string{
	smx509.ExtKeyUsageAny:             "any",
	smx509.ExtKeyUsageServerAuth:      "serverAuth",
	smx509.ExtKeyUsageClientAuth:      "clientAuth",
	smx509.ExtKeyUsageCodeSigning:     "codeSigning",
	smx509.ExtKeyUsageEmailProtection: "emailProtection",
	smx509.ExtKeyUsageTimeStamping:    "timeStamping",
	smx509.ExtKeyUsageOCSPSigning:     "OCSPSigning",
}

func extKeyUsageNames(eku []smx509.ExtKeyUsage, unknown []asn1.ObjectIdentifier) []string {
	out := []string{}
	for _, u := range eku {
		if n, ok := extKeyUsageByID[u]; ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("usage %d", u))
		}
	}
	for _, oid := range unknown {
		out = append(out, oid.String())
	}
	return out
}

// publicKeyName names a certificate's key: SM2 is an ECDSA-shaped key on
// the SM2 curve.
func publicKeyName(pub any) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == sm2.P256() {
			return "SM2 (" + k.Curve.Params().Name + ")"
		}
		return "ECDSA (" + k.Curve.Params().Name + ")"
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA (%d bits)", k.N.BitLen())
	default:
		return strings.TrimPrefix(fmt.Sprintf("%T", pub), "*")
	}
}
