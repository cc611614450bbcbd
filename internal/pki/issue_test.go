package pki

import (
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

func TestIssuedCertificateFollowsProfile(t *testing.T) {
	ca := testCA(t, "Root")
	key := mustKey(t)
	csrDER, _ := CreateCSR(key, CSRTemplate{ServerID: "srv1", ServerName: "Server One", DNSNames: []string{"im.example.com"}})
	csr, _ := smx509.ParseCertificateRequest(csrDER)
	now := time.Now()
	der, err := ca.IssueServerCert(csr, IssueParams{Serial: big.NewInt(42), NotBefore: now, NotAfter: now.Add(100 * 365 * 24 * time.Hour),
		CRLDistributionPoints: []string{"http://127.0.0.1:7443/sns/restApi/crl"}})
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := smx509.ParseCertificate(der)
	id, err := ServerIDFromCertificate(cert)
	if err != nil || id != "srv1" {
		t.Fatalf("serverId %q %v", id, err)
	}
	if cert.IsCA || cert.KeyUsage != smx509.KeyUsageDigitalSignature|smx509.KeyUsageKeyEncipherment || len(cert.ExtKeyUsage) != 2 {
		t.Errorf("usages: CA=%v KU=%v EKU=%v", cert.IsCA, cert.KeyUsage, cert.ExtKeyUsage)
	}
	if !cert.NotAfter.Equal(ca.Cert.NotAfter) {
		t.Errorf("certificate outlives its CA: %v > %v", cert.NotAfter, ca.Cert.NotAfter)
	}
	if cert.SignatureAlgorithm != smx509.SM2WithSM3 || cert.CRLDistributionPoints[0] != "http://127.0.0.1:7443/sns/restApi/crl" {
		t.Errorf("signature %v, CDP %v", cert.SignatureAlgorithm, cert.CRLDistributionPoints)
	}
	if !ca.Cert.IsCA || ca.Cert.MaxPathLen != 1 {
		t.Errorf("root: CA=%v pathlen=%d", ca.Cert.IsCA, ca.Cert.MaxPathLen)
	}
}

func TestIssueRefusesBadRequests(t *testing.T) {
	ca := testCA(t, "Root")
	now := time.Now()
	good, _ := CreateCSR(mustKey(t), CSRTemplate{ServerID: "srv1"})
	csr, _ := smx509.ParseCertificateRequest(good)
	broken, _ := smx509.ParseCertificateRequest(good)
	broken.Signature = append([]byte(nil), broken.Signature...)
	broken.Signature[10] ^= 1
	// A CSR without our serverId SAN: made directly with smx509.
	unboundDER, _ := smx509.CreateCertificateRequest(nil, &smx509.CertificateRequest{SignatureAlgorithm: smx509.SM2WithSM3,
		URIs: []*url.URL{{Scheme: "https", Host: "x"}}}, mustKey(t))
	unbound, _ := smx509.ParseCertificateRequest(unboundDER)
	for _, tc := range []struct {
		name string
		csr  *smx509.CertificateRequest
		p    IssueParams
		want string
	}{
		{"broken signature", broken, IssueParams{Serial: big.NewInt(1), NotBefore: now, NotAfter: now.Add(time.Hour)}, "does not verify"},
		{"no serverId", unbound, IssueParams{Serial: big.NewInt(1), NotBefore: now, NotAfter: now.Add(time.Hour)}, "does not bind a serverId"},
		{"no serial", csr, IssueParams{NotBefore: now, NotAfter: now.Add(time.Hour)}, "positive serial"},
		{"empty validity", csr, IssueParams{Serial: big.NewInt(1), NotBefore: now, NotAfter: now}, "notAfter must be after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ca.IssueServerCert(tc.csr, tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
