package pki

import (
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

func TestMain(m *testing.M) {
	KDFIterations = 1000 // keep encrypted-key tests fast; OpenSSL reads any count
	os.Exit(m.Run())
}

func mustKey(t testing.TB) *sm2.PrivateKey {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testCA is a root issuer for tests.
func testCA(t testing.TB, name string) *Issuer {
	t.Helper()
	key := mustKey(t)
	now := time.Now()
	der, err := CreateRootCert(key, name, now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Issuer{Cert: cert, Key: key}
}

func (is *Issuer) pool() *smx509.CertPool {
	p := smx509.NewCertPool()
	p.AddCert(is.Cert)
	return p
}

func poolOf(certs ...*smx509.Certificate) *smx509.CertPool {
	p := smx509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// issueFor issues a server certificate for serverID with the given validity.
func issueFor(t testing.TB, ca *Issuer, serverID string, notBefore, notAfter time.Time) (*smx509.Certificate, *sm2.PrivateKey) {
	t.Helper()
	key := mustKey(t)
	csrDER, err := CreateCSR(key, CSRTemplate{ServerID: serverID, ServerName: "Test " + serverID})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := smx509.ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := NewSerial()
	der, err := ca.IssueServerCert(csr, IssueParams{Serial: serial, NotBefore: notBefore, NotAfter: notAfter})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func crlFor(t testing.TB, ca *Issuer, revoked ...*big.Int) *smx509.RevocationList {
	t.Helper()
	var entries []Revoked
	for _, s := range revoked {
		entries = append(entries, Revoked{Serial: s, RevokedAt: time.Now().Add(-time.Minute), ReasonCode: 1})
	}
	der, err := ca.CreateCRL(entries, big.NewInt(1), time.Now().Add(-time.Minute), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	crl, err := ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	return crl
}
