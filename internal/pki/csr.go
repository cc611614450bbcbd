package pki

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/url"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"
)

// CSRTemplate holds what a certificate signing request says about an IM
// server. ServerID is required; the rest is optional subject detail.
type CSRTemplate struct {
	ServerID           string
	ServerName         string // subject O
	Country            string
	Province           string
	Locality           string
	OrganizationalUnit string
	DNSNames           []string
	URIs               []*url.URL // extra URI SANs, besides the serverId's
}

// CreateCSR makes a PKCS#10 request signed with SM2-with-SM3 (default user
// id) that binds key to t.ServerID: subject CN = serverId and a URI SAN
// urn:imi:server:<serverId>. It returns DER.
func CreateCSR(key *sm2.PrivateKey, t CSRTemplate) ([]byte, error) {
	if err := ValidateServerID(t.ServerID); err != nil {
		return nil, err
	}
	for _, u := range t.URIs {
		if len(serverIDFromURIs([]*url.URL{u})) > 0 {
			return nil, fmt.Errorf("extra URI %s names a serverId: the serverId URI SAN is added from --server-id", u)
		}
	}
	subject := pkix.Name{CommonName: t.ServerID}
	addName := func(dst *[]string, v string) {
		if v != "" {
			*dst = []string{v}
		}
	}
	addName(&subject.Organization, t.ServerName)
	addName(&subject.Country, t.Country)
	addName(&subject.Province, t.Province)
	addName(&subject.Locality, t.Locality)
	addName(&subject.OrganizationalUnit, t.OrganizationalUnit)
	tmpl := &smx509.CertificateRequest{
		Subject:            subject,
		SignatureAlgorithm: smx509.SM2WithSM3,
		DNSNames:           t.DNSNames,
		URIs:               append([]*url.URL{ServerIDURI(t.ServerID)}, t.URIs...),
	}
	return smx509.CreateCertificateRequest(rand.Reader, tmpl, key)
}

// EncodeCSRPEM wraps DER bytes in a "CERTIFICATE REQUEST" PEM block.
func EncodeCSRPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// ParseCSR parses a PKCS#10 request in PEM or DER. It does not check the
// signature: CheckCSR does.
func ParseCSR(data []byte) (*smx509.CertificateRequest, error) {
	der, found, ok := pemOrDER(data, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")
	if !ok {
		return nil, &FormatError{Want: "a certificate signing request", Found: describeFound(data, found)}
	}
	csr, err := smx509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("cannot parse the certificate signing request: %w", err)
	}
	return csr, nil
}

// ErrCSREmptyDistID explains the classic interoperability failure.
var ErrCSREmptyDistID = errors.New("the CSR's SM2 signature was made with an empty SM2 id, not the default 1234567812345678 " +
	"(OpenSSL does this unless told otherwise): recreate it with `openssl req -new -sm3 -sigopt distid:1234567812345678 ...`")

// CheckCSR verifies a request's self-signature (SM2-with-SM3, default user
// id) and its serverId binding, returning the serverId it names.
func CheckCSR(csr *smx509.CertificateRequest) (string, error) {
	if err := CheckCSRSignature(csr); err != nil {
		return "", err
	}
	return ServerIDFromCSR(csr)
}

// CheckCSRSignature verifies only a request's self-signature (SM2-with-SM3,
// default user id), explaining the empty-id case with ErrCSREmptyDistID.
// `csr inspect` uses it to report the signature and the binding separately.
func CheckCSRSignature(csr *smx509.CertificateRequest) error {
	pub, ok := csr.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != sm2.P256() {
		return &FormatError{Want: "a CSR for an SM2 key", Found: fmt.Sprintf("a CSR for a %s key", csr.PublicKeyAlgorithm)}
	}
	if csr.SignatureAlgorithm != smx509.SM2WithSM3 {
		return fmt.Errorf("the CSR is signed with %s: SM2-with-SM3 is required", csr.SignatureAlgorithm)
	}
	if err := csr.CheckSignature(); err != nil {
		if verifiesWithEmptyID(pub, csr.RawTBSCertificateRequest, csr.Signature) {
			return ErrCSREmptyDistID
		}
		return fmt.Errorf("the CSR's signature does not verify (the request was altered, or signed with another key or SM2 id): %w", err)
	}
	return nil
}

// ServerIDFromCSR returns the serverId a request binds (the same rule as
// ServerIDFromCertificate). It does not check the signature.
func ServerIDFromCSR(csr *smx509.CertificateRequest) (string, error) {
	id, err := boundServerID(csr.Subject.CommonName, csr.URIs)
	if err != nil {
		return "", fmt.Errorf("the CSR does not bind a serverId: %w", err)
	}
	return id, nil
}

// verifiesWithEmptyID checks an SM2 signature computed with a zero-length
// user id, which gmsm's API cannot express (it maps an empty id to the
// default): Z = SM3(ENTL=0 || a || b || xG || yG || xA || yA).
func verifiesWithEmptyID(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	params := pub.Curve.Params()
	a := new(big.Int).Sub(params.P, big.NewInt(3)) // SM2's a is p - 3
	h := sm3.New()
	h.Write([]byte{0, 0})
	for _, v := range []*big.Int{a, params.B, params.Gx, params.Gy, pub.X, pub.Y} {
		h.Write(v.FillBytes(make([]byte, 32)))
	}
	za := h.Sum(nil)
	h.Reset()
	h.Write(za)
	h.Write(msg)
	return sm2.VerifyASN1(pub, h.Sum(nil), sig)
}
