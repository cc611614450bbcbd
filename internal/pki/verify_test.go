package pki

import (
	"crypto/rand"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/smx509"
)

func TestServerIDRule(t *testing.T) {
	for _, ok := range []string{"vrv_linkdood", "center-im", "a", "A1_b-2", strings.Repeat("x", 64)} {
		if err := ValidateServerID(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a.b", "a:1", "a b", "中文", "a@b", "a/b", strings.Repeat("x", 65)} {
		if err := ValidateServerID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCSRBindsServerID(t *testing.T) {
	key := mustKey(t)
	extra, _ := url.Parse("https://im.example.com")
	der, err := CreateCSR(key, CSRTemplate{ServerID: "vrv_linkdood", ServerName: "VRV", Country: "CN", DNSNames: []string{"im.example.com"}, URIs: []*url.URL{extra}})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := ParseCSR(EncodeCSRPEM(der))
	if err != nil {
		t.Fatal(err)
	}
	id, err := CheckCSR(csr)
	if err != nil || id != "vrv_linkdood" {
		t.Fatalf("CheckCSR = %q, %v", id, err)
	}
	if csr.Subject.CommonName != "vrv_linkdood" || csr.Subject.Organization[0] != "VRV" || len(csr.URIs) != 2 {
		t.Fatalf("subject/SANs: %v %v", csr.Subject, csr.URIs)
	}
}

func TestCreateCSRErrors(t *testing.T) {
	key := mustKey(t)
	if _, err := CreateCSR(key, CSRTemplate{ServerID: "bad.id"}); err == nil || !strings.Contains(err.Error(), "only letters, digits") {
		t.Errorf("invalid serverId: %v", err)
	}
	if _, err := CreateCSR(key, CSRTemplate{ServerID: "ok", URIs: []*url.URL{ServerIDURI("other")}}); err == nil {
		t.Error("a second serverId URI was accepted")
	}
}

func TestCheckCSRBrokenSignature(t *testing.T) {
	der, _ := CreateCSR(mustKey(t), CSRTemplate{ServerID: "abc"})
	csr, _ := smx509.ParseCertificateRequest(der)
	csr.Signature[len(csr.Signature)-3] ^= 0xff
	if _, err := CheckCSR(csr); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("broken signature: %v", err)
	}
}

func TestVerifyCertificate(t *testing.T) {
	ca := testCA(t, "Test Root")
	other := testCA(t, "Other Root")
	impostor := testCA(t, "Test Root") // same name, different key
	now := time.Now()
	good, _ := issueFor(t, ca, "srv1", now.Add(-time.Hour), now.Add(time.Hour))
	expired, _ := issueFor(t, ca, "srv1", now.Add(-3*time.Hour), now.Add(-2*time.Hour))
	future, _ := issueFor(t, ca, "srv1", now.Add(2*time.Hour), now.Add(3*time.Hour))
	forged, _ := issueFor(t, impostor, "srv1", now.Add(-time.Hour), now.Add(time.Hour))
	revoked, _ := issueFor(t, ca, "srv1", now.Add(-time.Hour), now.Add(time.Hour))
	crl := crlFor(t, ca, revoked.SerialNumber, big.NewInt(12345))
	staleDER, _ := ca.CreateCRL(nil, big.NewInt(2), now.Add(-2*time.Hour), now.Add(-time.Hour))
	unbound := unboundCert(t, ca)
	stale, _ := ParseCRL(staleDER)

	for _, tc := range []struct {
		name string
		cert *smx509.Certificate
		opts VerifyOptions
		want Reason // "" means valid
	}{
		{"valid", good, VerifyOptions{Roots: ca.pool(), ServerID: "srv1", CRL: crl}, ""},
		{"valid without CRL", good, VerifyOptions{Roots: ca.pool()}, ""},
		{"expired", expired, VerifyOptions{Roots: ca.pool()}, ReasonExpired},
		{"not yet valid", future, VerifyOptions{Roots: ca.pool()}, ReasonNotYetValid},
		{"wrong root", good, VerifyOptions{Roots: other.pool()}, ReasonUnknownAuthority},
		{"no root", good, VerifyOptions{}, ReasonUnknownAuthority},
		{"forged signature", forged, VerifyOptions{Roots: ca.pool()}, ReasonBadSignature},
		{"wrong serverId", good, VerifyOptions{Roots: ca.pool(), ServerID: "srv2"}, ReasonWrongServerID},
		{"no serverId bound", unbound, VerifyOptions{Roots: ca.pool()}, ReasonMalformed},
		{"no serverId bound, one expected", unbound, VerifyOptions{Roots: ca.pool(), ServerID: "srv1"}, ReasonMalformed},
		{"revoked", revoked, VerifyOptions{Roots: ca.pool(), CRL: crl}, ReasonRevoked},
		{"CRL of another CA", good, VerifyOptions{Roots: ca.pool(), CRL: crlFor(t, other)}, ReasonCRLInvalid},
		{"stale CRL", good, VerifyOptions{Roots: ca.pool(), CRL: stale}, ReasonCRLInvalid},
		{"the CA itself is no server", ca.Cert, VerifyOptions{Roots: ca.pool(), ServerID: "srv1"}, ReasonBadKeyUsage},
		{"the leaf as its own root", good, VerifyOptions{Roots: poolOf(good)}, ReasonUnknownAuthority},
		{"the leaf among the roots", good, VerifyOptions{Roots: poolOf(good, ca.Cert)}, ReasonUnknownAuthority},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyCertificate(tc.cert, tc.opts)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ce *CertError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a CertError %s", err, tc.want)
			}
			if ce.Reason != tc.want {
				t.Fatalf("reason %s (%v), want %s", ce.Reason, err, tc.want)
			}
		})
	}
}

func TestFingerprints(t *testing.T) {
	sum := FingerprintSHA256([]byte("abc"))
	for enc, want := range map[string]string{
		"hex":       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"colon":     "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD",
		"base64":    "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=",
		"base64url": "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0",
	} {
		got, err := FormatFingerprint(sum, enc)
		if err != nil || got != want {
			t.Errorf("%s: %q, %v", enc, got, err)
		}
		back, err := ParseFingerprint(got)
		if err != nil || string(back) != string(sum) {
			t.Errorf("%s: ParseFingerprint(%q) = %x, %v", enc, got, back, err)
		}
	}
	for _, bad := range []string{"ab", "zz", "", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015", "not a fingerprint"} {
		if _, err := ParseFingerprint(bad); err == nil || !strings.Contains(err.Error(), "32-byte") {
			t.Errorf("ParseFingerprint(%q) = %v, want a refusal", bad, err)
		}
	}
	if _, err := FormatFingerprint(sum, "rot13"); err == nil {
		t.Error("unknown encoding accepted")
	}
	if got := FingerprintSM3([]byte("abc")); len(got) != 32 {
		t.Errorf("sm3 fingerprint length %d", len(got))
	}
}

func TestSerials(t *testing.T) {
	s, err := NewSerial()
	if err != nil || s.BitLen() != 128 {
		t.Fatalf("serial %v bits %d", err, s.BitLen())
	}
	back, err := ParseSerial("0x" + SerialHex(s))
	if err != nil || back.Cmp(s) != 0 {
		t.Fatalf("ParseSerial: %v %v", back, err)
	}
	for _, bad := range []string{"", "zz", "-1", "0"} {
		if _, err := ParseSerial(bad); err == nil {
			t.Errorf("serial %q accepted", bad)
		}
	}
}

func TestRevocationReasons(t *testing.T) {
	for in, want := range map[string]int{"keyCompromise": 1, "KEYCOMPROMISE": 1, "4": 4, "superseded": 4} {
		if got, err := ParseRevocationReason(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	if _, err := ParseRevocationReason("because"); err == nil {
		t.Error("unknown reason accepted")
	}
	if RevocationReasonName(5) != "cessationOfOperation" {
		t.Error("name of 5")
	}
}

// The signature and the binding are checked separately so that `csr
// inspect` can report each: a well-signed CSR without a binding, and a
// bound CSR with a broken signature.
func TestCSRSignatureAndBindingSeparately(t *testing.T) {
	key := mustKey(t)
	unboundDER, err := smx509.CreateCertificateRequest(rand.Reader, &smx509.CertificateRequest{
		Subject: pkix.Name{CommonName: "srv1"}, SignatureAlgorithm: smx509.SM2WithSM3}, key)
	if err != nil {
		t.Fatal(err)
	}
	unbound, _ := smx509.ParseCertificateRequest(unboundDER)
	if err := CheckCSRSignature(unbound); err != nil {
		t.Errorf("signature of an unbound CSR: %v", err)
	}
	if _, err := ServerIDFromCSR(unbound); err == nil || !strings.Contains(err.Error(), "does not bind a serverId: no urn:imi:server:") {
		t.Errorf("binding of an unbound CSR: %v", err)
	}
	if _, err := CheckCSR(unbound); err == nil || !strings.Contains(err.Error(), "does not bind a serverId") {
		t.Errorf("CheckCSR of an unbound CSR: %v", err)
	}

	boundDER, _ := CreateCSR(key, CSRTemplate{ServerID: "srv1"})
	broken, _ := smx509.ParseCertificateRequest(boundDER)
	broken.Signature[len(broken.Signature)-3] ^= 0xff
	if err := CheckCSRSignature(broken); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("broken signature: %v", err)
	}
	if id, err := ServerIDFromCSR(broken); err != nil || id != "srv1" {
		t.Errorf("binding of a CSR with a broken signature = %q, %v", id, err)
	}
}

// unboundCert is a server certificate from ca that names no serverId: the
// CA's own issuing path refuses to make one, so it is made directly.
func unboundCert(t *testing.T, ca *Issuer) *smx509.Certificate {
	t.Helper()
	key := mustKey(t)
	now := time.Now()
	tmpl := &smx509.Certificate{
		SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "srv1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage:    smx509.KeyUsageDigitalSignature,
		ExtKeyUsage: []smx509.ExtKeyUsage{smx509.ExtKeyUsageServerAuth, smx509.ExtKeyUsageClientAuth},
	}
	der, err := smx509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := smx509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
