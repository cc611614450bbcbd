package pki

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"
)

// ParseCertificatePEM parses the first certificate of a PEM bundle, or DER.
func ParseCertificatePEM(data []byte) (*smx509.Certificate, error) {
	der, found, ok := pemOrDER(data, "CERTIFICATE")
	if !ok {
		return nil, &FormatError{Want: "a certificate", Found: describeFound(data, found)}
	}
	c, err := smx509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("cannot parse the certificate: %w", err)
	}
	return c, nil
}

// ParseCertificatesPEM parses every certificate of a PEM bundle (or one DER).
func ParseCertificatesPEM(data []byte) ([]*smx509.Certificate, error) {
	if !containsPEMHeader(data) {
		c, err := ParseCertificatePEM(data)
		if err != nil {
			return nil, err
		}
		return []*smx509.Certificate{c}, nil
	}
	var certs []*smx509.Certificate
	var other string // the first block that is not a certificate, for the error
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			if other == "" {
				other = block.Type
			}
			continue
		}
		c, err := smx509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("cannot parse certificate %d of the bundle: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, &FormatError{Want: "a certificate", Found: describeFound(data, other)}
	}
	return certs, nil
}

func describeFound(data []byte, found string) string {
	if found != "" {
		return fmt.Sprintf("a PEM block of type %q", found)
	}
	return describeNonPEM(data)
}

// EncodeCertificatePEM wraps DER bytes in a "CERTIFICATE" PEM block.
func EncodeCertificatePEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// ServerIDFromCertificate returns the serverId a certificate is bound to:
// its single urn:imi:server:<id> URI SAN, which its subject CN must repeat.
func ServerIDFromCertificate(c *smx509.Certificate) (string, error) {
	id, err := boundServerID(c.Subject.CommonName, c.URIs)
	if err != nil {
		return "", fmt.Errorf("certificate %s: %w", c.Subject.CommonName, err)
	}
	return id, nil
}

// FingerprintSHA256 is the SHA-256 digest of DER bytes (what `openssl x509
// -fingerprint -sha256` prints).
func FingerprintSHA256(der []byte) []byte {
	sum := sha256.Sum256(der)
	return sum[:]
}

// FingerprintSM3 is the SM3 digest of DER bytes.
func FingerprintSM3(der []byte) []byte {
	sum := sm3.Sum(der)
	return sum[:]
}

// FingerprintEncodings lists the names FormatFingerprint accepts.
var FingerprintEncodings = []string{"hex", "colon", "base64", "base64url"}

// FormatFingerprint renders a digest: "hex" (lower case, the default),
// "colon" (OpenSSL's upper-case AA:BB:...), "base64" or "base64url"
// (unpadded, RFC 4648 §5).
func FormatFingerprint(sum []byte, encoding string) (string, error) {
	switch encoding {
	case "", "hex":
		return hex.EncodeToString(sum), nil
	case "colon":
		h := strings.ToUpper(hex.EncodeToString(sum))
		parts := make([]string, 0, len(sum))
		for i := 0; i < len(h); i += 2 {
			parts = append(parts, h[i:i+2])
		}
		return strings.Join(parts, ":"), nil
	case "base64":
		return base64.StdEncoding.EncodeToString(sum), nil
	case "base64url":
		return base64.RawURLEncoding.EncodeToString(sum), nil
	default:
		return "", fmt.Errorf("unknown fingerprint encoding %q: use one of %s", encoding, strings.Join(FingerprintEncodings, ", "))
	}
}

// ParseFingerprint accepts a fingerprint in any FormatFingerprint encoding
// (hex in either case, with or without colons, or base64), for pinning.
func ParseFingerprint(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	// Both fingerprints imictl prints (SHA-256, SM3) are 32 bytes: any other
	// length is a typo, refused here rather than after a network round trip.
	const size = 32
	if b, err := hex.DecodeString(strings.ReplaceAll(s, ":", "")); err == nil && len(b) == size {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.RawURLEncoding, base64.URLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == size {
			return b, nil
		}
	}
	return nil, fmt.Errorf("fingerprint %q is not a 32-byte SHA-256 or SM3 digest in hex or base64: copy it whole from `imictl ca root` (or `imictl cert fingerprint`)", s)
}
