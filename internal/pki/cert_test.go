package pki

import (
	"encoding/pem"
	"strings"
	"testing"
)

func TestParseCertificates(t *testing.T) {
	ca := testCA(t, "Root")
	leaf, _ := issueFor(t, ca, "srv1", ca.Cert.NotBefore, ca.Cert.NotAfter)
	leafPEM, rootPEM := EncodeCertificatePEM(leaf.Raw), EncodeCertificatePEM(ca.Cert.Raw)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})

	bundle := append(append(append([]byte{}, keyPEM...), leafPEM...), rootPEM...)
	certs, err := ParseCertificatesPEM(bundle)
	if err != nil || len(certs) != 2 || !certs[0].Equal(leaf) || !certs[1].Equal(ca.Cert) {
		t.Fatalf("bundle: %d certificates, %v", len(certs), err)
	}
	if c, err := ParseCertificatePEM(bundle); err != nil || !c.Equal(leaf) {
		t.Fatalf("first of a bundle: %v", err)
	}
	if certs, err := ParseCertificatesPEM(leaf.Raw); err != nil || len(certs) != 1 {
		t.Fatalf("DER: %v", err)
	}

	for _, tc := range []struct {
		name, data, want string
	}{
		{"a key", string(keyPEM), `expected a certificate, found a PEM block of type "PRIVATE KEY"`},
		{"truncated", string(leafPEM[:len(leafPEM)/2]), "expected a certificate, found a truncated or damaged PEM block"},
		{"empty", "", "expected a certificate, found an empty input"},
	} {
		for name, parse := range map[string]func([]byte) error{
			"ParseCertificatePEM":  func(b []byte) error { _, err := ParseCertificatePEM(b); return err },
			"ParseCertificatesPEM": func(b []byte) error { _, err := ParseCertificatesPEM(b); return err },
		} {
			if err := parse([]byte(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s of %s: %v, want %q", name, tc.name, err, tc.want)
			}
		}
	}
}
