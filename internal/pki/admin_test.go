package pki

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// issueAdmin issues an administrator certificate for name.
func issueAdmin(t testing.TB, ca *Issuer, name string, notBefore, notAfter time.Time) (*smx509.Certificate, *sm2.PrivateKey) {
	t.Helper()
	key := mustKey(t)
	csrDER, err := CreateAdminCSR(key, name)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := smx509.ParseCertificateRequest(csrDER)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := NewSerial()
	der, err := ca.IssueAdminCert(csr, name, IssueParams{Serial: serial, NotBefore: notBefore, NotAfter: notAfter})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func wantReason(t *testing.T, err error, want Reason) {
	t.Helper()
	var ce *CertError
	if !errors.As(err, &ce) || ce.Reason != want {
		t.Fatalf("got %v, want reason %s", err, want)
	}
}

func TestAdminProfile(t *testing.T) {
	ca := testCA(t, "Root")
	now := time.Now()
	cert, _ := issueAdmin(t, ca, "alpha", now.Add(-time.Minute), now.Add(time.Hour))
	if cert.Subject.CommonName != "alpha" || len(cert.URIs) != 1 || cert.URIs[0].String() != "urn:imi:admin:alpha" {
		t.Fatalf("subject %q, URIs %v", cert.Subject.CommonName, cert.URIs)
	}
	if len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != smx509.ExtKeyUsageClientAuth || cert.KeyUsage != smx509.KeyUsageDigitalSignature || cert.IsCA {
		t.Fatalf("usages: EKU %v, KU %v, CA %v", cert.ExtKeyUsage, cert.KeyUsage, cert.IsCA)
	}
	name, err := VerifyAdminCertificate(cert, VerifyOptions{Roots: ca.pool(), CRL: crlFor(t, ca)})
	if err != nil || name != "alpha" {
		t.Fatalf("VerifyAdminCertificate = %q, %v", name, err)
	}
	// Never a server's: not even for a serverId spelled like the name.
	wantReason(t, VerifyCertificate(cert, VerifyOptions{Roots: ca.pool()}), ReasonMalformed)
	wantReason(t, VerifyCertificate(cert, VerifyOptions{Roots: ca.pool(), ServerID: "alpha"}), ReasonMalformed)

	// And a server's certificate is never an administrator's.
	srv, _ := issueFor(t, ca, "alpha", now.Add(-time.Minute), now.Add(time.Hour))
	_, err = VerifyAdminCertificate(srv, VerifyOptions{Roots: ca.pool()})
	wantReason(t, err, ReasonNotAdmin)

	_, err = VerifyAdminCertificate(cert, VerifyOptions{Roots: ca.pool(), CRL: crlFor(t, ca, cert.SerialNumber)})
	wantReason(t, err, ReasonRevoked)
	_, err = VerifyAdminCertificate(cert, VerifyOptions{Roots: ca.pool(), Now: now.Add(2 * time.Hour)})
	wantReason(t, err, ReasonExpired)
	_, err = VerifyAdminCertificate(cert, VerifyOptions{Roots: testCA(t, "Other").pool()})
	wantReason(t, err, ReasonUnknownAuthority)
}

func TestAdminCSRChecks(t *testing.T) {
	ca := testCA(t, "Root")
	key := mustKey(t)
	parse := func(der []byte, err error) *smx509.CertificateRequest {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		csr, err := smx509.ParseCertificateRequest(der)
		if err != nil {
			t.Fatal(err)
		}
		return csr
	}
	serverCSR := parse(CreateCSR(key, CSRTemplate{ServerID: "alpha"}))
	adminCSR := parse(CreateAdminCSR(key, "alpha"))
	for _, tc := range []struct {
		name, admin string
		csr         *smx509.CertificateRequest
		want        string
	}{
		{"a server's CSR", "alpha", serverCSR, "names IM server"},
		{"another name", "bob", adminCSR, `is "alpha", not the administrator "bob"`},
		{"a bad name", "a:b", adminCSR, "invalid"},
	} {
		serial, _ := NewSerial()
		_, err := ca.IssueAdminCert(tc.csr, tc.admin, IssueParams{Serial: serial, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	// A server CSR that slips in an administrator URI is refused too, so
	// that no server certificate ever carries one.
	mixed := parse(CreateCSR(key, CSRTemplate{ServerID: "alpha", URIs: []*url.URL{AdminURI("alpha")}}))
	if _, err := CheckCSR(mixed); err == nil || !strings.Contains(err.Error(), "administrator") {
		t.Fatalf("CheckCSR of a server CSR naming an administrator: %v", err)
	}
}

func TestOpenSSLVerifiesAdminChain(t *testing.T) {
	dir := t.TempDir()
	ca := testCA(t, "Our Root")
	now := time.Now()
	leaf, _ := issueAdmin(t, ca, "alice", now.Add(-time.Hour), now.Add(time.Hour))
	writeFile(t, dir, "ca.crt", EncodeCertificatePEM(ca.Cert.Raw))
	writeFile(t, dir, "admin.crt", EncodeCertificatePEM(leaf.Raw))
	if out := openssl(t, dir, "verify", "-vfyopt", distID, "-purpose", "sslclient", "-CAfile", "ca.crt", "admin.crt"); !strings.Contains(out, "admin.crt: OK") {
		t.Fatalf("OpenSSL refused the administrator chain: %s", out)
	}
	text := openssl(t, dir, "x509", "-in", "admin.crt", "-noout", "-ext", "subjectAltName,extendedKeyUsage")
	if !strings.Contains(text, "URI:urn:imi:admin:alice") || !strings.Contains(text, "TLS Web Client Authentication") || strings.Contains(text, "Server Authentication") {
		t.Fatalf("OpenSSL sees:\n%s", text)
	}
}
