package httpsig

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
)

// testCA is a real SM2 interconnection CA, as the management server runs.
type testCA struct {
	issuer *pki.Issuer
	roots  *smx509.CertPool
}

func newTestCA(t testing.TB, name string) *testCA {
	t.Helper()
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	der, err := pki.CreateRootCert(key, name, now.Add(-48*time.Hour), now.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := smx509.NewCertPool()
	roots.AddCert(cert)
	return &testCA{issuer: &pki.Issuer{Cert: cert, Key: key}, roots: roots}
}

// issue makes a key and a certificate for serverID valid in [from, to].
func (ca *testCA) issue(t testing.TB, serverID string, from, to time.Time) (*smx509.Certificate, *sm2.PrivateKey) {
	t.Helper()
	key, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	csrDER, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: serverID, ServerName: "Test " + serverID})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := smx509.ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := pki.NewSerial()
	if err != nil {
		t.Fatal(err)
	}
	der, err := ca.issuer.IssueServerCert(csr, pki.IssueParams{Serial: serial, NotBefore: from, NotAfter: to})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// server issues a currently valid certificate and returns its signer.
func (ca *testCA) server(t testing.TB, serverID string) (*Signer, *smx509.Certificate) {
	t.Helper()
	cert, key := ca.issue(t, serverID, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	s, err := NewSigner(key, cert)
	if err != nil {
		t.Fatal(err)
	}
	return s, cert
}

func (ca *testCA) crl(t testing.TB, number int64, nextUpdate time.Time, revoked ...*big.Int) *smx509.RevocationList {
	t.Helper()
	var entries []pki.Revoked
	for _, s := range revoked {
		entries = append(entries, pki.Revoked{Serial: s, RevokedAt: time.Now().Add(-time.Minute), ReasonCode: 1})
	}
	der, err := ca.issuer.CreateCRL(entries, big.NewInt(number), time.Now().Add(-time.Minute), nextUpdate)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := pki.ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	return crl
}

// fixedCRL is a CRLProvider and a CRLSource with a set answer.
type fixedCRL struct {
	crl *smx509.RevocationList
	err error
}

func (f fixedCRL) Current() (*smx509.RevocationList, error) { return f.crl, f.err }

// failingResolver is a directory that cannot be reached.
type failingResolver struct{}

func (failingResolver) Resolve(context.Context, string) (*ServerInfo, error) {
	return nil, errors.New("connection refused")
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newRequest(t testing.TB, method, url string, body []byte) *http.Request {
	t.Helper()
	var r io.Reader = http.NoBody
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
