package cert_test

import (
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"flag"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"

	"github.com/imictl/imictl/internal/commands/cmdtest"
	"github.com/imictl/imictl/internal/pki"
)

// The golden tests inspect fixed certificates under testdata/fixtures, so
// that their output never changes. writeFixtures made them; to make new
// ones, delete testdata/fixtures and run `go test -run Golden -update`,
// which writes new fixtures and rewrites the golden files from them.
const fixtureDir = "testdata/fixtures"

func fixture(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(fixtureDir, name)
	if _, err := os.Stat(path); os.IsNotExist(err) && updating() {
		writeFixtures(t)
	}
	return path
}

// updating reports whether -update (owned by cmdtest) was given.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func writeFixtures(t *testing.T) {
	t.Helper()
	if err := os.MkdirAll(fixtureDir, 0o755); err != nil {
		t.Fatal(err)
	}
	root := newCA(t, "imictl test root", date(2024, 1, 1), date(2044, 1, 1))
	extra, _ := url.Parse("https://im.example.com/sns")
	leaf := issue(t, root, pki.CSRTemplate{
		ServerID: "vrv_linkdood", ServerName: "VRV Tech", Country: "CN", Province: "Beijing", Locality: "Haidian",
		OrganizationalUnit: "IM", DNSNames: []string{"im.example.com"}, URIs: []*url.URL{extra},
	}, pki.IssueParams{
		NotBefore: date(2024, 6, 1), NotAfter: date(2034, 6, 1),
		CRLDistributionPoints: []string{"http://127.0.0.1:8440/sns/restApi/crl"},
	})
	// A certificate that is not an IM server's: no serverId, other SAN
	// types, an unknown extension, and a control character in its subject
	// that must be shown escaped.
	k, err := pki.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := pki.NewSerial()
	tmpl := &smx509.Certificate{
		SerialNumber:   serial,
		Subject:        pkix.Name{CommonName: "mail.example.com", Organization: []string{"Evil\x1b[31mCorp"}},
		NotBefore:      date(2024, 6, 1),
		NotAfter:       date(2025, 6, 1),
		KeyUsage:       smx509.KeyUsageDigitalSignature | smx509.KeyUsageKeyAgreement,
		ExtKeyUsage:    []smx509.ExtKeyUsage{smx509.ExtKeyUsageEmailProtection},
		IPAddresses:    []net.IP{net.IPv4(127, 0, 0, 1)},
		EmailAddresses: []string{"admin@example.com"},
		ExtraExtensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: []byte{0x05, 0x00}},
		},
		SignatureAlgorithm: smx509.SM2WithSM3,
	}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, root.Cert, &k.PublicKey, root.Key)
	if err != nil {
		t.Fatal(err)
	}
	cmdtest.WriteFile(t, fixtureDir, "root.crt", pemOf(root.Cert))
	cmdtest.WriteFile(t, fixtureDir, "leaf.crt", pemOf(leaf))
	cmdtest.WriteFile(t, fixtureDir, "other.crt", pki.EncodeCertificatePEM(der))
}
