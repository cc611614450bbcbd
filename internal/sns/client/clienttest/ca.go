// Package clienttest provides real parts for tests of signed calls: an SM2
// interconnection CA made with internal/pki, servers with keys and
// certificates (in memory and as files), and loopback stand-ins for a peer
// IM server and for the management server, both behind httpsig's verifier.
// Nothing here is a mock: every request and response is really signed and
// verified.
package clienttest

import (
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/pki"
	"github.com/imictl/imictl/internal/sns/httpsig"
)

// CA is a real SM2 interconnection CA, as the management server runs one.
type CA struct {
	Issuer *pki.Issuer
	Roots  *smx509.CertPool
}

// NewCA makes a root valid from two days ago to two days ahead.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := pki.GenerateKey()
	check(t, err)
	now := time.Now()
	der, err := pki.CreateRootCert(key, "clienttest root", now.Add(-48*time.Hour), now.Add(48*time.Hour))
	check(t, err)
	cert, err := smx509.ParseCertificate(der)
	check(t, err)
	roots := smx509.NewCertPool()
	roots.AddCert(cert)
	return &CA{Issuer: &pki.Issuer{Cert: cert, Key: key}, Roots: roots}
}

// RootPEM is the root certificate in PEM.
func (ca *CA) RootPEM() []byte { return pki.EncodeCertificatePEM(ca.Issuer.Cert.Raw) }

// Server is an IM server's identity: key, certificate and signer.
type Server struct {
	ID     string
	Key    *sm2.PrivateKey
	Cert   *smx509.Certificate
	Signer *httpsig.Signer
}

// Server issues a key and a currently valid certificate for serverID.
func (ca *CA) Server(t testing.TB, serverID string) *Server {
	t.Helper()
	key, err := pki.GenerateKey()
	check(t, err)
	csrDER, err := pki.CreateCSR(key, pki.CSRTemplate{ServerID: serverID, ServerName: "Test " + serverID})
	check(t, err)
	csr, err := smx509.ParseCertificateRequest(csrDER)
	check(t, err)
	serial, err := pki.NewSerial()
	check(t, err)
	now := time.Now()
	der, err := ca.Issuer.IssueServerCert(csr, pki.IssueParams{Serial: serial, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)})
	check(t, err)
	cert, err := smx509.ParseCertificate(der)
	check(t, err)
	s, err := httpsig.NewSigner(key, cert)
	check(t, err)
	return &Server{ID: serverID, Key: key, Cert: cert, Signer: s}
}

// CRL signs a CRL valid for a day that lists the given serials.
func (ca *CA) CRL(t testing.TB, revoked ...*big.Int) []byte {
	t.Helper()
	var entries []pki.Revoked
	for _, s := range revoked {
		entries = append(entries, pki.Revoked{Serial: s, RevokedAt: time.Now().Add(-time.Minute), ReasonCode: 1})
	}
	der, err := ca.Issuer.CreateCRL(entries, big.NewInt(time.Now().UnixNano()), time.Now().Add(-time.Minute), time.Now().Add(24*time.Hour))
	check(t, err)
	return der
}

// CertPEM is the server's certificate in PEM.
func (s *Server) CertPEM() []byte { return pki.EncodeCertificatePEM(s.Cert.Raw) }

// KeyPEM is the server's key in PKCS#8 PEM, encrypted when password is set
// (lower pki.KDFIterations in TestMain to keep that fast).
func (s *Server) KeyPEM(t testing.TB, password []byte) []byte {
	t.Helper()
	data, err := pki.EncodePrivateKeyPEM(s.Key, password)
	check(t, err)
	return data
}

// Files are where WriteFiles put a server's identity.
type Files struct {
	Key, Cert, Root string
}

// WriteFiles writes the server's key (encrypted when password is set),
// certificate and the CA's root as key.pem, cert.pem and root.crt in dir.
func (ca *CA) WriteFiles(t testing.TB, s *Server, dir string, password []byte) Files {
	t.Helper()
	f := Files{Key: filepath.Join(dir, "key.pem"), Cert: filepath.Join(dir, "cert.pem"), Root: filepath.Join(dir, "root.crt")}
	check(t, os.MkdirAll(dir, 0o700))
	check(t, os.WriteFile(f.Key, s.KeyPEM(t, password), 0o600))
	check(t, os.WriteFile(f.Cert, s.CertPEM(), 0o644))
	check(t, os.WriteFile(f.Root, ca.RootPEM(), 0o644))
	return f
}

// Directory is a fixed directory of the given servers, all with status 0,
// at the given addresses (by serverId; "" for none).
func Directory(addresses map[string]string, servers ...*Server) httpsig.StaticResolver {
	d := httpsig.StaticResolver{}
	for _, s := range servers {
		d[s.ID] = &httpsig.ServerInfo{ServerID: s.ID, Status: httpsig.StatusNormal, Certificate: s.Cert, Address: addresses[s.ID]}
	}
	return d
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
