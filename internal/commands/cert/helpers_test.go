package cert_test

import (
	"crypto/rand"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
)

func TestMain(m *testing.M) {
	pki.KDFIterations = 1000 // keep encrypted-key tests fast; OpenSSL reads any count
	os.Exit(m.Run())
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// newCA makes a root issuer valid from notBefore to notAfter.
func newCA(t testing.TB, name string, notBefore, notAfter time.Time) *pki.Issuer {
	t.Helper()
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	der, err := pki.CreateRootCert(k, name, notBefore, notAfter)
	if err != nil {
		t.Fatal(err)
	}
	c, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &pki.Issuer{Cert: c, Key: k}
}

// newIntermediate makes an issuing CA below ca.
func newIntermediate(t testing.TB, ca *pki.Issuer, name string) *pki.Issuer {
	t.Helper()
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := pki.NewSerial()
	tmpl := &smx509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name},
		NotBefore: ca.Cert.NotBefore, NotAfter: ca.Cert.NotAfter,
		KeyUsage:              smx509.KeyUsageCertSign | smx509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
		SignatureAlgorithm: smx509.SM2WithSM3,
	}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &k.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &pki.Issuer{Cert: c, Key: k}
}

// issue makes a server certificate for t's serverId through a real CSR.
func issue(t testing.TB, ca *pki.Issuer, tmpl pki.CSRTemplate, p pki.IssueParams) *smx509.Certificate {
	t.Helper()
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	csrDER, err := pki.CreateCSR(k, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := smx509.ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatal(err)
	}
	if p.Serial == nil {
		p.Serial, _ = pki.NewSerial()
	}
	der, err := ca.IssueServerCert(csr, p)
	if err != nil {
		t.Fatal(err)
	}
	c, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// crl signs a CRL valid from thisUpdate for a day, revoking serials.
func crl(t testing.TB, ca *pki.Issuer, thisUpdate time.Time, serials ...*big.Int) []byte {
	t.Helper()
	var revoked []pki.Revoked
	for _, s := range serials {
		revoked = append(revoked, pki.Revoked{Serial: s, RevokedAt: thisUpdate, ReasonCode: 1})
	}
	der, err := ca.CreateCRL(revoked, big.NewInt(1), thisUpdate, thisUpdate.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func pemOf(certs ...*smx509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pki.EncodeCertificatePEM(c.Raw)...)
	}
	return out
}
